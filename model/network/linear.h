// A linear layer whose inference implementation is chosen once, by set_compute_type, among
// model/kernels/linear_kernel.h's (packed AVX-512 float or bf16, oneDNN int8) or LibTorch's own.
// Training, and gradients taken through an eval-mode layer, always run LibTorch's product.
#pragma once
#include <memory>

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include "model/kernels/compute_type.h"
#include "model/kernels/linear_kernel.h"

namespace mt {

class LinearImpl : public torch::nn::Module {
 public:
  LinearImpl(int64_t in_features, int64_t out_features);
  // x W^T over a weight owned by another module, without bias (the output projection tied with
  // the embedding): nothing registered, so the weight is saved once, by its owner.
  explicit LinearImpl(const at::Tensor& shared_weight);

  at::Tensor forward(const at::Tensor& x);
  at::Tensor forward_relu(const at::Tensor& x);  // max(0, forward(x)), fused when packed
  // Inference only: picks this layer's implementation for `type` (the weight already in its
  // dtype). The weight stays for saving and training; the kernel's own copy is what then runs.
  void set_compute_type(ComputeType type);

  at::Tensor weight, bias;

 private:
  const LinearKernel* kernel_for(const at::Tensor& x) const;  // the chosen one, where it applies

  std::shared_ptr<const LinearKernel> kernel_;  // null: LibTorch's product
};
TORCH_MODULE(Linear);

}  // namespace mt
