#include "model/train/mixed_precision.h"

#include "model/kernels/cpu_features.h"

namespace mt {

std::string resolve_precision(const std::string& precision, const c10::Device& device) {
  if (precision != "auto") return precision;
  if (device.is_cuda()) return "bf16";
  if (cpu::has_amx_bf16() || (cpu::has_avx512_bf16() && cpu::is_amd())) return "bf16";
  return "fp32";
}

}  // namespace mt
