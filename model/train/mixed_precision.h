// Mixed precision for one forward pass: the matrix products in bf16 (CPU, CUDA) or fp16 (CUDA),
// the weights and their updates in fp32.
#pragma once
#include <string>

#include <ATen/autocast_mode.h>
#include <c10/core/Device.h>

namespace mt {

class AutocastScope {
 public:
  AutocastScope(const std::string& precision, const c10::Device& device)
      : on_(precision != "fp32"), cuda_(device.is_cuda()) {
    if (!on_) return;
    const auto dtype = precision == "fp16" ? at::kHalf : at::kBFloat16;
    if (cuda_) {
      at::autocast::set_autocast_gpu_dtype(dtype);
      at::autocast::set_enabled(true);
    } else {
      at::autocast::set_autocast_cpu_dtype(dtype);
      at::autocast::set_cpu_enabled(true);
    }
  }
  ~AutocastScope() {
    if (!on_) return;
    if (cuda_) at::autocast::set_enabled(false);
    else at::autocast::set_cpu_enabled(false);
    at::autocast::clear_cache();
  }
  AutocastScope(const AutocastScope&) = delete;

 private:
  bool on_, cuda_;
};

}  // namespace mt
