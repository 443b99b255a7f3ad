// The training loop: label-smoothed cross-entropy, Adam with inverse-square-root warm-up,
// gradient accumulation and clipping, bf16 autocast, validation with the real search,
// atomic checkpoints that resume exactly, early stopping and checkpoint averaging.
#pragma once
#include <string>

#include "model/train/distributed.h"
#include "model/train/train_config.h"

namespace mt {

struct TrainResult {
  bool interrupted = false;  // stopped by SIGINT/SIGTERM after saving a checkpoint
  std::string model_folder;  // the final model (best or averaged, whichever scores higher on dev)
};

// Runs (or with resume=true continues) a training run in config.output. Throws std::runtime_error.
// With distributed.world_size > 1 this process is one rank of a data-parallel job: every rank
// trains on its share of each step's batches, gradients are summed over ranks, and rank 0 alone
// validates and writes checkpoints and models (into an output folder all ranks can read).
TrainResult train_model(const TrainConfig& config, bool resume, const DistributedOptions& distributed = {});

// Learning rate at `step` (1-based): linear warm-up to `peak`, then peak * sqrt(warmup / step).
double inverse_sqrt_lr(int64_t step, double peak, int64_t warmup);

// The run's learning rate at `step`: inverse_sqrt_lr, taken linearly down to zero over the last
// config.decay_steps steps before config.max_steps (a cool-down: the low-rate end of a run averages
// out the noise of the high-rate steps, as checkpoint averaging does, and keeps improving).
double scheduled_lr(const TrainConfig& config, int64_t step);

}  // namespace mt
