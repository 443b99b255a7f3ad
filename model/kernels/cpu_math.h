// The one place where the hand-written CPU kernels get their instruction sets: the ISA clones of
// the vector-extension kernels (attention, layer norm, log-sum-exp, top-k), the AVX-512 targets
// of the intrinsic ones (packed products, run where cpu_features.h says so); and their small float helpers: bf16
// read and written as float, eight-wide loads and exp.
#pragma once
#include <c10/util/BFloat16.h>

#include "model/kernels/cpu_features.h"

#include <algorithm>
#include <cstdint>

// Compile a kernel for AVX-512, AVX2 and plain x86-64; the loader picks the best the CPU has. The
// x86-64-v4/v3 levels, not bare "avx512f"/"avx2", so that the clones may use FMA (and AVX-512VL):
// without it every a * b + c is a multiply and an add.
#define MT_CPU_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

// Kernels written with AVX-512 intrinsics (the packed products) are compiled for that level only
// and run where the matching check below says the CPU has it; callers fall back to LibTorch.
#define MT_AVX512 __attribute__((target("avx512f")))
#define MT_AVX512_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

// The helpers below take and return vectors: a copy compiled on its own would follow the default
// target's calling convention, not the AVX clone's, so each is forced inline into its caller.
#define MT_CPU_INLINE inline __attribute__((always_inline))

namespace mt::cpu {

// Items per parallel task so that each task does about ATen's grain of work (32768 operations).
MT_CPU_INLINE int64_t grain(int64_t work_per_item) { return std::max<int64_t>(1, 32768 / std::max<int64_t>(1, work_per_item)); }

MT_CPU_INLINE float as_float(float x) { return x; }
MT_CPU_INLINE float as_float(c10::BFloat16 x) { return c10::detail::f32_from_bits(x.x); }
MT_CPU_INLINE void store(float& out, float x) { out = x; }
MT_CPU_INLINE void store(c10::BFloat16& out, float x) { out = c10::BFloat16(x); }  // rounds to nearest even

// Eight floats in one value: GCC's vector extension turns their arithmetic into SIMD instructions
// of whatever width the function is compiled for (two SSE halves by default).
typedef float Float8 __attribute__((vector_size(32)));
typedef int32_t Int32x8 __attribute__((vector_size(32)));

MT_CPU_INLINE Float8 load8(const float* p) {
  Float8 v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
MT_CPU_INLINE Float8 load8(const c10::BFloat16* p) {  // bf16 is the high half of a float
  typedef uint16_t Half8 __attribute__((vector_size(16)));
  Half8 h;
  __builtin_memcpy(&h, p, sizeof h);
  return (Float8)(__builtin_convertvector(h, Int32x8) << 16);
}

MT_CPU_INLINE void store8(float* p, Float8 v) { __builtin_memcpy(p, &v, sizeof v); }
MT_CPU_INLINE void store8(c10::BFloat16* p, Float8 v) {
  for (int i = 0; i < 8; ++i) p[i] = c10::BFloat16(v[i]);
}
MT_CPU_INLINE float sum8(Float8 v) { return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7])); }

// Sixteen floats: one AVX-512 register in the x86-64-v4 clone, two or four elsewhere. Long loops
// (over a vocabulary) run half as many instructions as with Float8.
typedef float Float16 __attribute__((vector_size(64)));
typedef int32_t Int32x16 __attribute__((vector_size(64)));

MT_CPU_INLINE Float16 load16(const float* p) {
  Float16 v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
MT_CPU_INLINE Float16 load16(const c10::BFloat16* p) {
  typedef uint16_t Half16 __attribute__((vector_size(32)));
  Half16 h;
  __builtin_memcpy(&h, p, sizeof h);
  return (Float16)(__builtin_convertvector(h, Int32x16) << 16);
}

MT_CPU_INLINE void store16(float* p, Float16 v) { __builtin_memcpy(p, &v, sizeof v); }
MT_CPU_INLINE void store16(c10::BFloat16* p, Float16 v) {  // rounded to nearest even, as c10::BFloat16(float)
  typedef uint16_t Half16 __attribute__((vector_size(32)));
  typedef uint32_t Uint32x16 __attribute__((vector_size(64)));
  const Uint32x16 bits = (Uint32x16)v;
  const Uint32x16 rounded = (bits + (((bits >> 16) & 1u) + 0x7fffu)) >> 16;
  const Uint32x16 quiet_nan = (bits >> 16) | 0x0040u;  // a NaN stays a NaN (rounding could carry it to inf)
  const Half16 h = __builtin_convertvector(v == v ? rounded : quiet_nan, Half16);
  __builtin_memcpy(p, &h, sizeof h);
}

// Lane-wise larger of a and b, where a NaN loses (it is never above anything).
template <typename F>
MT_CPU_INLINE F max(F a, F b) {
  const F b_or_a = b == b ? b : a;  // two selects: GCC scalarizes an OR of two compares' masks
  return a > b_or_a ? a : b_or_a;
}

// The largest lane (NaN lanes ignored), by halving: a shuffle and a max per level, not sixteen
// extractions (GCC turns an "any lane" test of a compare into exactly those).
MT_CPU_INLINE float max_lane(Float16 v) {
  typedef float Float4 __attribute__((vector_size(16)));
  const Float8 m8 = max(__builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7),
                        __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15));
  const Float4 m4 = max(__builtin_shufflevector(m8, m8, 0, 1, 2, 3), __builtin_shufflevector(m8, m8, 4, 5, 6, 7));
  const Float4 m2 = max(m4, __builtin_shufflevector(m4, m4, 2, 3, 0, 1));
  return max(m2, __builtin_shufflevector(m2, m2, 1, 0, 3, 2))[0];
}

// exp(x) for x <= 0 within ~2 ulp (Cephes' expf: 2^n times a polynomial of the remainder); 0 below
// -87, where a float would go subnormal. F is Float8 or Float16, I the integer vector of its width.
template <typename F, typename I>
MT_CPU_INLINE F exp_nonpositive(F x) {
  const I underflow = x < -87.0f;
  x = underflow ? F{} - 87.0f : x;
  const I n = __builtin_convertvector(x * 1.44269504088896341f - 0.5f, I);  // rounded, x <= 0
  const F nf = __builtin_convertvector(n, F);
  const F r = x - nf * 0.693359375f + nf * 2.12194440e-4f;
  F p = F{} + 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const F y = p * (F)((n + 127) << 23);
  return underflow ? F{} : y;
}
MT_CPU_INLINE Float8 exp_nonpositive(Float8 x) { return exp_nonpositive<Float8, Int32x8>(x); }
MT_CPU_INLINE Float16 exp_nonpositive(Float16 x) { return exp_nonpositive<Float16, Int32x16>(x); }

}  // namespace mt::cpu
