// Token-budget batches: examples sorted by length so a batch pads little, packed until
// rows x longest side reaches the budget, then the batch order shuffled with a seed per epoch.
#pragma once
#include <cstdint>
#include <vector>

#include <ATen/ATen.h>

#include "model/train/training_data.h"

namespace mt {

struct Batch {
  at::Tensor src, tgt_in, tgt_out;  // (B, S), (B, T) BOS-shifted, (B, T)
  int64_t src_tokens = 0, tgt_tokens = 0;
};

// `sample` (example indices, repeats allowed) cut into batches, in the order of this epoch.
std::vector<std::vector<int64_t>> plan_batches(const ExampleSet& examples, std::vector<int64_t> sample,
                                               int64_t batch_tokens, uint64_t seed, int64_t epoch);
// Every example once (validation).
std::vector<std::vector<int64_t>> plan_batches(const ExampleSet& examples, int64_t batch_tokens);

Batch collate(const ExampleSet& examples, const std::vector<int64_t>& indices);

}  // namespace mt
