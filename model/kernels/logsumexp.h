// log softmax(x) = x - logsumexp(x): search ranks raw logits and turns only the few it keeps into
// log-probabilities, instead of writing a float log-softmax of the whole vocabulary every step.
#pragma once
#include <ATen/core/Tensor.h>

namespace mt {

// logits (N, V) float or bf16 -> (N) float, log(sum(exp(row))) computed in float. With row_sums,
// also each row's plain sum (the label-smoothed loss's uniform term), from the same pass.
at::Tensor logsumexp_rows(const at::Tensor& logits, at::Tensor* row_sums = nullptr);

}  // namespace mt
