// mt train --config FILE.yaml [--set key=value ...] [--resume]
#include <ATen/Parallel.h>
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
    DistributedOptions distributed;
    std::string master;
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
  auto* world = cmd->add_option("--world-size", o->distributed.world_size, "Data-parallel processes (default: $WORLD_SIZE or 1)")
                    ->check(CLI::Range(1, 4096));
  auto* rank = cmd->add_option("--rank", o->distributed.rank, "This process's rank (default: $RANK or 0)")->check(CLI::Range(0, 4095));
  auto* master = cmd->add_option("--master", o->master, "ADDR:PORT of rank 0's rendezvous (default: $MASTER_ADDR:$MASTER_PORT)");
  cmd->add_option("--dist-timeout", o->distributed.timeout_s, "Seconds before a dead or hung rank fails the job")
      ->check(CLI::Range(1.0, 86400.0));
  o->distributed.timeout_s = 600;  // rank 0 validates while the others wait in a collective
  return [o, world, rank, master]() {
    if (!o->master.empty()) {
      const auto colon = o->master.rfind(':');
      if (colon == std::string::npos) throw UsageError("--master must be ADDR:PORT");
      o->distributed.master_addr = o->master.substr(0, colon);
      try {
        o->distributed.master_port = std::stoi(o->master.substr(colon + 1));
      } catch (const std::exception&) {
        throw UsageError("--master must be ADDR:PORT");
      }
    }
    const auto distributed = distributed_from_env(o->distributed, world->count() > 0, rank->count() > 0, master->count() > 0);
    TrainConfig config = load_train_config(o->config);
    for (const auto& kv : o->overrides) apply_override(config, kv);
    if (!o->output.empty()) config.output = o->output;
    if (o->max_steps >= 0) config.max_steps = o->max_steps;
    if (o->max_minutes >= 0) config.max_minutes = o->max_minutes;
    if (config.threads > 0) at::set_num_threads(int(config.threads));  // else the global --threads
    auto result = train_model(config, o->resume, distributed);
    if (result.interrupted) return 130;
    spdlog::info("done: {}", result.model_folder);
    return 0;
  };
}

}  // namespace mt::app
