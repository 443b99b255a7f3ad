#include "model/train/loss.h"

#include <torch/csrc/autograd/custom_function.h>

#include "model/kernels/label_smoothing_grad.h"
#include "model/kernels/logsumexp.h"
#include "tokenizer/vocabulary.h"

namespace mt {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The loss from three numbers per row (log-sum-exp, the target's logit, the sum of the logits),
// read straight from float or bf16 logits; backward writes softmax minus the smoothed target in
// one pass. Before, a float log-softmax of (tokens x vocabulary) was written, kept and read back.
struct FusedLabelSmoothedLoss : torch::autograd::Function<FusedLabelSmoothedLoss> {
  static variable_list forward(AutogradContext* ctx, const at::Tensor& logits, const at::Tensor& targets,
                               double epsilon) {
    const double V = double(logits.size(1));
    at::Tensor row_sums;
    auto lse = logsumexp_rows(logits, &row_sums);
    auto target_logit = logits.gather(1, targets.unsqueeze(1)).squeeze(1).to(at::kFloat);
    auto keep = targets.ne(SpecialIds::pad).to(at::kFloat);
    auto nll_rows = (lse - target_logit) * keep;
    auto uniform_rows = (lse - row_sums / V) * keep;
    auto smoothed = nll_rows.sum() * (1.0 - epsilon) + uniform_rows.sum() * epsilon;
    ctx->save_for_backward({logits, targets, lse, keep});
    ctx->saved_data["epsilon"] = epsilon;
    auto nll = nll_rows.sum();
    ctx->mark_non_differentiable({nll});
    return {smoothed, nll};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& keep = saved[3];
    auto grad = label_smoothing_grad(saved[0], saved[1], saved[2], keep * grads[0].to(at::kFloat),
                                     ctx->saved_data["epsilon"].toDouble());
    return {grad, at::Tensor(), at::Tensor()};
  }
};

bool fused_loss_applies(const at::Tensor& logits) {
  return logits.is_cpu() && (logits.scalar_type() == at::kFloat || logits.scalar_type() == at::kBFloat16);
}

}  // namespace

LossSums label_smoothed_loss(const at::Tensor& logits, const at::Tensor& targets, double epsilon) {
  const int64_t V = logits.size(-1);
  auto rows = logits.reshape({-1, V});
  auto target = targets.reshape({-1});
  if (fused_loss_applies(rows)) {
    auto sums = FusedLabelSmoothedLoss::apply(rows.contiguous(), target.to(at::kLong).contiguous(), epsilon);
    return {sums[0], sums[1]};
  }
  auto lprobs = at::log_softmax(rows.to(at::kFloat), -1);
  auto keep = target.ne(SpecialIds::pad).to(at::kFloat).unsqueeze(1);
  auto nll = -(lprobs.gather(1, target.unsqueeze(1)) * keep).sum();
  auto uniform = -(lprobs.sum(1, true) * keep).sum();
  return {nll * (1.0 - epsilon) + uniform * (epsilon / double(V)), nll.detach()};
}

}  // namespace mt
