// The real (non-padding) positions of a padded batch. At inference the encoder runs its row-wise
// maps (linear layers, layer norm, residual adds) on these rows only, and pads them out again
// just for attention: a batch sorted by length still pads a fifth to a third of its positions.
#pragma once
#include <ATen/core/Tensor.h>

namespace mt {

struct RealTokens {
  at::Tensor index;  // (n) int64: flat positions b * T + t that hold a token
  int64_t batch = 0, length = 0;

  static RealTokens of(const at::Tensor& tokens, int64_t pad);  // tokens (B, T)
  bool all() const { return index.numel() == batch * length; }   // nothing to skip
  at::Tensor gather(const at::Tensor& padded) const;  // (B, T, d) -> (n, d)
  at::Tensor scatter(const at::Tensor& rows) const;   // (n, d) -> (B, T, d), zeros at padding
};

}  // namespace mt
