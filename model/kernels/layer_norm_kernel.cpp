#include "model/kernels/layer_norm_kernel.h"

#include <ATen/Parallel.h>
#include <ATen/ops/empty_like.h>

#include <cmath>

#include "model/kernels/cpu_math.h"

namespace mt {

namespace {

template <typename T>
MT_CPU_INLINE void normalize_rows(const T* x, const T* w, const T* b, T* y, int64_t d,
                                  float eps, int64_t begin, int64_t end) {
  using cpu::as_float;
  for (int64_t row = begin; row < end; ++row) {
    const T* xr = x + row * d;
    float sum = 0;
#pragma omp simd reduction(+ : sum)
    for (int64_t i = 0; i < d; ++i) sum += as_float(xr[i]);
    const float mean = sum / float(d);
    float squares = 0;
#pragma omp simd reduction(+ : squares)
    for (int64_t i = 0; i < d; ++i) squares += (as_float(xr[i]) - mean) * (as_float(xr[i]) - mean);
    const float scale = 1.0f / std::sqrt(squares / float(d) + eps);
    T* yr = y + row * d;
    for (int64_t i = 0; i < d; ++i) cpu::store(yr[i], (as_float(xr[i]) - mean) * scale * as_float(w[i]) + as_float(b[i]));
  }
}

MT_CPU_CLONES void normalize_float(const float* x, const float* w, const float* b, float* y, int64_t d, float eps,
                                   int64_t begin, int64_t end) {
  normalize_rows(x, w, b, y, d, eps, begin, end);
}

MT_CPU_CLONES void normalize_bf16(const c10::BFloat16* x, const c10::BFloat16* w, const c10::BFloat16* b,
                                  c10::BFloat16* y, int64_t d, float eps, int64_t begin, int64_t end) {
  normalize_rows(x, w, b, y, d, eps, begin, end);
}

}  // namespace

at::Tensor layer_norm_cpu(const at::Tensor& x_in, const at::Tensor& weight_in, const at::Tensor& bias_in, double eps) {
  const auto x = x_in.contiguous(), weight = weight_in.contiguous(), bias = bias_in.contiguous();
  const int64_t d = x.size(-1), rows = x.numel() / std::max<int64_t>(1, d);
  auto y = at::empty_like(x);
  at::parallel_for(0, rows, cpu::grain(2 * d), [&](int64_t begin, int64_t end) {
    if (x.scalar_type() == at::kFloat)
      normalize_float(x.data_ptr<float>(), weight.data_ptr<float>(), bias.data_ptr<float>(), y.data_ptr<float>(), d,
                      float(eps), begin, end);
    else
      normalize_bf16(x.data_ptr<c10::BFloat16>(), weight.data_ptr<c10::BFloat16>(), bias.data_ptr<c10::BFloat16>(),
                     y.data_ptr<c10::BFloat16>(), d, float(eps), begin, end);
  });
  return y;
}

}  // namespace mt
