// The training loop: label-smoothed cross-entropy, Adam with inverse-square-root warm-up,
// gradient accumulation and clipping, bf16 autocast, validation with the real search,
// atomic checkpoints that resume exactly, early stopping and checkpoint averaging.
#pragma once
#include <string>

#include "model/train/train_config.h"

namespace mt {

struct TrainResult {
  bool interrupted = false;  // stopped by SIGINT/SIGTERM after saving a checkpoint
  std::string model_folder;  // the final model (best or averaged, whichever scores higher on dev)
};

// Runs (or with resume=true continues) a training run in config.output. Throws std::runtime_error.
TrainResult train_model(const TrainConfig& config, bool resume);

// Learning rate at `step` (1-based): linear warm-up to `peak`, then peak * sqrt(warmup / step).
double inverse_sqrt_lr(int64_t step, double peak, int64_t warmup);

}  // namespace mt
