// The training step's own kernels against LibTorch's plain formulas: the fused label-smoothed loss
// (value and gradient), the hashed dropout (rate, scale, the same mask in backward) and the
// per-head attention products (values, and the attention layer's gradients).
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <torch/torch.h>

#include "model/kernels/head_matmul.h"
#include "model/network/attention.h"
#include "model/network/dropout.h"
#include "model/train/loss.h"
#include "tokenizer/vocabulary.h"

namespace mt {
namespace {

// fairseq's label-smoothed loss written out with log_softmax: what the fused one must equal.
std::pair<at::Tensor, at::Tensor> plain_loss(const at::Tensor& logits, const at::Tensor& targets, double epsilon) {
  auto lprobs = at::log_softmax(logits.to(at::kFloat), -1);
  auto keep = targets.ne(SpecialIds::pad).to(at::kFloat).unsqueeze(1);
  auto nll = -(lprobs.gather(1, targets.unsqueeze(1)) * keep).sum();
  auto uniform = -(lprobs.sum(1, true) * keep).sum();
  return {nll * (1 - epsilon) + uniform * (epsilon / double(logits.size(1))), nll};
}

at::Tensor targets_with_padding(int64_t rows, int64_t vocab) {
  auto t = at::randint(SpecialIds::pad + 1, vocab, {rows}, at::kLong);
  t.narrow(0, rows - 3, 3).fill_(SpecialIds::pad);  // padded positions count for nothing
  return t;
}

TEST(FusedLoss, MatchesLogSoftmaxFormulaInValueAndGradient) {
  torch::manual_seed(3);
  const int64_t rows = 37, vocab = 1001;  // a vocabulary that is not a multiple of the vector width
  auto targets = targets_with_padding(rows, vocab);
  for (double epsilon : {0.0, 0.1}) {
    auto base = (at::randn({rows, vocab}) * 4).set_requires_grad(true);
    auto plain = base.detach().clone().set_requires_grad(true);
    auto fused = label_smoothed_loss(base, targets, epsilon);
    auto [smoothed, nll] = plain_loss(plain, targets, epsilon);
    EXPECT_NEAR(fused.smoothed.item<double>(), smoothed.item<double>(), 1e-3 * smoothed.item<double>());
    EXPECT_NEAR(fused.nll.item<double>(), nll.item<double>(), 1e-3 * nll.item<double>());
    (fused.smoothed * 0.5).backward();
    (smoothed * 0.5).backward();
    EXPECT_TRUE(at::allclose(base.grad(), plain.grad(), 1e-4, 1e-6)) << "epsilon " << epsilon;
    EXPECT_EQ(base.grad().narrow(0, rows - 3, 3).abs().sum().item<float>(), 0.0f) << "padding rows get no gradient";
  }
}

TEST(FusedLoss, Bf16LogitsGiveBf16GradientCloseToFloat) {
  torch::manual_seed(4);
  auto targets = targets_with_padding(20, 300);
  auto logits = at::randn({20, 300}).to(at::kBFloat16).set_requires_grad(true);
  auto reference = logits.detach().to(at::kFloat).set_requires_grad(true);
  auto fused = label_smoothed_loss(logits, targets, 0.1);
  auto [smoothed, nll] = plain_loss(reference, targets, 0.1);
  EXPECT_NEAR(fused.smoothed.item<double>(), smoothed.item<double>(), 1e-3 * smoothed.item<double>());
  fused.smoothed.backward();
  smoothed.backward();
  EXPECT_EQ(logits.grad().scalar_type(), at::kBFloat16);
  EXPECT_TRUE(at::allclose(logits.grad().to(at::kFloat), reference.grad(), 1e-2, 1e-3));
}

TEST(HashedDropout, DropsAtTheRateAndScalesTheRest) {
  torch::manual_seed(5);
  for (auto type : {at::kFloat, at::kBFloat16}) {
    auto x = at::ones({1000, 1000}).to(type);
    auto y = hashed_dropout(x, 0.3, true).to(at::kFloat);
    const double dropped = y.eq(0).to(at::kDouble).mean().item<double>();
    EXPECT_NEAR(dropped, 0.3, 0.002);  // 10^6 draws: the standard error is 0.0005
    EXPECT_NEAR(y.max().item<float>(), 1 / 0.7, 1e-2);
    EXPECT_NEAR(y.mean().item<double>(), 1.0, 0.005);  // expectation kept
  }
}

TEST(HashedDropout, NeighbouringElementsAreIndependent) {
  torch::manual_seed(6);
  auto kept = hashed_dropout(at::ones({1 << 20}), 0.5, true).ne(0).to(at::kDouble);
  auto both = (kept.narrow(0, 0, kept.size(0) - 1) * kept.narrow(0, 1, kept.size(0) - 1)).mean().item<double>();
  EXPECT_NEAR(both, 0.25, 0.003);
}

TEST(HashedDropout, BackwardUsesTheForwardMask) {
  torch::manual_seed(7);
  auto x = at::randn({64, 33}).set_requires_grad(true);
  auto y = hashed_dropout(x, 0.25, true);
  y.sum().backward();
  // d y / d x is 1/(1-p) where y kept x, 0 where it dropped it.
  auto expected = y.detach().ne(0).to(at::kFloat) / 0.75;
  EXPECT_TRUE(at::allclose(x.grad(), expected));
}

TEST(HashedDropout, SeededRunsRepeatAndCallsDiffer) {
  auto x = at::ones({4096});
  torch::manual_seed(8);
  auto a = hashed_dropout(x, 0.1, true), b = hashed_dropout(x, 0.1, true);
  torch::manual_seed(8);
  auto a_again = hashed_dropout(x, 0.1, true);
  EXPECT_TRUE(at::equal(a, a_again));
  EXPECT_FALSE(at::equal(a, b));
  EXPECT_TRUE(at::equal(hashed_dropout(x, 0.1, false), x)) << "no dropout outside training";
}

}  // namespace
}  // namespace mt

