// A model on disk is one folder: model.json (format version + network config), weights.pt
// (the parameters, by name), tokenizer.model (SentencePiece), and optionally aligner.bin (the word
// aligner that places markup, model/align). `-m FOLDER` is all a user passes.
#pragma once
#include <string>

#include <c10/core/Device.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "model/align/word_aligner.h"
#include "model/network/transformer.h"
#include "tokenizer/tokenizer.h"

namespace mt {

constexpr int kModelFormatVersion = 1;

struct ModelPackage {
  ModelConfig config;
  Transformer network{nullptr};
  Tokenizer tokenizer;
  WordAlignerFile aligner;  // aligner.bin, read on first use; empty when the folder has none
};

// Throws std::runtime_error with a one-line message on a missing, foreign, corrupt or truncated
// folder, a format version from the future, or weights whose shapes don't match the config.
ModelPackage load_model(const std::string& folder, c10::Device device = c10::Device(c10::kCPU));

// Writes into a temporary folder renamed into place: a failed save never leaves a half model. A
// model saved over another keeps its aligner (it knows words, not the tokenizer's pieces).
void save_model(const std::string& folder, Transformer& network, const Tokenizer& tokenizer);

// Parameters and buffers by name, for weights.pt and training checkpoints alike. Reading checks
// every name and shape against the module and fails with a one-line message.
void write_weights(torch::nn::Module& module, const std::string& path);
void read_weights(torch::nn::Module& module, const std::string& path);
void write_weights(torch::nn::Module& module, torch::serialize::OutputArchive& archive);
void read_weights(torch::nn::Module& module, torch::serialize::InputArchive& archive, const std::string& path);

// The shipped default model: $MT_MODEL if set, else models/en-zh in the source tree.
std::string default_model_folder();

std::string config_to_json(const ModelConfig& config);
ModelConfig config_from_json(const std::string& json_text);

}  // namespace mt
