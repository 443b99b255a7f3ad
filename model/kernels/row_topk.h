// The k largest scores of each row, for the few candidates a search step keeps: one pass over the
// row that touches only the values above the running k-th best, where LibTorch's topk sorts.
#pragma once
#include <ATen/core/Tensor.h>

#include <tuple>

namespace mt {

// scores (N, V) float or bf16 -> (values (N, k) float, indices (N, k) int64), best first; of equal
// scores the earlier index wins.
std::tuple<at::Tensor, at::Tensor> row_topk(const at::Tensor& scores, int64_t k);

}  // namespace mt
