#include "model/package/model_package.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

namespace mt {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read '" + path.string() + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  if (!out.flush()) throw std::runtime_error("cannot write '" + path.string() + "'");
}

// The first line of a c10::Error, without its C++ stack trace.
std::string first_line(const std::string& message) { return message.substr(0, message.find('\n')); }

}  // namespace

std::string config_to_json(const ModelConfig& c) {
  json j = json::object();
  for (const auto& f : model_config_fields()) std::visit([&](auto member) { j[f.name] = c.*member; }, f.member);
  return j.dump(2);
}

ModelConfig config_from_json(const std::string& text) {
  json j = json::parse(text);
  ModelConfig c;
  for (const auto& f : model_config_fields())
    std::visit(
        [&](auto member) {
          using T = std::decay_t<decltype(c.*member)>;
          c.*member = f.required ? j.at(f.name).get<T>() : j.value(f.name, c.*member);
        },
        f.member);
  if (c.vocab_size < 6 || c.d_model <= 0 || c.heads <= 0 || c.d_model % c.heads != 0 || c.ffn <= 0 ||
      c.enc_layers <= 0 || c.dec_layers <= 0 || c.max_positions <= 0)
    throw std::runtime_error("invalid network configuration");
  return c;
}

void write_weights(torch::nn::Module& module, torch::serialize::OutputArchive& archive) {
  for (const auto& p : module.named_parameters()) archive.write(p.key(), p.value());
  for (const auto& b : module.named_buffers()) archive.write(b.key(), b.value(), /*is_buffer=*/true);
}

void write_weights(torch::nn::Module& module, const std::string& path) {
  torch::serialize::OutputArchive archive;
  write_weights(module, archive);
  archive.save_to(path);
}

void read_weights(torch::nn::Module& module, torch::serialize::InputArchive& archive, const std::string& path) {
  at::NoGradGuard no_grad;
  auto restore = [&](const std::string& name, at::Tensor& target, bool is_buffer) {
    at::Tensor value;
    bool found = false;
    try {
      found = archive.try_read(name, value, is_buffer);
    } catch (const c10::Error& e) {
      throw std::runtime_error("cannot read weights '" + path + "': " + first_line(e.what()));
    }
    if (!found) throw std::runtime_error("weights '" + path + "' lack '" + name + "': not made for this configuration");
    if (value.sizes() != target.sizes())
      throw std::runtime_error("weights '" + path + "': '" + name + "' has the wrong shape for this configuration");
    target.copy_(value);
  };
  for (auto& p : module.named_parameters()) restore(p.key(), p.value(), false);
  for (auto& b : module.named_buffers()) restore(b.key(), b.value(), true);
}

void read_weights(torch::nn::Module& module, const std::string& path) {
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
  } catch (const c10::Error& e) {
    throw std::runtime_error("cannot read weights '" + path + "': corrupt, truncated or not an mt file");
  }
  read_weights(module, archive, path);
}

ModelPackage load_model(const std::string& folder, c10::Device device) {
  const fs::path dir(folder);
  if (!fs::is_directory(dir)) throw std::runtime_error("model '" + folder + "' not found (expected a model folder)");
  const fs::path meta = dir / "model.json";
  if (!fs::exists(meta)) throw std::runtime_error("'" + folder + "' is not an mt model: model.json is missing");
  json j;
  try {
    j = json::parse(read_file(meta));
  } catch (const json::exception&) {
    throw std::runtime_error("'" + meta.string() + "' is corrupt (not JSON)");
  }
  if (j.value("format", "") != "mt-model") throw std::runtime_error("'" + folder + "' is not an mt model");
  const int version = j.value("version", 0);
  if (version < 1 || version > kModelFormatVersion)
    throw std::runtime_error("model '" + folder + "' has format version " + std::to_string(version) +
                             "; this mt reads version " + std::to_string(kModelFormatVersion));
  ModelPackage package{ModelConfig{}, nullptr, Tokenizer::load((dir / "tokenizer.model").string()), {}};
  try {
    package.config = config_from_json(j.at("config").dump());
  } catch (const std::exception& e) {
    throw std::runtime_error("model '" + folder + "': bad config in model.json: " + first_line(e.what()));
  }
  if (package.tokenizer.vocab_size() != package.config.vocab_size)
    throw std::runtime_error("model '" + folder + "': tokenizer has " + std::to_string(package.tokenizer.vocab_size()) +
                             " pieces but the network expects " + std::to_string(package.config.vocab_size));
  package.network = Transformer(package.config);
  read_weights(*package.network, (dir / "weights.pt").string());
  package.network->to(device);
  package.network->eval();
  if (fs::exists(dir / "aligner.bin")) package.aligner = WordAlignerFile((dir / "aligner.bin").string());
  return package;
}

void save_model(const std::string& folder, Transformer& network, const Tokenizer& tokenizer) {
  const fs::path target = fs::absolute(folder);
  const fs::path tmp = target.string() + ".tmp";
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  json meta = {{"format", "mt-model"}, {"version", kModelFormatVersion},
               {"config", json::parse(config_to_json(network->config()))},
               {"special_ids", {{"pad", SpecialIds::pad}, {"bos", SpecialIds::bos}, {"eos", SpecialIds::eos},
                                {"unk", SpecialIds::unk}, {"<2zh>", SpecialIds::to_zh}, {"<2en>", SpecialIds::to_en}}}};
  write_file(tmp / "model.json", meta.dump(2) + "\n");
  write_file(tmp / "tokenizer.model", tokenizer.bytes());
  write_weights(*network, (tmp / "weights.pt").string());
  if (fs::exists(target / "aligner.bin")) fs::copy_file(target / "aligner.bin", tmp / "aligner.bin");
  // Swap the finished folder into place; the old one is removed only once the new one is there.
  const fs::path old = target.string() + ".old";
  fs::remove_all(old);
  if (fs::exists(target)) fs::rename(target, old);
  fs::rename(tmp, target);
  fs::remove_all(old);
}

std::string default_model_folder() {
  if (const char* env = std::getenv("MT_MODEL"); env && *env) return env;
  return std::string(MT_SOURCE_DIR) + "/models/en-zh";
}

}  // namespace mt
