// Where the inference-only kernels (packed and int8 products, the one-pass attention) may stand in
// for LibTorch's operators: a module in eval mode with autograd off. Training, and gradients taken
// through an eval-mode module, keep LibTorch's differentiable operators.
#pragma once
#include <ATen/core/grad_mode.h>
#include <torch/nn/module.h>

namespace mt {

inline bool running_inference(const torch::nn::Module& module) {
  return !module.is_training() && !at::GradMode::is_enabled();
}

}  // namespace mt
