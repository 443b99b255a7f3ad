// mt export -m MODEL -o FOLDER [--weights bfloat16|float32]
// A model folder copied with its weights stored in another type: bfloat16 halves it (the shipped
// model, the snapshots of a long run kept in git). Loading converts back to the network's type.
#include <filesystem>

#include <spdlog/spdlog.h>

#include "app/command.h"
#include "model/package/model_package.h"

namespace mt::app {

Run add_export_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("export", "Copy a model folder with its weights stored as bfloat16 or float32");
  struct Options {
    std::string model, output, weights = "bfloat16";
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("-m,--model", o->model, "Model folder (default: the shipped model)");
  cmd->add_option("-o,--output", o->output, "The folder to write (replaced whole once written)")->required();
  cmd->add_option("--weights", o->weights, "How the weights are stored")->check(CLI::IsMember({"bfloat16", "float32"}));
  return [o]() {
    const std::string source = model_or_default(o->model);
    if (std::filesystem::exists(source) && std::filesystem::exists(o->output) && std::filesystem::equivalent(source, o->output))
      throw UsageError("export: -o must be another folder than the model");
    ModelPackage package = load_model(source);
    package.network->to(o->weights == "bfloat16" ? at::kBFloat16 : at::kFloat);
    save_model(o->output, package.network, package.tokenizer);
    const auto aligner = std::filesystem::path(source) / "aligner.bin";
    if (std::filesystem::exists(aligner))
      std::filesystem::copy_file(aligner, std::filesystem::path(o->output) / "aligner.bin",
                                 std::filesystem::copy_options::overwrite_existing);
    spdlog::info("wrote {} ({} weights)", o->output, o->weights);
    return 0;
  };
}

}  // namespace mt::app
