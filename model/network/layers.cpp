#include "model/network/layers.h"

namespace mt {

FeedForwardImpl::FeedForwardImpl(int64_t d_model, int64_t ffn, double dropout) : dropout_(dropout) {
  up = register_module("up", Linear(d_model, ffn));
  down = register_module("down", Linear(ffn, d_model));
}

at::Tensor FeedForwardImpl::forward(const at::Tensor& x) {
  // Training: ReLU and dropout in one pass, whose backward needs only the output.
  return down(is_training() ? relu_dropout(up(x), dropout_) : up->forward_relu(x));
}

ResidualImpl::ResidualImpl(int64_t d_model, double dropout, bool pre_norm) : pre_norm_(pre_norm) {
  norm = register_module("norm", LayerNorm(d_model));
  this->dropout = register_module("dropout", Dropout(dropout));
}

EncoderLayerImpl::EncoderLayerImpl(const ModelConfig& c) {
  self_attn = register_module("self_attn", MultiHeadAttention(c.d_model, c.heads, c.attention_dropout));
  ffn = register_module("ffn", FeedForward(c.d_model, c.ffn, c.dropout));
  attn_block = register_module("attn_block", Residual(c.d_model, c.dropout, c.pre_norm));
  ffn_block = register_module("ffn_block", Residual(c.d_model, c.dropout, c.pre_norm));
}

at::Tensor EncoderLayerImpl::forward(const at::Tensor& x, const at::Tensor& src_mask) {
  auto h = attn_block->forward(x, [&](const at::Tensor& y) { return self_attn(y, y, src_mask); });
  return ffn_block->forward(h, [&](const at::Tensor& y) { return ffn(y); });
}

at::Tensor EncoderLayerImpl::forward_tokens(const at::Tensor& x, const RealTokens& tokens, const at::Tensor& src_mask) {
  auto h = attn_block->forward(x, [&](const at::Tensor& y) { return self_attn->forward_tokens(y, tokens, src_mask); });
  return ffn_block->forward(h, [&](const at::Tensor& y) { return ffn(y); });
}

DecoderLayerImpl::DecoderLayerImpl(const ModelConfig& c) {
  self_attn = register_module("self_attn", MultiHeadAttention(c.d_model, c.heads, c.attention_dropout));
  cross_attn = register_module("cross_attn", MultiHeadAttention(c.d_model, c.heads, c.attention_dropout));
  ffn = register_module("ffn", FeedForward(c.d_model, c.ffn, c.dropout));
  self_block = register_module("self_block", Residual(c.d_model, c.dropout, c.pre_norm));
  cross_block = register_module("cross_block", Residual(c.d_model, c.dropout, c.pre_norm));
  ffn_block = register_module("ffn_block", Residual(c.d_model, c.dropout, c.pre_norm));
}

at::Tensor DecoderLayerImpl::forward(const at::Tensor& x, const at::Tensor& memory, const at::Tensor& src_mask,
                                     const at::Tensor& causal_mask) {
  auto h = self_block->forward(x, [&](const at::Tensor& y) { return self_attn(y, y, causal_mask); });
  h = cross_block->forward(h, [&](const at::Tensor& y) { return cross_attn(y, memory, src_mask); });
  return ffn_block->forward(h, [&](const at::Tensor& y) { return ffn(y); });
}

at::Tensor DecoderLayerImpl::step(const at::Tensor& x, DecoderLayerState& state, const at::Tensor& origin,
                                  const at::Tensor& src_mask) {
  auto h = self_block->forward(x, [&](const at::Tensor& y) { return self_attn->forward_step(y, state.self, origin); });
  h = cross_block->forward(h, [&](const at::Tensor& y) { return cross_attn->forward_static(y, state.cross, src_mask); });
  return ffn_block->forward(h, [&](const at::Tensor& y) { return ffn(y); });
}

}  // namespace mt
