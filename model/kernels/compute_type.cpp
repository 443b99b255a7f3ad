#include "model/kernels/compute_type.h"

#include <stdexcept>

#include "model/kernels/cpu_math.h"

namespace mt {

ComputeType parse_compute_type(const std::string& name) {
  if (name == "float32") return ComputeType::Float32;
  if (name == "bfloat16") return ComputeType::BFloat16;
  if (name == "int8") return ComputeType::Int8;
  throw std::runtime_error("unknown compute type '" + name + "' (float32, bfloat16, int8)");
}

ComputeType resolve_compute_type(ComputeType requested, const c10::Device& device) {
  if (device.is_cuda()) return requested == ComputeType::Int8 ? ComputeType::BFloat16 : requested;
  if (requested == ComputeType::BFloat16 && !cpu::has_avx512_bf16()) return ComputeType::Float32;
  return requested;
}

}  // namespace mt
