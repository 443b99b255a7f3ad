// Label-smoothed cross-entropy over non-padding targets, as fairseq computes it.
#pragma once
#include <ATen/ATen.h>

namespace mt {

struct LossSums {
  at::Tensor smoothed;  // summed over tokens: what is optimised
  at::Tensor nll;       // summed over tokens: what is reported (perplexity)
};

LossSums label_smoothed_loss(const at::Tensor& logits, const at::Tensor& targets, double epsilon);

}  // namespace mt
