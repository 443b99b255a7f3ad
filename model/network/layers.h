// Encoder and decoder layers: attention and a position-wise feed-forward network, each wrapped in
// a residual connection with LayerNorm (pre-norm by default, the paper's post-norm as an option).
#pragma once

#include "model/network/attention.h"
#include "model/network/dropout.h"
#include "model/network/layer_norm.h"
#include "model/network/config.h"

namespace mt {

class FeedForwardImpl : public torch::nn::Module {
 public:
  FeedForwardImpl(int64_t d_model, int64_t ffn, double dropout);
  at::Tensor forward(const at::Tensor& x);

 private:
  double dropout_;
  Linear up{nullptr}, down{nullptr};
};
TORCH_MODULE(FeedForward);

// x + sublayer(norm(x)) when pre-norm, norm(x + sublayer(x)) when post-norm.
class ResidualImpl : public torch::nn::Module {
 public:
  ResidualImpl(int64_t d_model, double dropout, bool pre_norm);
  template <typename Sublayer>
  at::Tensor forward(const at::Tensor& x, Sublayer&& sublayer) {
    if (pre_norm_) return x + dropout(sublayer(norm(x)));
    return norm(x + dropout(sublayer(x)));
  }

 private:
  bool pre_norm_;
  LayerNorm norm{nullptr};
  Dropout dropout{nullptr};
};
TORCH_MODULE(Residual);

class EncoderLayerImpl : public torch::nn::Module {
 public:
  explicit EncoderLayerImpl(const ModelConfig& c);
  at::Tensor forward(const at::Tensor& x, const at::Tensor& src_mask);
  // Inference on the real tokens only: x (n, d), rows as in `tokens`.
  at::Tensor forward_tokens(const at::Tensor& x, const RealTokens& tokens, const at::Tensor& src_mask);

 private:
  MultiHeadAttention self_attn{nullptr};
  FeedForward ffn{nullptr};
  Residual attn_block{nullptr}, ffn_block{nullptr};
};
TORCH_MODULE(EncoderLayer);

// What one decoder layer keeps between decoding steps.
struct DecoderLayerState {
  KVCache self;    // grows by one position per step
  StaticKV cross;  // the encoder output, projected once
};

class DecoderLayerImpl : public torch::nn::Module {
 public:
  explicit DecoderLayerImpl(const ModelConfig& c);
  // Teacher forcing over the whole target (training, scoring).
  at::Tensor forward(const at::Tensor& x, const at::Tensor& memory, const at::Tensor& src_mask,
                     const at::Tensor& causal_mask);
  // One incremental step: x is (N, 1, d); origin as for MultiHeadAttention::forward_step.
  at::Tensor step(const at::Tensor& x, DecoderLayerState& state, const at::Tensor& origin, const at::Tensor& src_mask);
  StaticKV project_memory(const at::Tensor& memory) { return cross_attn->project_memory(memory); }

 private:
  MultiHeadAttention self_attn{nullptr}, cross_attn{nullptr};
  FeedForward ffn{nullptr};
  Residual self_block{nullptr}, cross_block{nullptr}, ffn_block{nullptr};
};
TORCH_MODULE(DecoderLayer);

}  // namespace mt
