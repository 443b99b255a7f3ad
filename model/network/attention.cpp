#include "model/network/attention.h"
#include "model/network/dropout.h"

#include <ATen/autocast_mode.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>

#include "model/network/inference.h"
#include "model/kernels/head_matmul.h"
#include "model/kernels/single_query_attention.h"

namespace mt {

namespace {
double attention_scale(int64_t d_head) { return 1.0 / std::sqrt(double(d_head)); }  // scores are q.k / sqrt(d_head)

// alpha * a b over the heads, differentiable, every product (the backward's too) one BLAS call
// per head on the threads. out_heads_inside: the result's memory is (B, M, H, N), see head_matmul.
struct HeadProduct : torch::autograd::Function<HeadProduct> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& a, const at::Tensor& b,
                            double alpha, bool out_heads_inside) {
    ctx->save_for_backward({a, b});
    ctx->saved_data["alpha"] = alpha;
    return head_matmul(a, b, alpha, out_heads_inside);
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto &a = saved[0], &b = saved[1], &grad = grads[0];
    const double alpha = ctx->saved_data["alpha"].toDouble();
    // d(a b)/da = grad b^T, d(a b)/db = a^T grad: transposed views, read in place.
    return {head_matmul(grad, b.transpose(2, 3), alpha), head_matmul(a.transpose(2, 3), grad, alpha), at::Tensor(),
            at::Tensor()};
  }
};
}  // namespace

void KVCache::append(const at::Tensor& k_step, const at::Tensor& v_step) {
  const int64_t rows = k_step.size(0);
  if (!k.defined() || length == k.size(0) || rows > k.size(1)) {  // grow: more steps, or more rows (the beam opens)
    const int64_t capacity = !k.defined() ? 16 : length == k.size(0) ? 2 * length : k.size(0);
    const int64_t slots = k.defined() ? std::max(rows, k.size(1)) : rows;
    auto grow = [&](const at::Tensor& old, const at::Tensor& step) {
      auto fresh = at::empty({capacity, slots, step.size(1), step.size(2)}, step.options());
      if (old.defined()) fresh.narrow(0, 0, length).narrow(1, 0, old.size(1)).copy_(old.narrow(0, 0, length));
      return fresh;
    };
    k = grow(k, k_step);
    v = grow(v, v_step);
  }
  k[length].narrow(0, 0, rows).copy_(k_step);
  v[length].narrow(0, 0, rows).copy_(v_step);
  ++length;
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
  const auto keys = k.transpose(-2, -1);
  // fp32 on the CPU takes the per-head BLAS products; bf16 (under autocast) LibTorch's, which
  // oneDNN runs as batched products already.
  const bool blas = !at::autocast::is_cpu_enabled() && head_matmul_applies(q, keys) && head_matmul_applies(q, v);
  auto scores = blas ? HeadProduct::apply(q, keys, attention_scale(d_head_), false)
                     : at::matmul(q, keys).mul_(attention_scale(d_head_));
  if (mask.defined()) scores = scores + mask;
  auto probs = at::softmax(scores, -1);
  probs = hashed_dropout(probs, dropout_, is_training());
  // (B, heads, Tq, d_head); the per-head products write it as (B, Tq, heads, d_head) already
  auto out = blas ? HeadProduct::apply(probs, v, 1.0, true) : at::matmul(probs.to(v.scalar_type()), v);
  int64_t B = out.size(0), T = out.size(2);
  return out_proj(out.transpose(1, 2).reshape({B, T, heads_ * d_head_}));
}

at::Tensor MultiHeadAttentionImpl::forward(const at::Tensor& query, const at::Tensor& memory,
                                           const at::Tensor& mask) {
  auto kv = kv_proj(memory).chunk(2, -1);
  auto k = split_heads(kv[0]), v = split_heads(kv[1]);
  // Inference under no mask or a key-padding one (the encoder, scoring): every query row goes
  // through the one-pass kernel of the decoding steps instead of LibTorch's per-(row, head) products.
  const bool padding_only = !mask.defined() || (mask.dim() == 4 && mask.size(1) == 1 && mask.size(2) == 1);
  if (padding_only && running_inference(*this)) {
    const int64_t B = query.size(0), T = query.size(1);
    auto q = q_proj(query).view({B * T, heads_, d_head_});
    auto out = single_query_attention(q, k, v, mask, attention_scale(d_head_));
    return out_proj(out.view({B, T, heads_ * d_head_}));
  }
  return attend(split_heads(q_proj(query)), k, v, mask);
}

at::Tensor MultiHeadAttentionImpl::forward_tokens(const at::Tensor& x, const RealTokens& tokens, const at::Tensor& mask) {
  auto kv = tokens.scatter(kv_proj(x)).chunk(2, -1);
  auto q = tokens.scatter(q_proj(x)).view({tokens.batch * tokens.length, heads_, d_head_});
  auto out = single_query_attention(q, split_heads(kv[0]), split_heads(kv[1]), mask, attention_scale(d_head_));
  return out_proj(tokens.gather(out));
}

at::Tensor MultiHeadAttentionImpl::forward_step(const at::Tensor& x, KVCache& cache, const at::Tensor& origin) {
  auto kv = kv_proj(x).view({x.size(0), 2, heads_, d_head_});
  cache.append(kv.select(1, 0), kv.select(1, 1));
  return output_step(
      cached_attention(query_step(x), cache.keys(), cache.values(), origin, attention_scale(d_head_)));
}

at::Tensor MultiHeadAttentionImpl::forward_static(const at::Tensor& x, const StaticKV& kv, const at::Tensor& mask) {
  return output_step(single_query_attention(query_step(x), kv.k, kv.v, mask, attention_scale(d_head_)));
}

StaticKV MultiHeadAttentionImpl::project_memory(const at::Tensor& memory) {
  auto kv = kv_proj(memory).chunk(2, -1);
  return {split_heads(kv[0]).contiguous(), split_heads(kv[1]).contiguous()};
}

}  // namespace mt
