#include "model/kernels/dropout_mask.h"

#include <ATen/Parallel.h>
#include <ATen/ops/empty_like.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "model/kernels/cpu_math.h"

namespace mt {

namespace {

// murmur3's 32-bit finaliser: every input bit flips each output bit with probability about 1/2.
MT_CPU_INLINE uint32_t mix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

struct Mask {
  uint32_t threshold, seed_lo, seed_hi;
  float scale;
  bool relu;
};

template <typename T>
MT_CPU_INLINE void mask_range(const T* x, T* y, int64_t begin, int64_t end, Mask m) {
  const float floor = m.relu ? 0.0f : -std::numeric_limits<float>::infinity();
#pragma omp simd
  for (int64_t i = begin; i < end; ++i) {
    const uint32_t h = mix32(mix32(uint32_t(i) ^ m.seed_lo) + m.seed_hi);
    cpu::store(y[i], h >= m.threshold ? std::max(cpu::as_float(x[i]), floor) * m.scale : 0.0f);
  }
}

MT_CPU_CLONES void mask_float(const float* x, float* y, int64_t begin, int64_t end, Mask m) {
  mask_range(x, y, begin, end, m);
}

MT_CPU_CLONES void mask_bf16(const c10::BFloat16* x, c10::BFloat16* y, int64_t begin, int64_t end, Mask m) {
  mask_range(x, y, begin, end, m);
}

template <typename T>
MT_CPU_INLINE void positive_range(const T* grad, const T* out, T* dx, int64_t begin, int64_t end, float scale) {
#pragma omp simd
  for (int64_t i = begin; i < end; ++i) cpu::store(dx[i], cpu::as_float(out[i]) > 0 ? cpu::as_float(grad[i]) * scale : 0.0f);
}

MT_CPU_CLONES void positive_float(const float* g, const float* y, float* dx, int64_t begin, int64_t end, float scale) {
  positive_range(g, y, dx, begin, end, scale);
}

MT_CPU_CLONES void positive_bf16(const c10::BFloat16* g, const c10::BFloat16* y, c10::BFloat16* dx, int64_t begin,
                                 int64_t end, float scale) {
  positive_range(g, y, dx, begin, end, scale);
}

void check_input(const at::Tensor& x, double p) {
  TORCH_CHECK(x.is_cpu() && (x.scalar_type() == at::kFloat || x.scalar_type() == at::kBFloat16),
              "dropout mask: float or bf16 CPU tensors only");
  TORCH_CHECK(p >= 0 && p < 1, "dropout probability must be in [0, 1)");
  TORCH_CHECK(x.numel() < (int64_t(1) << 32), "dropout mask: tensor too large for a 32-bit index");
}

}  // namespace

at::Tensor apply_dropout_mask(const at::Tensor& input, double p, uint64_t seed, bool relu) {
  check_input(input, p);
  auto x = input.contiguous();
  auto y = at::empty_like(x);
  // Kept when the hash is at or above p * 2^32: probability 1 - p to within 2^-32.
  const Mask m{uint32_t(std::min(std::ldexp(p, 32), 4294967295.0)), uint32_t(seed), uint32_t(seed >> 32),
               float(1.0 / (1.0 - p)), relu};
  at::parallel_for(0, x.numel(), 32768, [&](int64_t begin, int64_t end) {
    if (x.scalar_type() == at::kFloat)
      mask_float(x.data_ptr<float>(), y.data_ptr<float>(), begin, end, m);
    else
      mask_bf16(x.data_ptr<c10::BFloat16>(), y.data_ptr<c10::BFloat16>(), begin, end, m);
  });
  return y;
}

at::Tensor relu_dropout_backward(const at::Tensor& grad_in, const at::Tensor& output, double p) {
  check_input(output, p);
  auto grad = grad_in.to(output.scalar_type()).contiguous();
  auto y = output.contiguous();
  TORCH_CHECK(grad.sizes() == y.sizes(), "relu_dropout_backward: gradient and output differ in shape");
  auto dx = at::empty_like(y);
  const float scale = float(1.0 / (1.0 - p));
  at::parallel_for(0, y.numel(), 32768, [&](int64_t begin, int64_t end) {
    if (y.scalar_type() == at::kFloat)
      positive_float(grad.data_ptr<float>(), y.data_ptr<float>(), dx.data_ptr<float>(), begin, end, scale);
    else
      positive_bf16(grad.data_ptr<c10::BFloat16>(), y.data_ptr<c10::BFloat16>(), dx.data_ptr<c10::BFloat16>(), begin,
                    end, scale);
  });
  return dx;
}

}  // namespace mt
