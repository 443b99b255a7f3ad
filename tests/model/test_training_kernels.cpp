// The training step's own kernels against LibTorch's plain formulas: the fused label-smoothed loss
// (value and gradient) and the hashed dropout (rate, scale, the same mask in backward).
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <torch/torch.h>

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
