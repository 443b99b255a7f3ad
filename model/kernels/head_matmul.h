// The products of attention's heads, (B, H, M, K) x (B, H, K, N), as one BLAS call per (batch,
// head) spread over the threads. LibTorch 1.13's bmm on the CPU copies strided operands to
// contiguous ones, then calls BLAS for one head after another on a single thread: at training's
// 16x16x64 heads, 7-8x slower than this loop on two cores (908 heads, one microbenchmark).
#pragma once
#include <ATen/core/Tensor.h>

namespace mt {

// Whether head_matmul takes these operands: float CPU tensors of 4 dims.
bool head_matmul_applies(const at::Tensor& a, const at::Tensor& b);

// alpha * a b for 4-D float CPU tensors a (B, H, M, K) and b (B, H, K, N), read in place whatever
// their strides (a matrix that has neither unit row nor unit column stride is copied first). The
// result is (B, H, M, N); with heads_inside its memory is (B, M, H, N), so that transpose(1, 2)
// gives the (B, M, H * N) rows an output projection reads, without a copy.
at::Tensor head_matmul(const at::Tensor& a, const at::Tensor& b, double alpha = 1.0, bool heads_inside = false);

}  // namespace mt
