#include "model/train/batcher.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "tokenizer/tokenizer.h"

namespace mt {

std::vector<std::vector<int64_t>> plan_batches(const std::vector<Example>& examples, int64_t batch_tokens,
                                               uint64_t seed, int64_t epoch) {
  std::mt19937_64 rng(seed * 1000003 + uint64_t(epoch));
  std::vector<int64_t> order(examples.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);  // ties in length land in a different batch each epoch
  auto width = [&](int64_t i) { return int64_t(std::max(examples[i].src.size(), examples[i].tgt.size() + 1)); };
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return width(a) < width(b); });

  std::vector<std::vector<int64_t>> batches;
  std::vector<int64_t> current;
  int64_t longest = 0;
  for (int64_t i : order) {
    const int64_t w = std::max(longest, width(i));
    if (!current.empty() && w * int64_t(current.size() + 1) > batch_tokens) {
      batches.push_back(std::move(current));
      current.clear();
      longest = 0;
    }
    current.push_back(i);
    longest = std::max(longest, width(i));
  }
  if (!current.empty()) batches.push_back(std::move(current));
  std::shuffle(batches.begin(), batches.end(), rng);
  return batches;
}

Batch collate(const std::vector<Example>& examples, const std::vector<int64_t>& indices) {
  int64_t S = 0, T = 0;
  for (auto i : indices) {
    S = std::max<int64_t>(S, int64_t(examples[i].src.size()));
    T = std::max<int64_t>(T, int64_t(examples[i].tgt.size()));
  }
  const int64_t B = int64_t(indices.size());
  Batch b;
  b.src = at::full({B, S}, int64_t(SpecialIds::pad), at::kLong);
  b.tgt_in = at::full({B, T}, int64_t(SpecialIds::pad), at::kLong);
  b.tgt_out = at::full({B, T}, int64_t(SpecialIds::pad), at::kLong);
  auto src = b.src.accessor<int64_t, 2>();
  auto tin = b.tgt_in.accessor<int64_t, 2>();
  auto tout = b.tgt_out.accessor<int64_t, 2>();
  for (int64_t r = 0; r < B; ++r) {
    const auto& e = examples[indices[r]];
    for (size_t j = 0; j < e.src.size(); ++j) src[r][int64_t(j)] = e.src[j];
    tin[r][0] = SpecialIds::bos;
    for (size_t j = 0; j < e.tgt.size(); ++j) {
      tout[r][int64_t(j)] = e.tgt[j];
      if (j + 1 < e.tgt.size()) tin[r][int64_t(j + 1)] = e.tgt[j];
    }
    b.src_tokens += int64_t(e.src.size());
    b.tgt_tokens += int64_t(e.tgt.size());
  }
  return b;
}

}  // namespace mt
