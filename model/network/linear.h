// A linear layer that can switch, for inference, to int8 weights run by oneDNN (dynamic
// quantization: weights int8 per output channel, activations quantized on the fly), or stay fp32.
#pragma once
#include <ATen/ATen.h>
#include <ATen/core/ivalue.h>
#include <torch/nn/module.h>

namespace mt {

class LinearImpl : public torch::nn::Module {
 public:
  LinearImpl(int64_t in_features, int64_t out_features);
  at::Tensor forward(const at::Tensor& x);
  void quantize_int8();  // inference only: the fp32 weight stays for saving, the packed copy is used

  at::Tensor weight, bias;

 private:
  c10::IValue packed_;
};
TORCH_MODULE(Linear);

// y = x W^T + b with W packed for oneDNN's int8 kernels; x is fp32 of any leading shape.
c10::IValue pack_int8(const at::Tensor& weight, const at::Tensor& bias);
at::Tensor linear_int8(const at::Tensor& x, const c10::IValue& packed);

}  // namespace mt
