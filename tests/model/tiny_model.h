// Small random networks for the model tests.
#pragma once
#include "model/network/transformer.h"
#include "tokenizer/tokenizer.h"

inline mt::ModelConfig tiny_config(int64_t vocab = 50) {
  mt::ModelConfig c;
  c.vocab_size = vocab;
  c.d_model = 32;
  c.heads = 4;
  c.ffn = 64;
  c.enc_layers = 2;
  c.dec_layers = 2;
  c.dropout = 0.0;
  c.max_positions = 64;
  return c;
}

// A PAD-padded batch: row i holds `lengths[i]` random real tokens followed by EOS.
inline at::Tensor random_batch(const std::vector<int64_t>& lengths, int64_t vocab) {
  int64_t width = 0;
  for (auto n : lengths) width = std::max(width, n + 1);
  auto batch = at::full({int64_t(lengths.size()), width}, int64_t(mt::SpecialIds::pad), at::kLong);
  for (size_t i = 0; i < lengths.size(); ++i) {
    batch[int64_t(i)].narrow(0, 0, lengths[i]).copy_(at::randint(6, vocab, {lengths[i]}, at::kLong));
    batch[int64_t(i)][lengths[i]] = int64_t(mt::SpecialIds::eos);
  }
  return batch;
}
