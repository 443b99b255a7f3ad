// The inference implementations of a linear layer, y = x W^T + b, each made once from the layer's
// weight for a compute type: our packed AVX-512 products (float or bf16 weights) or oneDNN's int8
// product. A new compute type is one more implementation here and one line in make_linear_kernel.
#pragma once
#include <memory>

#include <ATen/core/Tensor.h>

#include "model/kernels/compute_type.h"

namespace mt {

class LinearKernel {
 public:
  virtual ~LinearKernel() = default;
  // Whether it takes this input (its copy of the weight was made for one input dtype); where it
  // does not, the layer runs LibTorch's product.
  virtual bool accepts(const at::Tensor& x) const = 0;
  virtual at::Tensor run(const at::Tensor& x, bool relu) const = 0;  // then max(0, y) if relu
};

// The implementation for `type` (the weight already in its dtype), or nullptr where LibTorch's
// own product is the one to run (another device, or no kernel for this CPU).
std::unique_ptr<LinearKernel> make_linear_kernel(ComputeType type, const at::Tensor& weight, const at::Tensor& bias);

}  // namespace mt
