// Hyper-parameters of the Transformer; saved in every model folder and checkpoint.
#pragma once
#include <cstdint>

namespace mt {

struct ModelConfig {
  int64_t vocab_size = 8000;  // joint English+Chinese SentencePiece vocabulary
  int64_t d_model = 256;
  int64_t heads = 4;
  int64_t ffn = 1024;
  int64_t enc_layers = 3;
  int64_t dec_layers = 3;
  double dropout = 0.1;
  double attention_dropout = 0.0;
  int64_t max_positions = 512;
  bool pre_norm = true;  // pre-LayerNorm (stable without long warm-up); false = the paper's post-norm
};

}  // namespace mt
