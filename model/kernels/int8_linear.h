// Linear layers in int8 through oneDNN (dynamic quantization: weights int8 per output channel,
// activations quantized on the fly), which runs them with AVX-512 VNNI here.
#pragma once
#include <ATen/core/Tensor.h>
#include <ATen/core/ivalue.h>

namespace mt {

// y = x W^T + b with W packed for oneDNN's int8 kernels; x is fp32 of any leading shape.
c10::IValue pack_int8(const at::Tensor& weight, const at::Tensor& bias);
at::Tensor linear_int8(const at::Tensor& x, const c10::IValue& packed);

}  // namespace mt
