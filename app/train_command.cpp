// mt train --config FILE.yaml [--set key=value ...] [--resume]
#include <spdlog/spdlog.h>

#include "app/command.h"
#include "model/train/trainer.h"

namespace mt::app {

Run add_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "Train a model from a YAML config (every setting overridable)");
  struct Options {
    std::string config;
    std::vector<std::string> overrides;
    std::string output;
    bool resume = false;
    int64_t max_steps = -1;
    double max_minutes = -1;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("-c,--config", o->config, "YAML config")->required()->check(CLI::ExistingFile);
  cmd->add_option("--set", o->overrides, "Override a setting: key=value (e.g. --set lr=5e-4 --set model.dropout=0.3)");
  cmd->add_option("-o,--output", o->output, "Run folder (checkpoints, logs, models); overrides `output:`");
  cmd->add_option("--max-steps", o->max_steps, "Stop after this many optimizer steps");
  cmd->add_option("--max-minutes", o->max_minutes, "Stop after this much training time");
  cmd->add_flag("--resume", o->resume, "Continue the run in the output folder from its last checkpoint");
  return [o]() {
    TrainConfig config = load_train_config(o->config);
    for (const auto& kv : o->overrides) apply_override(config, kv);
    if (!o->output.empty()) config.output = o->output;
    if (o->max_steps >= 0) config.max_steps = o->max_steps;
    if (o->max_minutes >= 0) config.max_minutes = o->max_minutes;
    auto result = train_model(config, o->resume);
    if (result.interrupted) return 130;
    spdlog::info("done: {}", result.model_folder);
    return 0;
  };
}

}  // namespace mt::app
