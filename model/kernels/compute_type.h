// Inference precision, as CTranslate2 names it: float32, bfloat16 weights and activations, int8
// weights (per channel) with float activations quantized on the fly (oneDNN), or auto: the faster
// of float32 and bfloat16 on this device. The user's word is
// parsed here and resolved to what the device can run; the network only carries out the choice.
#pragma once
#include <string>
#include <vector>

#include <c10/core/Device.h>

namespace mt {

enum class ComputeType { Auto, Float32, BFloat16, Int8 };

ComputeType parse_compute_type(const std::string& name);  // auto | float32 | bfloat16 | int8; throws otherwise
std::string compute_type_name(ComputeType type);
std::vector<std::string> compute_type_names();            // what parse_compute_type takes

// The type that runs for `requested` on `device`: int8 kernels are CPU-only (a GPU runs bfloat16
// instead), a CPU without AVX512-BF16 has no fast bfloat16 product (it runs float32), and auto is
// bfloat16 on a GPU and on CPUs whose bf16 dot product outruns float FMAs (AMD Zen 4 and later),
// float32 elsewhere.
ComputeType resolve_compute_type(ComputeType requested, const c10::Device& device);

}  // namespace mt
