#include "model/train/train_config.h"

#include <filesystem>
#include <functional>
#include <cctype>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include <yaml-cpp/yaml.h>

namespace mt {

namespace {

// One table of setters and getters keeps YAML reading, overrides and writing in step.
struct Field {
  std::function<void(TrainConfig&, const YAML::Node&)> set;
  std::function<YAML::Node(const TrainConfig&)> get;
};

template <typename T>
Field field(T TrainConfig::*member) {
  return {[member](TrainConfig& c, const YAML::Node& n) { c.*member = n.as<T>(); },
          [member](const TrainConfig& c) { return YAML::Node(c.*member); }};
}
Field model_field(const ModelConfigField& f) {
  return std::visit(
      [](auto member) {
        using T = std::decay_t<decltype(ModelConfig{}.*member)>;
        return Field{[member](TrainConfig& c, const YAML::Node& n) { c.model.*member = n.as<T>(); },
                     [member](const TrainConfig& c) { return YAML::Node(c.model.*member); }};
      },
      f.member);
}

// `train:` entries: a path, or a map with path and the DataSource options below.
std::vector<DataSource> read_sources(const YAML::Node& node) {
  static const std::set<std::string> keys = {"path", "weight", "strip_markup", "zh_spaces_to_commas", "direction", "tag"};
  std::vector<DataSource> sources;
  auto one = [&](const YAML::Node& n) {
    DataSource s;
    if (n.IsMap()) {
      for (const auto& kv : n) {
        const auto key = kv.first.as<std::string>();
        if (!keys.count(key))
          throw std::runtime_error("unknown key '" + key + "' in a train: entry (path, weight, strip_markup, "
                                   "zh_spaces_to_commas, direction, tag)");
      }
      if (!n["path"]) throw std::runtime_error("a train: entry needs a path");
      s.path = n["path"].as<std::string>();
      if (n["weight"]) s.weight = n["weight"].as<double>();
      if (n["strip_markup"]) s.strip_markup = n["strip_markup"].as<bool>();
      if (n["zh_spaces_to_commas"]) s.zh_spaces_to_commas = n["zh_spaces_to_commas"].as<bool>();
      if (n["direction"]) s.direction = parse_direction(n["direction"].as<std::string>());
      if (n["tag"]) s.tag = n["tag"].as<std::string>();
    } else {
      s.path = n.as<std::string>();
    }
    if (!(s.weight >= 0)) throw std::runtime_error("train: " + s.path + ": weight must be >= 0");
    for (char ch : s.tag)
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '-')
        throw std::runtime_error("train: " + s.path + ": tag '" + s.tag + "' may hold only letters, digits, _ and -");
    sources.push_back(s);
  };
  if (node.IsSequence()) for (const auto& n : node) one(n);
  else one(node);
  return sources;
}

YAML::Node write_sources(const std::vector<DataSource>& sources) {
  YAML::Node list(YAML::NodeType::Sequence);
  for (const auto& s : sources) {
    YAML::Node n;
    n["path"] = s.path;
    n["weight"] = s.weight;
    if (s.strip_markup) n["strip_markup"] = true;
    if (s.zh_spaces_to_commas) n["zh_spaces_to_commas"] = true;
    if (s.direction != Direction::both) n["direction"] = to_string(s.direction);
    if (!s.tag.empty()) n["tag"] = s.tag;
    list.push_back(n);
  }
  return list;
}

const std::vector<std::pair<std::string, Field>>& fields() {
  static const std::vector<std::pair<std::string, Field>> table = [] {
    std::vector<std::pair<std::string, Field>> t = {
      {"data", field(&TrainConfig::data)},
      {"train", {[](TrainConfig& c, const YAML::Node& n) { c.train = read_sources(n); },
                 [](const TrainConfig& c) { return write_sources(c.train); }}},
      {"dev", {[](TrainConfig& c, const YAML::Node& n) {
                 // One path, a list, or nothing (`--set dev=`, `dev: []`): no dev set.
                 if (n.IsSequence()) c.dev = n.as<std::vector<std::string>>();
                 else if (n.IsNull() || n.as<std::string>().empty()) c.dev.clear();
                 else c.dev = {n.as<std::string>()};
               },
               [](const TrainConfig& c) { return YAML::Node(c.dev); }}},
      {"tokenizer", field(&TrainConfig::tokenizer)},
      {"glossary", field(&TrainConfig::glossary)},
      {"glossary_max_words", field(&TrainConfig::glossary_max_words)},
      {"glossary_max_senses", field(&TrainConfig::glossary_max_senses)},
      {"init_from", field(&TrainConfig::init_from)},
      {"vocab_size", field(&TrainConfig::vocab_size)},
      {"output", field(&TrainConfig::output)},
      {"max_tokens", field(&TrainConfig::max_tokens)},
      {"max_ratio", field(&TrainConfig::max_ratio)},
      {"batch_tokens", field(&TrainConfig::batch_tokens)},
      {"accumulate", field(&TrainConfig::accumulate)},
      {"lr", field(&TrainConfig::lr)},
      {"warmup", field(&TrainConfig::warmup)},
      {"decay_steps", field(&TrainConfig::decay_steps)},
      {"label_smoothing", field(&TrainConfig::label_smoothing)},
      {"clip_norm", field(&TrainConfig::clip_norm)},
      {"precision", field(&TrainConfig::precision)},
      {"device", field(&TrainConfig::device)},
      {"seed", field(&TrainConfig::seed)},
      {"max_epochs", field(&TrainConfig::max_epochs)},
      {"max_steps", field(&TrainConfig::max_steps)},
      {"max_minutes", field(&TrainConfig::max_minutes)},
      {"valid_every", field(&TrainConfig::valid_every)},
      {"valid_sentences", field(&TrainConfig::valid_sentences)},
      {"valid_beam", field(&TrainConfig::valid_beam)},
      {"patience", field(&TrainConfig::patience)},
      {"average_last", field(&TrainConfig::average_last)},
      {"final_beam", field(&TrainConfig::final_beam)},
      {"final_lenpen", field(&TrainConfig::final_lenpen)},
      {"final_sentences", field(&TrainConfig::final_sentences)},
      {"log_every", field(&TrainConfig::log_every)},
      {"threads", field(&TrainConfig::threads)},
    };
    for (const auto& f : model_config_fields())  // model.vocab_size comes from the tokenizer (`vocab_size:`)
      if (std::string(f.name) != "vocab_size") t.emplace_back(std::string("model.") + f.name, model_field(f));
    return t;
  }();
  return table;
}

const Field& find_field(const std::string& key) {
  for (const auto& [name, f] : fields())
    if (name == key) return f;
  throw std::runtime_error("unknown training setting '" + key + "'");
}

void set_field(TrainConfig& c, const std::string& key, const YAML::Node& value) {
  const Field& f = find_field(key);
  try {
    f.set(c, value);
  } catch (const YAML::Exception&) {
    throw std::runtime_error("bad value for training setting '" + key + "'");
  }
}

void read_node(TrainConfig& c, const YAML::Node& node, const std::string& prefix) {
  for (const auto& kv : node) {
    const std::string key = prefix + kv.first.as<std::string>();
    if (kv.second.IsMap() && key != "train") read_node(c, kv.second, key + ".");
    else set_field(c, key, kv.second);
  }
}

}  // namespace

