#include "model/train/loss.h"

#include "tokenizer/vocabulary.h"

namespace mt {

LossSums label_smoothed_loss(const at::Tensor& logits, const at::Tensor& targets, double epsilon) {
  const int64_t V = logits.size(-1);
  auto lprobs = at::log_softmax(logits.reshape({-1, V}).to(at::kFloat), -1);
  auto target = targets.reshape({-1, 1});
  auto keep = target.ne(SpecialIds::pad).to(at::kFloat);
  auto nll = -(lprobs.gather(1, target) * keep).sum();
  auto uniform = -(lprobs.sum(1, true) * keep).sum();
  return {nll * (1.0 - epsilon) + uniform * (epsilon / double(V)), nll.detach()};
}

}  // namespace mt
