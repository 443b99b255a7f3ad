#include "model/network/layer_norm.h"

#include <ATen/core/grad_mode.h>
#include <ATen/ops/layer_norm.h>
#include <ATen/ops/ones.h>
#include <ATen/ops/zeros.h>

#include "model/kernels/layer_norm_kernel.h"

namespace mt {

LayerNormImpl::LayerNormImpl(int64_t d_model, double eps) : eps_(eps) {
  weight = register_parameter("weight", at::ones({d_model}));
  bias = register_parameter("bias", at::zeros({d_model}));
}

at::Tensor LayerNormImpl::forward(const at::Tensor& x) {
  const auto type = x.scalar_type();
  const bool fused = !is_training() && x.is_cpu() && (type == at::kFloat || type == at::kBFloat16) &&
                     weight.scalar_type() == type && !(at::GradMode::is_enabled() && x.requires_grad());
  if (!fused) return at::layer_norm(x, {weight.size(0)}, weight, bias, eps_);
  return layer_norm_cpu(x, weight, bias, eps_);
}

}  // namespace mt
