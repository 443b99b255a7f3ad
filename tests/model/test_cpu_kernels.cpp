// The hand-written CPU kernels against the LibTorch operations they replace, in float and bf16.
#include <gtest/gtest.h>

#include <cmath>

#include <ATen/ATen.h>

#include <limits>

#include "model/kernels/layer_norm_kernel.h"
#include "model/kernels/logsumexp.h"
#include "model/kernels/packed_gemm.h"
#include "model/kernels/row_topk.h"
#include "model/kernels/single_query_attention.h"
#include "model/network/layer_norm.h"
#include "model/network/linear.h"

using namespace mt;

namespace {
constexpr float kNegInf = -std::numeric_limits<float>::infinity();
}

TEST(SingleQueryAttention, FusedKernelEqualsMatrixProducts) {
  torch::manual_seed(6);
  const int64_t sentences = 3, group = 4, heads = 2, length = 19;  // two blocks of eight positions and a tail
  for (int64_t d_head : {8, 64}) {
    auto q = at::randn({sentences * group, heads, d_head});
    auto cache = at::randn({sentences, heads, 24, d_head});  // a cache longer than its content
    auto k = cache.narrow(2, 0, length), v = at::randn({sentences, heads, length, d_head});
    auto mask = at::zeros({sentences, length});
    mask[2].narrow(0, 6, 13).fill_(kNegInf);
    for (auto type : {at::kFloat, at::kBFloat16}) {
      auto fused = single_query_attention(q.to(type), k.to(type), v.to(type), mask, 0.25);
      auto reference = single_query_attention_matmul(q, k, v, mask, 0.25);
      ASSERT_EQ(fused.sizes(), (at::IntArrayRef{sentences * group, heads * d_head}));
      EXPECT_EQ(fused.scalar_type(), type);
      const double tolerance = type == at::kFloat ? 1e-5 : 3e-2;
      EXPECT_TRUE(at::allclose(fused.to(at::kFloat), reference, tolerance, tolerance)) << type << " d_head " << d_head;
    }
    // The masked keys take no part: changing them changes nothing.
    auto v2 = v.clone();
    v2[2].narrow(1, 6, 13).fill_(100.0);
    EXPECT_TRUE(at::allclose(single_query_attention(q, k, v2, mask, 0.25), single_query_attention(q, k, v, mask, 0.25)));
  }
}

TEST(CachedAttention, ReadsEachRowsPositionsFromItsOriginSlots) {
  torch::manual_seed(7);
  const int64_t rows = 5, slots = 6, heads = 2, length = 7;
  for (int64_t d_head : {16, 6}) {  // the fused kernel, and the gathering fallback (d_head % 8 != 0)
    auto q = at::randn({rows, heads, d_head});
    auto k = at::randn({length, slots, heads, d_head}), v = at::randn({length, slots, heads, d_head});
    auto origin = at::randint(0, slots, {rows, length}, at::kInt);
    // The reference: each row's own keys and values, copied out, then plain attention.
    auto own_k = at::empty({rows, heads, length, d_head}), own_v = at::empty({rows, heads, length, d_head});
    for (int64_t n = 0; n < rows; ++n)
      for (int64_t t = 0; t < length; ++t) {
        const int64_t slot = origin[n][t].item<int32_t>();
        own_k[n].select(1, t).copy_(k[t][slot]);
        own_v[n].select(1, t).copy_(v[t][slot]);
      }
    auto expected = single_query_attention_matmul(q, own_k, own_v, at::Tensor(), 0.5);
    EXPECT_TRUE(at::allclose(cached_attention(q, k, v, origin, 0.5), expected, 1e-5, 1e-5)) << "d_head " << d_head;
  }
}

