#include "model/train/batcher.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "model/translate/batching.h"
#include "tokenizer/vocabulary.h"

namespace mt {

std::vector<std::vector<int64_t>> plan_batches(const ExampleSet& examples, std::vector<int64_t> order,
                                               int64_t batch_tokens, uint64_t seed, int64_t epoch) {
  std::mt19937_64 rng(seed * 1000003 + uint64_t(epoch));
  std::shuffle(order.begin(), order.end(), rng);  // ties in length land in a different batch each epoch
  auto width = [&](int64_t i) { return std::max(examples.source_length(i), examples.target_length(i) + 1); };
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return width(a) < width(b); });

  std::vector<int64_t> widths;
  for (int64_t i : order) widths.push_back(width(i));
  std::vector<std::vector<int64_t>> batches;
  for (const auto& [begin, end] : token_budget_batches(widths, batch_tokens))
    batches.emplace_back(order.begin() + long(begin), order.begin() + long(end));
  std::shuffle(batches.begin(), batches.end(), rng);
  return batches;
}

std::vector<std::vector<int64_t>> plan_batches(const ExampleSet& examples, int64_t batch_tokens) {
  std::vector<int64_t> all(size_t(examples.size()));
  std::iota(all.begin(), all.end(), 0);
  return plan_batches(examples, std::move(all), batch_tokens, 0, 0);
}

Batch collate(const ExampleSet& examples, const std::vector<int64_t>& indices) {
  int64_t S = 0, T = 0;
  for (auto i : indices) {
    S = std::max(S, examples.source_length(i));
    T = std::max(T, examples.target_length(i));
  }
  const int64_t B = int64_t(indices.size());
  Batch b;
  b.src = at::full({B, S}, int64_t(SpecialIds::pad), at::kLong);
  b.tgt_out = at::full({B, T}, int64_t(SpecialIds::pad), at::kLong);
  b.tgt_in = at::full({B, T}, int64_t(SpecialIds::pad), at::kLong);
  int64_t* src = b.src.data_ptr<int64_t>();
  int64_t* tout = b.tgt_out.data_ptr<int64_t>();
  int64_t* tin = b.tgt_in.data_ptr<int64_t>();
  for (int64_t r = 0; r < B; ++r) {
    const int64_t e = indices[size_t(r)], n = examples.target_length(e);
    examples.write_source(e, src + r * S);
    examples.write_target(e, tout + r * T);
    tin[r * T] = SpecialIds::bos;  // the target shifted right behind BOS
    std::copy(tout + r * T, tout + r * T + n - 1, tin + r * T + 1);
    b.src_tokens += examples.source_length(e);
    b.tgt_tokens += n;
  }
  return b;
}

}  // namespace mt
