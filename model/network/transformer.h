// The 2017 encoder-decoder Transformer. The network knows nothing of search: it exposes encode(),
// a teacher-forced forward() for training, and decode_step() over a DecoderState that search code
// reorders as beams move.
#pragma once
#include <vector>

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>

#include "model/kernels/compute_type.h"
#include "model/network/layers.h"

namespace mt {

struct EncoderOutput {
  at::Tensor memory;    // (B, S, d)
  at::Tensor src_mask;  // (B, 1, 1, S) additive: 0 for tokens, -inf for padding
};

// Everything the decoder carries from one step to the next, for N = sentences x beam rows.
struct DecoderState {
  std::vector<DecoderLayerState> layers;
  at::Tensor src_mask;  // (sentences, 1, 1, S): the beams of a sentence share its encoder side
  // The beam history, one table for every layer's cache: row n's position t is in slot origin[n, t].
  at::Tensor origin;    // (N, capacity) int32
  int64_t position = 0;
  // Beams moved within their sentences: row i continues old row rows[i] (only the origin table moves).
  void reorder(const at::Tensor& rows);
  // A step of `rows` rows begins at `position`: each row's new position is in its own slot.
  void open_position(int64_t rows);
  // Finished sentences removed: the caches keep `rows`, the encoder side keeps `sentences`.
  void select(const at::Tensor& rows, const at::Tensor& sentences);
};

class TransformerImpl : public torch::nn::Module {
 public:
  explicit TransformerImpl(const ModelConfig& config);

  EncoderOutput encode(const at::Tensor& src);  // src (B, S) token ids, PAD-padded
  // Teacher forcing: logits (B, T, V) for every target position, in the autocast dtype.
  at::Tensor decode(const at::Tensor& tgt_in, const EncoderOutput& enc);
  at::Tensor forward(const at::Tensor& src, const at::Tensor& tgt_in) { return decode(tgt_in, encode(src)); }

  // Incremental decoding of the sentences of `enc`, each by the same number of rows at a step (its
  // beam, or 1 before the beams fan out): rows b*width .. b*width+width-1 belong to sentence b;
  // DecoderState::reorder changes the rows between steps.
  DecoderState start_decoding(const EncoderOutput& enc);
  // last_tokens (N) at state.position -> logits (N, V) in the compute dtype; advances the state.
  at::Tensor decode_step_logits(const at::Tensor& last_tokens, DecoderState& state);
  // The same as float log-probabilities.
  at::Tensor decode_step(const at::Tensor& last_tokens, DecoderState& state) {
    return at::log_softmax(decode_step_logits(last_tokens, state).to(at::kFloat), -1);
  }

  const ModelConfig& config() const { return config_; }
  // For inference only: training keeps fp32 master weights.
  void set_compute_type(ComputeType type);
  ComputeType compute_type() const { return compute_type_; }

 private:
  at::Tensor embed(const at::Tensor& tokens, int64_t offset);
  at::Tensor project_output(const at::Tensor& x);  // tied with the embedding matrix

  ModelConfig config_;
  ComputeType compute_type_ = ComputeType::Float32;
  torch::nn::Embedding embedding{nullptr};
  at::Tensor positions;  // sinusoidal, (max_positions, d)
  torch::nn::ModuleList encoder{nullptr}, decoder{nullptr};
  LayerNorm encoder_norm{nullptr}, decoder_norm{nullptr};  // pre-norm only
  Dropout dropout{nullptr};
  Linear output_projection{nullptr};  // tied with the embedding matrix
};
TORCH_MODULE(Transformer);

at::Tensor padding_mask(const at::Tensor& tokens);    // (B, 1, 1, S) additive, from PAD ids
at::Tensor causal_mask(int64_t length, const at::TensorOptions& options);  // (T, T) additive

}  // namespace mt