TrainConfig load_train_config(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw std::runtime_error("cannot read config '" + path + "'");
  } catch (const YAML::Exception& e) {
    throw std::runtime_error("config '" + path + "' is not valid YAML: " + e.msg);
  }
  TrainConfig c;
  if (root.IsMap()) read_node(c, root, "");
  else if (!root.IsNull()) throw std::runtime_error("config '" + path + "' must be a YAML mapping");
  return c;
}

void apply_override(TrainConfig& c, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) throw std::runtime_error("override '" + assignment + "' is not key=value");
  const std::string value = assignment.substr(eq + 1);
  set_field(c, assignment.substr(0, eq), value.empty() ? YAML::Node(std::string()) : YAML::Load(value));
}

std::string to_yaml(const TrainConfig& c) {
  YAML::Node root;
  for (const auto& [name, f] : fields()) {
    const auto dot = name.find('.');
    if (dot == std::string::npos) root[name] = f.get(c);
    else root[name.substr(0, dot)][name.substr(dot + 1)] = f.get(c);
  }
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

std::string data_path(const TrainConfig& c, const std::string& path) {
  // "./runs/bt/...": data the recipe made itself, from the folder mt runs in
  if (c.data.empty() || path.empty() || path.front() == '/' || path.rfind("./", 0) == 0) return path;
  return (std::filesystem::path(c.data) / path).string();
}

void validate(const TrainConfig& c) {
  if (c.train.empty()) throw std::runtime_error("no training data: set `train:` in the config");
  for (const auto& s : c.train)
    if (s.weight < 0) throw std::runtime_error("train: " + s.path + ": weight must be >= 0");
  if (c.batch_tokens < 16) throw std::runtime_error("batch_tokens must be at least 16");
  if (c.accumulate < 1) throw std::runtime_error("accumulate must be at least 1");
  if (c.precision != "auto" && c.precision != "bf16" && c.precision != "fp16" && c.precision != "fp32")
    throw std::runtime_error("precision must be auto, bf16, fp16 or fp32");
  if (c.precision == "fp16" && c.device.rfind("cuda", 0) != 0) throw std::runtime_error("fp16 needs device: cuda");
  if (c.model.d_model % c.model.heads != 0) throw std::runtime_error("model.d_model must be divisible by model.heads");
  if (c.max_tokens + 2 > c.model.max_positions) throw std::runtime_error("max_tokens must be below model.max_positions - 1");
  if (c.lr <= 0 || c.warmup < 0) throw std::runtime_error("lr must be positive and warmup not negative");
  if (c.decay_steps < 0) throw std::runtime_error("decay_steps must not be negative");
  if (c.decay_steps > 0 && c.max_steps <= 0) throw std::runtime_error("decay_steps needs max_steps (the cool-down ends there)");
  if (c.decay_steps > c.max_steps && c.max_steps > 0)
    throw std::runtime_error("decay_steps (" + std::to_string(c.decay_steps) + ") is larger than max_steps (" +
                             std::to_string(c.max_steps) + "): lower it, or set decay_steps=0");
  if (c.glossary_max_words < 1 || c.glossary_max_senses < 1)
    throw std::runtime_error("glossary_max_words and glossary_max_senses must be at least 1");
  if (c.final_beam < 1) throw std::runtime_error("final_beam must be at least 1");
  if (c.patience < 0) throw std::runtime_error("patience must not be negative (0 = no early stopping)");
}

}  // namespace mt
