#include "model/kernels/compute_type.h"

#include <stdexcept>
#include <utility>

#include "model/kernels/cpu_features.h"

namespace mt {

namespace {
const std::vector<std::pair<std::string, ComputeType>> kNames = {
    {"auto", ComputeType::Auto}, {"bfloat16", ComputeType::BFloat16}, {"int8", ComputeType::Int8},
    {"float32", ComputeType::Float32}};

// AMD's Zen 4 and 5 run VDPBF16PS at twice the float FMA's rate: our bf16 kernels decode faster
// than the float ones there (3.7-4.3x the reference against 2.8x). Intel's AVX512-BF16 cores
// (Cooper Lake, Sapphire and Emerald Rapids) run it at the FMA's rate, and the conversions make
// bf16 slower: beam 4 at 78 against 117 sentences/s on Emerald Rapids, 191 against 234 on Sapphire.
bool bf16_outruns_float_on_this_cpu() {
  return cpu::has_avx512_bf16() && cpu::is_amd();
}
}  // namespace

std::vector<std::string> compute_type_names() {
  std::vector<std::string> names;
  for (const auto& [name, type] : kNames) names.push_back(name);
  return names;
}

ComputeType parse_compute_type(const std::string& name) {
  for (const auto& [known, type] : kNames)
    if (name == known) return type;
  throw std::runtime_error("unknown compute type '" + name + "' (auto, bfloat16, int8, float32)");
}

std::string compute_type_name(ComputeType type) {
  for (const auto& [name, known] : kNames)
    if (type == known) return name;
  return "?";
}

ComputeType resolve_compute_type(ComputeType requested, const c10::Device& device) {
  if (requested == ComputeType::Auto)
    return device.is_cuda() || bf16_outruns_float_on_this_cpu() ? ComputeType::BFloat16 : ComputeType::Float32;
  if (device.is_cuda()) return requested == ComputeType::Int8 ? ComputeType::BFloat16 : requested;
  if (requested == ComputeType::BFloat16 && !cpu::has_avx512_bf16()) return ComputeType::Float32;
  return requested;
}

}  // namespace mt