TEST(LogSumExpRows, EqualsLibTorchAndIgnoresBannedTokens) {
  torch::manual_seed(7);
  auto logits = at::randn({5, 1000}) * 4;
  logits[1].narrow(0, 0, 10).fill_(kNegInf);  // banned tokens contribute nothing
  logits[2].fill_(-100.0);                      // far below exp's range: still exact
  auto expected = at::logsumexp(logits, 1);
  EXPECT_TRUE(at::allclose(logsumexp_rows(logits), expected, 1e-5, 1e-5));
  auto bf16 = logits.to(at::kBFloat16);
  EXPECT_TRUE(at::allclose(logsumexp_rows(bf16), at::logsumexp(bf16.to(at::kFloat), 1), 1e-5, 1e-5));
  auto strided = at::randn({4, 2000}).narrow(1, 0, 1000);  // rows of a wider buffer
  EXPECT_TRUE(at::allclose(logsumexp_rows(strided), at::logsumexp(strided, 1), 1e-5, 1e-5));
  EXPECT_EQ(logsumexp_rows(at::full({1, 8}, kNegInf)).item<float>(), kNegInf);
}

TEST(LayerNormKernel, EqualsLibTorchLayerNorm) {
  torch::manual_seed(8);
  auto x = at::randn({3, 7, 48}) * 3 + 1;
  auto weight = at::randn({48}), bias = at::randn({48});
  auto expected = at::layer_norm(x, {48}, weight, bias, 1e-5);
  EXPECT_TRUE(at::allclose(layer_norm_cpu(x, weight, bias, 1e-5), expected, 1e-5, 1e-5));
  auto bf16 = layer_norm_cpu(x.to(at::kBFloat16), weight.to(at::kBFloat16), bias.to(at::kBFloat16), 1e-5);
  EXPECT_EQ(bf16.scalar_type(), at::kBFloat16);
  EXPECT_TRUE(at::allclose(bf16.to(at::kFloat), expected, 5e-2, 5e-2));
}

TEST(LayerNormKernel, ModuleUsesLibTorchWhileTraining) {
  LayerNorm norm(16);
  auto x = at::randn({4, 16}).requires_grad_();
  norm->train();
  auto y = norm(x);
  ASSERT_TRUE(y.requires_grad());  // the fused path has no backward
  y.sum().backward();
  EXPECT_TRUE(x.grad().defined());
  norm->eval();
  at::NoGradGuard no_grad;
  EXPECT_TRUE(at::allclose(norm(x), y, 1e-5, 1e-5));
}

TEST(RowTopK, EqualsLibTorchTopK) {
  torch::manual_seed(9);
  auto scores = at::randn({6, 999});  // not a multiple of the 8-wide blocks
  scores[2].narrow(0, 0, 500).fill_(kNegInf);
  for (int64_t k : {1, 4, 8}) {
    auto [values, indices] = row_topk(scores, k);
    auto [expected_values, expected_indices] = at::topk(scores, k, 1);
    EXPECT_TRUE(at::equal(values, expected_values)) << k;
    EXPECT_TRUE(at::equal(indices, expected_indices)) << k;
  }
  auto bf16 = scores.to(at::kBFloat16);  // ties now: the values must match, the indices hold them
  auto [values, indices] = row_topk(bf16, 8);
  EXPECT_TRUE(at::equal(values, std::get<0>(at::topk(bf16.to(at::kFloat), 8, 1))));
  EXPECT_TRUE(at::equal(bf16.to(at::kFloat).gather(1, indices), values));
}

TEST(RowTopK, TiesGoToTheEarlierIndexAndBannedRowsStillFill) {
  auto scores = at::zeros({2, 20});
  scores[0][3] = scores[0][17] = 1.0f;
  scores[1].fill_(kNegInf);
  auto [values, indices] = row_topk(scores, 3);
  EXPECT_EQ(indices[0][0].item<int64_t>(), 3);
  EXPECT_EQ(indices[0][1].item<int64_t>(), 17);
  EXPECT_EQ(indices[0][2].item<int64_t>(), 0);
  EXPECT_EQ(values[1][0].item<float>(), kNegInf);
}

