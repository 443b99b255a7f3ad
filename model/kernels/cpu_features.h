// What this CPU runs, asked once: which kernels may run (AVX-512, AVX512-BF16) and which precision
// is the faster (AMX, the vendor; see compute_type.cpp and train/mixed_precision.cpp).
#pragma once
#include <cpuid.h>

namespace mt::cpu {

inline bool has_avx512() {
  static const bool yes = __builtin_cpu_supports("avx512f");
  return yes;
}
inline bool has_avx512_bf16() {
  static const bool yes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                          __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bf16");
  return yes;
}

// AMX's bf16 tile products (Sapphire Rapids and later), which oneDNN runs for LibTorch's bf16
// matrix products: CPUID leaf 7's EDX bit 22. A hypervisor may hide it (then oneDNN cannot use it).
inline bool has_amx_bf16() {
  static const bool yes = [] {
    unsigned a = 0, b = 0, c = 0, d = 0;
    return __get_cpuid_count(7, 0, &a, &b, &c, &d) != 0 && ((d >> 22) & 1u) != 0;
  }();
  return yes;
}
inline bool is_amd() {
  static const bool yes = __builtin_cpu_is("amd");
  return yes;
}

}  // namespace mt::cpu
