// Multi-head scaled dot-product attention, with the key/value caches incremental decoding needs.
#pragma once
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include "model/network/linear.h"
#include "model/network/real_tokens.h"

namespace mt {

// Self-attention keys/values of the tokens decoded so far, written once and never moved: step t
// writes its N rows into slots 0 .. N-1 of k[t] and v[t]. Which slot a row's position t is in is
// the decoder state's origin table: following the beam reorders that table, never the caches.
struct KVCache {
  at::Tensor k, v;  // (capacity, slots, heads, d_head)
  int64_t length = 0;
  void append(const at::Tensor& k_step, const at::Tensor& v_step);  // each (N, heads, d_head)
  at::Tensor keys() const { return k.narrow(0, 0, length); }
  at::Tensor values() const { return v.narrow(0, 0, length); }
};

// Encoder-side keys/values for cross-attention: projected once per batch, shared by the beams.
struct StaticKV {
  at::Tensor k, v;  // (sentences, heads, src_len, d_head)
};

class MultiHeadAttentionImpl : public torch::nn::Module {
 public:
  MultiHeadAttentionImpl(int64_t d_model, int64_t heads, double dropout);

  // Full attention of `query` over `memory` (self-attention when they are the same tensor).
  // mask: additive, broadcastable to (B, heads, Tq, Tk); undefined for none.
  at::Tensor forward(const at::Tensor& query, const at::Tensor& memory, const at::Tensor& mask);
  // Inference self-attention of a batch's real tokens x (n, d), rows as in `tokens`; mask (B, 1, 1, T)
  // marks the padding. Keys, values and queries are padded out only for the attention itself.
  at::Tensor forward_tokens(const at::Tensor& x, const RealTokens& tokens, const at::Tensor& mask);
  // One decoding step of self-attention: x (N, 1, d) is appended to the cache, then attends to it;
  // origin (N, positions so far) int32: the cache slot of each row's positions.
  at::Tensor forward_step(const at::Tensor& x, KVCache& cache, const at::Tensor& origin);
  // One decoding step of cross-attention over keys/values projected once by project_memory();
  // the rows are sentences x beam, mask (sentences, 1, 1, src_len).
  at::Tensor forward_static(const at::Tensor& x, const StaticKV& kv, const at::Tensor& mask);
  StaticKV project_memory(const at::Tensor& memory);

 private:
  at::Tensor split_heads(const at::Tensor& x) const;  // (B, T, d) -> (B, heads, T, d_head)
  at::Tensor attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask);
  at::Tensor query_step(const at::Tensor& x) { return q_proj(x).view({x.size(0), heads_, d_head_}); }
  at::Tensor output_step(const at::Tensor& heads) { return out_proj(heads.view({heads.size(0), 1, -1})); }

  int64_t heads_, d_head_;
  double dropout_;
  Linear q_proj{nullptr}, kv_proj{nullptr}, out_proj{nullptr};
};
TORCH_MODULE(MultiHeadAttention);

}  // namespace mt
