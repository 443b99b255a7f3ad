// Linear layers for inference with their weights packed once, in the layout an AVX-512 kernel
// streams straight into registers: panels of 16 outputs with the input dimension outermost (bf16:
// pairs of inputs interleaved, for AVX512-BF16's two-term dot product). OpenBLAS has no
// pre-packed API and copies the weight into such panels on every call; at decoding's 32-128 rows
// that copy costs a third as much as the product itself.
#pragma once
#include <ATen/core/Tensor.h>

namespace mt {

struct PackedWeight {
  at::Tensor panels;  // float (panels, in, 16) or bf16 (panels, in / 2, 16, 2); padding outputs are 0
  int64_t out = 0, in = 0;
  bool defined() const { return panels.defined(); }
};

// Whether this CPU has the kernel for a weight of this dtype and input size (float: AVX-512F;
// bf16: AVX512-BF16 and an even input size).
bool can_pack(at::ScalarType dtype, int64_t in);
// weight (out, in), float or bf16, on the CPU.
PackedWeight pack_weight(const at::Tensor& weight);
// x (..., in) in the weight's dtype -> x W^T + bias (bias may be undefined), then ReLU if `relu`.
at::Tensor packed_linear(const at::Tensor& x, const PackedWeight& weight, const at::Tensor& bias, bool relu = false);
// Whether packed_linear may stand in for at::linear here: at inference, on the weight's dtype.
bool use_packed(const PackedWeight& weight, const at::Tensor& x, bool inference);

}  // namespace mt
