// A linear layer that can switch, for inference, to its weight packed for our AVX-512 kernels
// (float or bf16), or to int8 weights run by oneDNN (dynamic quantization: weights int8 per output
// channel, activations quantized on the fly).
#pragma once
#include <ATen/ATen.h>
#include <ATen/core/ivalue.h>
#include <torch/nn/module.h>

#include "model/kernels/int8_linear.h"
#include "model/kernels/packed_gemm.h"

namespace mt {

class LinearImpl : public torch::nn::Module {
 public:
  LinearImpl(int64_t in_features, int64_t out_features);
  at::Tensor forward(const at::Tensor& x);
  at::Tensor forward_relu(const at::Tensor& x);  // max(0, forward(x)), fused when packed
  // Inference only: the weight stays for saving and training, the packed copy is what runs.
  void pack();  // for the packed kernels, when the CPU has one for the weight's dtype
  void quantize_int8();

  at::Tensor weight, bias;

 private:
  PackedWeight packed_;
  c10::IValue int8_;
};
TORCH_MODULE(Linear);

}  // namespace mt
