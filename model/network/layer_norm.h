// LayerNorm whose inference path on the CPU is one fused pass per row computed in float, also for
// bf16 weights and activations (LibTorch's own bf16 layer norm is several times slower here).
#pragma once
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

namespace mt {

class LayerNormImpl : public torch::nn::Module {
 public:
  explicit LayerNormImpl(int64_t d_model, double eps = 1e-5);
  at::Tensor forward(const at::Tensor& x);

  at::Tensor weight, bias;

 private:
  double eps_;
};
TORCH_MODULE(LayerNorm);

}  // namespace mt
