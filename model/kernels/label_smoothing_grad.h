// The gradient of the label-smoothed cross-entropy with respect to the logits, written in one pass
// in the logits' own type: no float log-softmax of (tokens x vocabulary) is kept for backward.
#pragma once
#include <ATen/core/Tensor.h>

namespace mt {

// logits (N, V) float or bf16, targets (N) long, logsumexp (N) float (logsumexp_rows of logits),
// row_scale (N) float (the loss's gradient per row, 0 for padding). Row i of the result is
//   row_scale[i] * (softmax(logits[i]) - epsilon / V - (1 - epsilon) * onehot(targets[i])).
at::Tensor label_smoothing_grad(const at::Tensor& logits, const at::Tensor& targets, const at::Tensor& logsumexp,
                                const at::Tensor& row_scale, double epsilon);

}  // namespace mt
