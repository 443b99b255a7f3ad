#include "model/translate/batching.h"

#include <algorithm>

#include <ATen/ops/full.h>

#include "tokenizer/vocabulary.h"

namespace mt {

std::vector<std::pair<size_t, size_t>> token_budget_batches(const std::vector<int64_t>& widths, int64_t budget) {
  std::vector<std::pair<size_t, size_t>> batches;
  for (size_t start = 0; start < widths.size();) {
    int64_t widest = widths[start];
    size_t end = start + 1;
    for (; end < widths.size(); ++end) {
      const int64_t w = std::max(widest, widths[end]);
      if (int64_t(end - start + 1) * w > budget) break;
      widest = w;
    }
    batches.emplace_back(start, end);
    start = end;
  }
  return batches;
}

at::Tensor padded_rows(const std::vector<const std::vector<int64_t>*>& rows) {
  size_t longest = 0;
  for (const auto* r : rows) longest = std::max(longest, r->size());
  auto batch = at::full({int64_t(rows.size()), int64_t(longest)}, int64_t(SpecialIds::pad), at::kLong);
  int64_t* out = batch.data_ptr<int64_t>();
  for (size_t i = 0; i < rows.size(); ++i) std::copy(rows[i]->begin(), rows[i]->end(), out + i * longest);
  return batch;
}

at::Tensor padded_rows(const std::vector<std::vector<int64_t>>& rows) {
  std::vector<const std::vector<int64_t>*> pointers;
  for (const auto& r : rows) pointers.push_back(&r);
  return padded_rows(pointers);
}

}  // namespace mt
