#include "model/network/attention.h"

#include <cmath>

#include "model/network/single_query_attention.h"

namespace mt {

void KVCache::append(const at::Tensor& k_step, const at::Tensor& v_step) {
  if (!k.defined() || length == k.size(2)) {
    const int64_t capacity = k.defined() ? 2 * k.size(2) : 16;
    auto grow = [&](const at::Tensor& old, const at::Tensor& step) {
      auto fresh = at::empty({step.size(0), step.size(1), capacity, step.size(2)}, step.options());
      if (old.defined()) fresh.narrow(2, 0, length).copy_(old.narrow(2, 0, length));
      return fresh;
    };
    k = grow(k, k_step);
    v = grow(v, v_step);
    k_spare = v_spare = at::Tensor();
  }
  k.select(2, length).copy_(k_step);
  v.select(2, length).copy_(v_step);
  ++length;
}

void KVCache::index_select(const at::Tensor& rows) {
  if (!k.defined()) return;
  auto reorder = [&](at::Tensor& buffer, at::Tensor& spare) {
    if (!spare.defined() || spare.size(2) != buffer.size(2) || spare.size(0) != rows.size(0))
      spare = at::empty({rows.size(0), buffer.size(1), buffer.size(2), buffer.size(3)}, buffer.options());
    auto filled = spare.narrow(2, 0, length);  // only the positions decoded so far are copied
    at::index_select_out(filled, buffer.narrow(2, 0, length), 0, rows);
    std::swap(buffer, spare);
  };
  reorder(k, k_spare);
  reorder(v, v_spare);
}

MultiHeadAttentionImpl::MultiHeadAttentionImpl(int64_t d_model, int64_t heads, double dropout)
    : heads_(heads), d_head_(d_model / heads), dropout_(dropout) {
  TORCH_CHECK(d_model % heads == 0, "d_model must be divisible by heads");
  q_proj = register_module("q_proj", Linear(d_model, d_model));
  kv_proj = register_module("kv_proj", Linear(d_model, 2 * d_model));  // fused K and V
  out_proj = register_module("out_proj", Linear(d_model, d_model));
}

at::Tensor MultiHeadAttentionImpl::split_heads(const at::Tensor& x) const {
  return x.view({x.size(0), x.size(1), heads_, d_head_}).transpose(1, 2);
}

at::Tensor MultiHeadAttentionImpl::attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                          const at::Tensor& mask) {
  auto scores = at::matmul(q, k.transpose(-2, -1)).mul_(1.0 / std::sqrt(double(d_head_)));
  if (mask.defined()) scores = scores + mask;
  auto probs = at::softmax(scores, -1);
  if (dropout_ > 0 && is_training()) probs = at::dropout(probs, dropout_, true);
  auto out = at::matmul(probs.to(v.scalar_type()), v);  // (B, heads, Tq, d_head)
  int64_t B = out.size(0), T = out.size(2);
  return out_proj(out.transpose(1, 2).reshape({B, T, heads_ * d_head_}));
}

at::Tensor MultiHeadAttentionImpl::attend_step(const at::Tensor& x, const at::Tensor& k, const at::Tensor& v,
                                               const at::Tensor& mask) {
  const int64_t N = x.size(0);
  auto q = q_proj(x).view({N, heads_, d_head_});
  auto out = single_query_attention(q, k, v, mask, 1.0 / std::sqrt(double(d_head_)));
  return out_proj(out.view({N, 1, heads_ * d_head_}));
}

at::Tensor MultiHeadAttentionImpl::forward(const at::Tensor& query, const at::Tensor& memory,
                                           const at::Tensor& mask) {
  auto kv = kv_proj(memory).chunk(2, -1);
  return attend(split_heads(q_proj(query)), split_heads(kv[0]), split_heads(kv[1]), mask);
}

at::Tensor MultiHeadAttentionImpl::forward_step(const at::Tensor& x, KVCache& cache) {
  auto kv = kv_proj(x).view({x.size(0), 2, heads_, d_head_});
  cache.append(kv.select(1, 0), kv.select(1, 1));
  return attend_step(x, cache.keys(), cache.values(), at::Tensor());
}

at::Tensor MultiHeadAttentionImpl::forward_static(const at::Tensor& x, const StaticKV& kv, const at::Tensor& mask) {
  return attend_step(x, kv.k, kv.v, mask);
}

StaticKV MultiHeadAttentionImpl::project_memory(const at::Tensor& memory) {
  auto kv = kv_proj(memory).chunk(2, -1);
  return {split_heads(kv[0]).contiguous(), split_heads(kv[1]).contiguous()};
}

}  // namespace mt
