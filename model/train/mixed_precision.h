// Mixed precision for one forward pass: the matrix products in bf16 (CPU, CUDA) or fp16 (CUDA),
// the weights and their updates in fp32.
#pragma once
#include <string>

#include <ATen/autocast_mode.h>
#include <c10/util/Exception.h>
#include <c10/core/Device.h>

namespace mt {

// A training config's precision as it runs on `device`: "auto" is bf16 where bf16 matrix products
// outrun fp32 ones (a GPU; a CPU with AMX, or AMD's AVX512-BF16) and fp32 elsewhere: on Intel's
// AVX512-BF16 without AMX, oneDNN's bf16 product runs at ~145 GFLOP/s against OpenBLAS's fp32 at
// ~210 (two cores), and a CPU without AVX512-BF16 would emulate bf16. Other values stay as they are.
std::string resolve_precision(const std::string& precision, const c10::Device& device);

class AutocastScope {
 public:
  AutocastScope(const std::string& precision, const c10::Device& device)
      : on_(precision != "fp32"), cuda_(device.is_cuda()) {
    TORCH_CHECK(precision != "auto", "AutocastScope: resolve_precision says what auto runs");
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
