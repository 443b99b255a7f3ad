// Dropout without a stored mask: whether element i is kept is a hash of (seed, i), so the
// backward pass recomputes the same mask instead of reading one, and no Bernoulli draw per
// element is made (LibTorch's bernoulli_ took a sixth of a bf16 training step).
#pragma once
#include <ATen/core/Tensor.h>

namespace mt {

// x * keep(seed, i) / (1 - p), where keep(seed, i) holds with probability 1 - p. x is float or
// bf16 on the CPU; a non-contiguous x is made contiguous first. The same seed gives the same mask.
// With relu, max(x, 0) is masked instead: the feed-forward layer's ReLU and dropout in one pass.
at::Tensor apply_dropout_mask(const at::Tensor& x, double p, uint64_t seed, bool relu = false);

// The gradient of relu-then-dropout from its output alone: grad / (1 - p) where output > 0, else 0.
at::Tensor relu_dropout_backward(const at::Tensor& grad, const at::Tensor& output, double p);

}  // namespace mt
