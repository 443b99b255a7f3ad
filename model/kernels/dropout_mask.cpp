#include "model/kernels/dropout_mask.h"

#include <ATen/Parallel.h>
#include <ATen/ops/empty_like.h>

#include <cmath>

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

template <typename T>
MT_CPU_INLINE void mask_range(const T* x, T* y, int64_t begin, int64_t end, uint32_t threshold, float scale,
                              uint32_t seed_lo, uint32_t seed_hi) {
#pragma omp simd
  for (int64_t i = begin; i < end; ++i) {
    const uint32_t h = mix32(mix32(uint32_t(i) ^ seed_lo) + seed_hi);
    cpu::store(y[i], h >= threshold ? cpu::as_float(x[i]) * scale : 0.0f);
  }
}

MT_CPU_CLONES void mask_float(const float* x, float* y, int64_t begin, int64_t end, uint32_t threshold, float scale,
                              uint32_t seed_lo, uint32_t seed_hi) {
  mask_range(x, y, begin, end, threshold, scale, seed_lo, seed_hi);
}

MT_CPU_CLONES void mask_bf16(const c10::BFloat16* x, c10::BFloat16* y, int64_t begin, int64_t end, uint32_t threshold,
                             float scale, uint32_t seed_lo, uint32_t seed_hi) {
  mask_range(x, y, begin, end, threshold, scale, seed_lo, seed_hi);
}

}  // namespace

at::Tensor apply_dropout_mask(const at::Tensor& input, double p, uint64_t seed) {
  TORCH_CHECK(input.is_cpu() && (input.scalar_type() == at::kFloat || input.scalar_type() == at::kBFloat16),
              "dropout mask: float or bf16 CPU tensors only");
  TORCH_CHECK(p >= 0 && p < 1, "dropout probability must be in [0, 1)");
  TORCH_CHECK(input.numel() < (int64_t(1) << 32), "dropout mask: tensor too large for a 32-bit index");
  auto x = input.contiguous();
  auto y = at::empty_like(x);
  // Kept when the hash is at or above p * 2^32: probability 1 - p to within 2^-32.
  const auto threshold = uint32_t(std::min(std::ldexp(p, 32), 4294967295.0));
  const float scale = float(1.0 / (1.0 - p));
  const auto lo = uint32_t(seed), hi = uint32_t(seed >> 32);
  at::parallel_for(0, x.numel(), 32768, [&](int64_t begin, int64_t end) {
    if (x.scalar_type() == at::kFloat)
      mask_float(x.data_ptr<float>(), y.data_ptr<float>(), begin, end, threshold, scale, lo, hi);
    else
      mask_bf16(x.data_ptr<c10::BFloat16>(), y.data_ptr<c10::BFloat16>(), begin, end, threshold, scale, lo, hi);
  });
  return y;
}

}  // namespace mt
