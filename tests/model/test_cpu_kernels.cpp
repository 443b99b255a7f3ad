// The hand-written CPU kernels against the LibTorch operations they replace, in float and bf16.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <limits>

#include "model/network/layer_norm.h"
#include "model/network/single_query_attention.h"
#include "model/search/logsumexp.h"
#include "model/search/row_topk.h"

using namespace mt;

namespace {
constexpr float kNegInf = -std::numeric_limits<float>::infinity();
}

TEST(SingleQueryAttention, FusedKernelEqualsMatrixProducts) {
  torch::manual_seed(6);
  const int64_t sentences = 3, group = 4, heads = 2, d_head = 16, length = 9;
  auto q = at::randn({sentences * group, heads, d_head});
  auto cache = at::randn({sentences, heads, 16, d_head});  // a cache longer than its content
  auto k = cache.narrow(2, 0, length), v = at::randn({sentences, heads, length, d_head});
  auto mask = at::zeros({sentences, length});
  mask[2].narrow(0, 6, 3).fill_(kNegInf);
  for (auto type : {at::kFloat, at::kBFloat16}) {
    auto fused = single_query_attention(q.to(type), k.to(type), v.to(type), mask, 0.25);
    auto reference = single_query_attention_matmul(q, k, v, mask, 0.25);
    ASSERT_EQ(fused.sizes(), (at::IntArrayRef{sentences * group, heads * d_head}));
    EXPECT_EQ(fused.scalar_type(), type);
    const double tolerance = type == at::kFloat ? 1e-5 : 3e-2;
    EXPECT_TRUE(at::allclose(fused.to(at::kFloat), reference, tolerance, tolerance)) << type;
  }
  // The masked keys take no part: changing them changes nothing.
  auto v2 = v.clone();
  v2[2].narrow(1, 6, 3).fill_(100.0);
  EXPECT_TRUE(at::allclose(single_query_attention(q, k, v2, mask, 0.25), single_query_attention(q, k, v, mask, 0.25)));
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
