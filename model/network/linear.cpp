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

at::Tensor LinearImpl::forward(const at::Tensor& x) {
  const bool inference = running_inference(*this);
  if (use_packed(packed_, x, inference)) return packed_linear(x, packed_, bias);
  if (!int8_.isNone() && x.scalar_type() == at::kFloat && inference) return linear_int8(x, int8_);
  return at::linear(x, weight, bias);
}

at::Tensor LinearImpl::forward_relu(const at::Tensor& x) {
  if (use_packed(packed_, x, running_inference(*this))) return packed_linear(x, packed_, bias, /*relu=*/true);
  return forward(x).relu_();
}

void LinearImpl::pack() {
  if (can_pack(weight.scalar_type(), weight.size(1)) && weight.is_cpu()) packed_ = pack_weight(weight);
}

void LinearImpl::quantize_int8() { int8_ = pack_int8(weight, bias); }

}  // namespace mt
