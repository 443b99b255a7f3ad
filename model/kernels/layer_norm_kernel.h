// Layer norm at inference on the CPU: one fused pass per row, computed in float, also for bf16
// weights and activations (LibTorch's own bf16 layer norm is several times slower here).
#pragma once
#include <ATen/core/Tensor.h>

namespace mt {

// (..., d) normalised over the last dimension with weight and bias (d), in x's dtype (float or bf16).
at::Tensor layer_norm_cpu(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, double eps);

}  // namespace mt
