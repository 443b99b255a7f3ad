// The one token-budget rule of every batch (training, translation, reranking): consecutive items
// go together while their count times the widest of them stays within the budget; and the one
// PAD-padded tensor they are written into.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include <ATen/core/Tensor.h>

namespace mt {

// [begin, end) runs of `widths` (in the order given, sorted by the caller so that batches pad
// little), each holding at least one item.
std::vector<std::pair<size_t, size_t>> token_budget_batches(const std::vector<int64_t>& widths, int64_t budget);

// (rows.size(), longest) int64, PAD-filled, with each row's ids at its start.
at::Tensor padded_rows(const std::vector<const std::vector<int64_t>*>& rows);
at::Tensor padded_rows(const std::vector<std::vector<int64_t>>& rows);

}  // namespace mt
