#include "model/train/checkpoint.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "model/package/model_package.h"

namespace mt {

namespace fs = std::filesystem;

namespace {

// The position's fields by their names in the archive.
const std::vector<std::pair<const char*, int64_t Position::*>> kIntegers = {
    {"step", &Position::step}, {"epoch", &Position::epoch}, {"batch", &Position::batch},
    {"bad_validations", &Position::bad_validations}};
const std::vector<std::pair<const char*, double Position::*>> kReals = {{"best_score", &Position::best_score},
                                                                        {"elapsed", &Position::elapsed}};

}  // namespace

void save_checkpoint(const std::string& path, Transformer& network, torch::optim::Optimizer& optimizer,
                     const Position& position) {
  torch::serialize::OutputArchive archive, model, state;
  write_weights(*network, model);
  optimizer.save(state);
  archive.write("model", model);
  archive.write("optimizer", state);
  for (const auto& [key, field] : kIntegers) archive.write(key, c10::IValue(position.*field));
  for (const auto& [key, field] : kReals) archive.write(key, c10::IValue(position.*field));
  archive.write("rng", at::detail::getDefaultCPUGenerator().get_state());
  const std::string tmp = path + ".tmp";
  archive.save_to(tmp);
  fs::rename(tmp, path);
}

Position load_checkpoint(const std::string& path, Transformer& network, torch::optim::Optimizer& optimizer) {
  torch::serialize::InputArchive archive, model, state;
  Position position;
  at::Tensor rng;
  try {
    archive.load_from(path);
    archive.read("model", model);
    archive.read("optimizer", state);
    c10::IValue value;
    for (const auto& [key, field] : kIntegers) archive.read(key, value), position.*field = value.toInt();
    for (const auto& [key, field] : kReals) archive.read(key, value), position.*field = value.toDouble();
    archive.read("rng", rng);
  } catch (const c10::Error&) {
    throw std::runtime_error("checkpoint '" + path + "' is corrupt or truncated");
  }
  read_weights(*network, model, path);
  optimizer.load(state);
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(rng);
  return position;
}

std::vector<std::string> list_snapshots(const std::string& folder) {
  std::vector<std::string> all;
  if (!fs::exists(folder)) return all;
  for (const auto& e : fs::directory_iterator(folder))
    if (e.path().filename().string().rfind("step-", 0) == 0) all.push_back(e.path().string());
  std::sort(all.begin(), all.end());  // zero-padded steps: oldest first
  return all;
}

void keep_snapshot(const std::string& folder, Transformer& network, int64_t step, int64_t keep) {
  fs::create_directories(folder);
  const fs::path tmp = fs::path(folder) / "tmp.pt";
  write_weights(*network, tmp.string());
  char name[32];
  std::snprintf(name, sizeof name, "step-%09ld.pt", long(step));
  fs::rename(tmp, fs::path(folder) / name);
  const auto all = list_snapshots(folder);
  for (size_t i = 0; i + size_t(std::max<int64_t>(1, keep)) < all.size(); ++i) fs::remove(all[i]);
}

}  // namespace mt
