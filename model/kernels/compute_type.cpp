#include "model/kernels/compute_type.h"

#include <stdexcept>
#include <utility>

#include "model/kernels/cpu_math.h"

namespace mt {

namespace {
const std::vector<std::pair<std::string, ComputeType>> kNames = {
    {"bfloat16", ComputeType::BFloat16}, {"int8", ComputeType::Int8}, {"float32", ComputeType::Float32}};
}  // namespace

std::vector<std::string> compute_type_names() {
  std::vector<std::string> names;
  for (const auto& [name, type] : kNames) names.push_back(name);
  return names;
}

ComputeType parse_compute_type(const std::string& name) {
  for (const auto& [known, type] : kNames)
    if (name == known) return type;
  throw std::runtime_error("unknown compute type '" + name + "' (bfloat16, int8, float32)");
}

ComputeType resolve_compute_type(ComputeType requested, const c10::Device& device) {
  if (device.is_cuda()) return requested == ComputeType::Int8 ? ComputeType::BFloat16 : requested;
  if (requested == ComputeType::BFloat16 && !cpu::has_avx512_bf16()) return ComputeType::Float32;
  return requested;
}

}  // namespace mt
