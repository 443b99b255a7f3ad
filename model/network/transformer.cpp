#include "model/network/transformer.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <torch/nn/init.h>

#include "model/network/inference.h"
#include "tokenizer/vocabulary.h"

namespace mt {

namespace {
at::Tensor sinusoidal_positions(int64_t n, int64_t d) {
  auto pos = at::arange(n, at::kFloat).unsqueeze(1);
  auto inv = at::exp(at::arange(0, d, 2, at::kFloat) * (-std::log(10000.0) / double(d)));
  auto pe = at::zeros({n, d});
  pe.slice(1, 0, d, 2).copy_(at::sin(pos * inv));
  pe.slice(1, 1, d, 2).copy_(at::cos(pos * inv));
  return pe;
}
constexpr float kNegInf = -std::numeric_limits<float>::infinity();
}  // namespace

at::Tensor padding_mask(const at::Tensor& tokens) {
  auto mask = at::zeros(tokens.sizes(), tokens.options().dtype(at::kFloat));
  return mask.masked_fill_(tokens.eq(SpecialIds::pad), kNegInf).view({tokens.size(0), 1, 1, tokens.size(1)});
}

at::Tensor causal_mask(int64_t length, const at::TensorOptions& options) {
  return at::full({length, length}, kNegInf, options.dtype(at::kFloat)).triu_(1);
}

void DecoderState::reorder(const at::Tensor& rows) {
  if (origin.defined()) origin = origin.index_select(0, rows);
}

void DecoderState::open_position(int64_t rows) {
  TORCH_CHECK(!origin.defined() || origin.size(0) == rows, "decoding step of ", rows, " rows, the beam table has ",
              origin.size(0));
  if (!origin.defined() || position == origin.size(1)) {  // grow by doubling
    auto table = at::empty({rows, origin.defined() ? 2 * position : 16}, src_mask.options().dtype(at::kInt));
    if (origin.defined()) table.narrow(1, 0, position).copy_(origin.narrow(1, 0, position));
    origin = table;
  }
  origin.select(1, position).copy_(at::arange(rows, origin.options()));
}

void DecoderState::select(const at::Tensor& rows, const at::Tensor& sentences) {
  reorder(rows);
  for (auto& layer : layers) {
    layer.cross.k = layer.cross.k.index_select(0, sentences);
    layer.cross.v = layer.cross.v.index_select(0, sentences);
  }
  src_mask = src_mask.index_select(0, sentences);
}

TransformerImpl::TransformerImpl(const ModelConfig& config) : config_(config) {
  const int64_t d = config.d_model;
  embedding = register_module("embedding", torch::nn::Embedding(config.vocab_size, d));
  positions = register_buffer("positions", sinusoidal_positions(config.max_positions, d));
  encoder = register_module("encoder", torch::nn::ModuleList());
  decoder = register_module("decoder", torch::nn::ModuleList());
  for (int64_t i = 0; i < config.enc_layers; ++i) encoder->push_back(EncoderLayer(config));
  for (int64_t i = 0; i < config.dec_layers; ++i) decoder->push_back(DecoderLayer(config));
  if (config.pre_norm) {
    encoder_norm = register_module("encoder_norm", LayerNorm(d));
    decoder_norm = register_module("decoder_norm", LayerNorm(d));
  }
  dropout = register_module("dropout", Dropout(config.dropout));
  // Holds no parameter of its own: the weight is the embedding's, saved once under its name.
  output_projection = register_module("output_projection", Linear(embedding->weight));

  // fairseq's initialisation: Xavier for projections, N(0, d^-1/2) for the shared embedding.
  at::NoGradGuard no_grad;
  for (auto& p : named_parameters()) {
    if (p.key() == "embedding.weight") {
      torch::nn::init::normal_(p.value(), 0.0, std::pow(double(d), -0.5));
      p.value()[SpecialIds::pad].zero_();
    } else if (p.value().dim() == 2) {
      torch::nn::init::xavier_uniform_(p.value());
    } else if (p.key().find("bias") != std::string::npos && p.key().find("norm") == std::string::npos) {
      p.value().zero_();
    }
  }
}

at::Tensor TransformerImpl::embed(const at::Tensor& tokens, int64_t offset) {
  TORCH_CHECK(offset + tokens.size(1) <= config_.max_positions, "sequence longer than the model's ",
              config_.max_positions, " positions");
  auto x = embedding(tokens) * std::sqrt(double(config_.d_model)) + positions.narrow(0, offset, tokens.size(1));
  return dropout(x);
}

at::Tensor TransformerImpl::project_output(const at::Tensor& x) {
  return output_projection(config_.pre_norm ? decoder_norm(x) : x);
}

void TransformerImpl::set_compute_type(ComputeType type) {
  TORCH_CHECK(type != ComputeType::Auto, "set_compute_type: resolve_compute_type picks what auto means");
  TORCH_CHECK(type != ComputeType::Int8 || parameters().front().device().is_cpu(), "int8 compute runs on the CPU only");
  if (type == ComputeType::BFloat16) to(at::kBFloat16);
  compute_type_ = type;
  output_projection->weight = embedding->weight;  // the same tensor, now in the compute dtype
  for (auto& module : modules(/*include_self=*/false))  // the output projection among them
    if (auto* linear = module->as<LinearImpl>()) linear->set_compute_type(type);
}

EncoderOutput TransformerImpl::encode(const at::Tensor& src) {
  auto mask = padding_mask(src);
  auto x = embed(src, 0);
  if (running_inference(*this)) {  // the padding skipped; pads of the memory are 0, and masked
    const auto tokens = RealTokens::of(src, SpecialIds::pad);
    if (!tokens.all()) {
      x = tokens.gather(x);
      for (const auto& layer : *encoder) x = layer->as<EncoderLayer>()->forward_tokens(x, tokens, mask);
      if (config_.pre_norm) x = encoder_norm(x);
      return {tokens.scatter(x), mask};
    }
  }
  for (const auto& layer : *encoder) x = layer->as<EncoderLayer>()->forward(x, mask);
  if (config_.pre_norm) x = encoder_norm(x);
  return {x, mask};
}

at::Tensor TransformerImpl::decode(const at::Tensor& tgt_in, const EncoderOutput& enc) {
  auto causal = causal_mask(tgt_in.size(1), tgt_in.options());
  auto x = embed(tgt_in, 0);
  for (const auto& layer : *decoder) x = layer->as<DecoderLayer>()->forward(x, enc.memory, enc.src_mask, causal);
  return project_output(x);
}

DecoderState TransformerImpl::start_decoding(const EncoderOutput& enc) {
  DecoderState state;
  // Cross-attention keys/values once per sentence: its beams read the same ones.
  for (const auto& layer : *decoder) state.layers.push_back({KVCache{}, layer->as<DecoderLayer>()->project_memory(enc.memory)});
  state.src_mask = enc.src_mask;
  return state;
}

at::Tensor TransformerImpl::decode_step_logits(const at::Tensor& last_tokens, DecoderState& state) {
  auto x = embed(last_tokens.view({-1, 1}), state.position);
  state.open_position(x.size(0));
  const auto origin = state.origin.narrow(1, 0, state.position + 1);
  size_t i = 0;
  for (const auto& layer : *decoder) x = layer->as<DecoderLayer>()->step(x, state.layers[i++], origin, state.src_mask);
  ++state.position;
  return project_output(x.squeeze(1));
}

}  // namespace mt