TEST(RowTopK, NaNScoresAreNeverPickedNorHideOthers) {
  auto scores = at::zeros({1, 300});
  scores[0].narrow(0, 64, 64).fill_(std::nanf(""));  // a whole block of NaN but one lane
  scores[0][100] = 5.0f;
  scores[0][200] = std::nanf("");
  scores[0][201] = 3.0f;
  auto [values, indices] = row_topk(scores, 2);
  EXPECT_EQ(indices[0][0].item<int64_t>(), 100);
  EXPECT_EQ(indices[0][1].item<int64_t>(), 201);
}

TEST(PackedLinear, EqualsLibTorchLinearForEveryTileShape) {
  torch::manual_seed(8);
  for (auto type : {at::kFloat, at::kBFloat16}) {
    if (!can_pack(type, 64)) {
      std::cout << "[  SKIPPED ] this CPU has no packed kernel for " << type << "\n";
      continue;
    }
    // Rows around the 8-row tile and the 64-row task, outputs that end inside a panel or a pair.
    for (int64_t rows : {1, 7, 8, 9, 70}) {
      for (int64_t out : {16, 40, 56, 83}) {
        for (bool with_bias : {true, false}) {
          const int64_t in = 70;
          auto x = at::randn({rows, in}).to(type), w = at::randn({out, in}).to(type);
          auto b = with_bias ? at::randn({out}).to(type) : at::Tensor();
          auto expected = at::linear(x.to(at::kFloat), w.to(at::kFloat), with_bias ? b.to(at::kFloat) : b);
          at::NoGradGuard no_grad;
          auto got = packed_linear(x, pack_weight(w), b);
          ASSERT_EQ(got.sizes(), expected.sizes());
          EXPECT_EQ(got.scalar_type(), type);
          const double tolerance = type == at::kFloat ? 1e-4 : 4e-2;  // bf16: the output is rounded
          EXPECT_TRUE(at::allclose(got.to(at::kFloat), expected, tolerance, tolerance))
              << type << " rows " << rows << " out " << out << " bias " << with_bias;
          auto relu = packed_linear(x, pack_weight(w), b, /*relu=*/true);
          EXPECT_TRUE(at::equal(relu, got.clamp_min(0)));
        }
      }
    }
  }
}

TEST(PackedLinear, ModuleRunsPackedOnlyWithoutAutograd) {
  if (!can_pack(at::kFloat, 32)) GTEST_SKIP() << "this CPU has no packed float kernel";
  torch::manual_seed(9);
  Linear layer(32, 48);
  layer->set_compute_type(ComputeType::Float32);
  auto x = at::randn({2, 5, 32});
  {
    at::NoGradGuard no_grad;
    layer->eval();
    EXPECT_TRUE(at::allclose(layer(x), at::linear(x, layer->weight, layer->bias), 1e-5, 1e-5));
    EXPECT_EQ(layer(x).sizes(), (at::IntArrayRef{2, 5, 48}));
  }
  layer->train();  // training takes gradients through LibTorch's product
  layer(x).sum().backward();
  ASSERT_TRUE(layer->weight.grad().defined());
  EXPECT_GT(layer->weight.grad().abs().sum().item<float>(), 0.0f);
  // Which path ran: the packed copy keeps the weight as it was packed; LibTorch reads the live one.
  const auto packed_result = [&] {
    at::NoGradGuard no_grad;
    layer->eval();
    return layer(x);
  }();
  { at::NoGradGuard no_grad; layer->weight.zero_(); }
  {
    at::NoGradGuard no_grad;
    EXPECT_TRUE(at::equal(layer(x), packed_result));  // inference: still the packed weight
  }
  layer->train();
  EXPECT_TRUE(at::allclose(layer(x), layer->bias.expand({2, 5, 48})));  // autograd: the zeroed live weight
}