namespace mt {
namespace {

TEST(HeadMatmul, EqualsMatmulForEveryLayoutItReads) {
  torch::manual_seed(7);
  const int64_t B = 3, T = 5, H = 2, D = 8;
  // Heads split out of a fused projection's rows: a row stride wider than the row.
  auto projection = at::randn({B, T, 3 * H * D});
  auto heads = [&](int64_t i) { return projection.narrow(2, i * H * D, H * D).view({B, T, H, D}).transpose(1, 2); };
  auto q = heads(0), k = heads(1), v = heads(2);
  auto check = [](const at::Tensor& a, const at::Tensor& b, double alpha, const char* what) {
    for (bool heads_inside : {false, true}) {
      auto out = head_matmul(a, b, alpha, heads_inside);
      EXPECT_TRUE(at::allclose(out, at::matmul(a, b) * alpha, 1e-5, 1e-5)) << what << ", heads_inside " << heads_inside;
      if (heads_inside) EXPECT_TRUE(out.transpose(1, 2).is_contiguous()) << what;
    }
  };
  check(q, k.transpose(2, 3), 0.25, "q k^T (a column-major right operand)");
  check(at::softmax(at::matmul(q, k.transpose(2, 3)), -1), v, 1.0, "probabilities v");
  check(q.transpose(2, 3), v, 1.0, "a column-major left operand");
  check(q.contiguous(), k.contiguous().transpose(2, 3), 2.0, "contiguous operands");
  check(q.narrow(2, 0, 1), k.transpose(2, 3), 1.0, "a single query row");
  check(q, k.transpose(2, 3).narrow(3, 0, 1), 1.0, "a single key column");
  check(q.narrow(3, 0, 1), k.narrow(2, 0, 1), 1.0, "an inner dimension of one");
  check(at::randn({1, H, T, D}).expand({B, H, T, D}), k.transpose(2, 3), 1.0, "a batch broadcast with stride 0");
  check(projection.view({B, T, 3 * H, D}).transpose(1, 2).narrow(1, 0, H).slice(3, 0, D, 2), k.narrow(3, 0, D / 2).transpose(2, 3),
        1.0, "neither unit stride (copied first)");
  EXPECT_EQ(head_matmul(q.narrow(2, 0, 0), k.transpose(2, 3)).sizes(), (at::IntArrayRef{B, H, 0, T}));
  EXPECT_THROW(head_matmul(q, k), c10::Error);  // (T, D) x (T, D): the shapes do not multiply
}

// The attention layer in training (float, so its products are the per-head BLAS ones), against
// the same layer written out with LibTorch's matmul: output, and every gradient.
TEST(HeadMatmul, AttentionTrainsWithTheGradientsOfLibTorchProducts) {
  torch::manual_seed(8);
  const int64_t B = 3, Tq = 6, Tk = 7, d = 16, H = 4;
  MultiHeadAttention attention(d, H, /*dropout=*/0.0);
  attention->train();
  auto query = at::randn({B, Tq, d}).set_requires_grad(true), memory = at::randn({B, Tk, d}).set_requires_grad(true);
  auto mask = at::zeros({B, 1, 1, Tk});
  mask[1].narrow(-1, 4, 3).fill_(-std::numeric_limits<float>::infinity());  // sentence 1 has 3 padding keys
  auto ours = attention->forward(query, memory, mask);
  ASSERT_EQ(ours.sizes(), (at::IntArrayRef{B, Tq, d}));
  auto upstream = at::randn_like(ours);
  auto params = attention->named_parameters();
  std::vector<at::Tensor> inputs{query, memory};
  for (const auto& p : params) inputs.push_back(p.value());
  auto grads = torch::autograd::grad({ours}, inputs, {upstream});

  auto split = [&](const at::Tensor& x) { return x.view({B, x.size(1), H, d / H}).transpose(1, 2); };
  auto q = split(at::linear(query, params["q_proj.weight"], params["q_proj.bias"]));
  auto kv = at::linear(memory, params["kv_proj.weight"], params["kv_proj.bias"]).chunk(2, -1);
  auto probs = at::softmax(at::matmul(q, split(kv[0]).transpose(2, 3)) / std::sqrt(double(d / H)) + mask, -1);
  auto heads = at::matmul(probs, split(kv[1])).transpose(1, 2).reshape({B, Tq, d});
  auto plain = at::linear(heads, params["out_proj.weight"], params["out_proj.bias"]);
  auto plain_grads = torch::autograd::grad({plain}, inputs, {upstream});

  EXPECT_TRUE(at::allclose(ours, plain, 1e-5, 1e-5));
  const std::vector<std::string> names{"query", "memory"};
  for (size_t i = 0; i < inputs.size(); ++i)
    EXPECT_TRUE(at::allclose(grads[i], plain_grads[i], 1e-4, 1e-5))
        << "gradient of " << (i < 2 ? names[i] : params.keys()[i - 2]);
}

}  // namespace
}  // namespace mt
