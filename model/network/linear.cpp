#include "model/network/linear.h"

#include <torch/nn/init.h>

#include "model/network/inference.h"

namespace mt {

LinearImpl::LinearImpl(int64_t in_features, int64_t out_features) {
  weight = register_parameter("weight", at::empty({out_features, in_features}));
  bias = register_parameter("bias", at::zeros({out_features}));
  at::NoGradGuard no_grad;
  torch::nn::init::xavier_uniform_(weight);
}

LinearImpl::LinearImpl(const at::Tensor& shared_weight) : weight(shared_weight) {}

const LinearKernel* LinearImpl::kernel_for(const at::Tensor& x) const {
  if (!kernel_ || !running_inference(*this) || !kernel_->accepts(x)) return nullptr;
  return kernel_.get();
}

at::Tensor LinearImpl::forward(const at::Tensor& x) {
  if (const auto* kernel = kernel_for(x)) return kernel->run(x, /*relu=*/false);
  return at::linear(x, weight, bias);
}

at::Tensor LinearImpl::forward_relu(const at::Tensor& x) {
  if (const auto* kernel = kernel_for(x)) return kernel->run(x, /*relu=*/true);
  return at::linear(x, weight, bias).relu_();
}

void LinearImpl::set_compute_type(ComputeType type) { kernel_ = make_linear_kernel(type, weight, bias); }

}  // namespace mt
