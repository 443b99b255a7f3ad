// Hyper-parameters of the Transformer; saved in every model folder and checkpoint.
#pragma once
#include <cstdint>
#include <variant>
#include <vector>

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

// Every field by name, in one table for a model folder's JSON, a training config's YAML (under
// `model.`) and mt bench's flags alike, so a new field cannot be forgotten in one of them.
struct ModelConfigField {
  const char* name;  // JSON and YAML key
  const char* flag;  // mt bench option, as ref_transformer.py names it (nullptr: none)
  bool required;     // must be in a model folder's model.json
  const char* help;  // the flag's --help line
  std::variant<int64_t ModelConfig::*, double ModelConfig::*, bool ModelConfig::*> member;
};

inline const std::vector<ModelConfigField>& model_config_fields() {
  static const std::vector<ModelConfigField> fields = {
      {"vocab_size", "--vocab", true, "Vocabulary size (source and target share it)", &ModelConfig::vocab_size},
      {"d_model", "--d-model", true, "Width of every layer", &ModelConfig::d_model},
      {"heads", "--heads", true, "Attention heads per layer", &ModelConfig::heads},
      {"ffn", "--ffn", true, "Width of the feed-forward blocks", &ModelConfig::ffn},
      {"enc_layers", "--enc-layers", true, "Encoder layers", &ModelConfig::enc_layers},
      {"dec_layers", "--dec-layers", true, "Decoder layers", &ModelConfig::dec_layers},
      {"dropout", "--dropout", false, "Dropout rate while training", &ModelConfig::dropout},
      {"attention_dropout", nullptr, false, nullptr, &ModelConfig::attention_dropout},
      {"max_positions", nullptr, false, nullptr, &ModelConfig::max_positions},
      {"pre_norm", nullptr, false, nullptr, &ModelConfig::pre_norm},
  };
  return fields;
}

}  // namespace mt
