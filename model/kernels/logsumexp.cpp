#include "model/kernels/logsumexp.h"

#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/logsumexp.h>
#include <ATen/ops/sum.h>

#include <cmath>
#include <limits>

#include "model/kernels/cpu_math.h"

namespace mt {

namespace {

template <typename T>
MT_CPU_INLINE void logsumexp_range(const T* x, int64_t V, int64_t stride, float* out, float* row_sums,
                                   int64_t begin, int64_t end) {
  using cpu::as_float;
  for (int64_t row = begin; row < end; ++row) {
    const T* r = x + row * stride;
    float best = -std::numeric_limits<float>::infinity(), total = 0;
#pragma omp simd reduction(max : best) reduction(+ : total)
    for (int64_t v = 0; v < V; ++v) {
      best = std::max(best, as_float(r[v]));
      total += as_float(r[v]);
    }
    if (row_sums) row_sums[row] = total;
    if (!std::isfinite(best)) {  // all -inf, or inf/nan: what log(sum(exp)) gives
      out[row] = best;
      continue;
    }
    cpu::Float16 sums{};
    int64_t v = 0;
    for (; v + 16 <= V; v += 16) sums += cpu::exp_nonpositive(cpu::load16(r + v) - best);
    float sum = 0;
    for (int i = 0; i < 16; ++i) sum += sums[i];
    for (; v < V; ++v) sum += std::exp(as_float(r[v]) - best);
    out[row] = best + std::log(sum);
  }
}

MT_CPU_CLONES void logsumexp_float(const float* x, int64_t V, int64_t stride, float* out, float* row_sums,
                                   int64_t begin, int64_t end) {
  logsumexp_range(x, V, stride, out, row_sums, begin, end);
}

MT_CPU_CLONES void logsumexp_bf16(const c10::BFloat16* x, int64_t V, int64_t stride, float* out, float* row_sums,
                                  int64_t begin, int64_t end) {
  logsumexp_range(x, V, stride, out, row_sums, begin, end);
}

}  // namespace

at::Tensor logsumexp_rows(const at::Tensor& logits, at::Tensor* row_sums) {
  const auto type = logits.scalar_type();
  if (!logits.is_cpu() || (type != at::kFloat && type != at::kBFloat16) || logits.stride(1) != 1) {
    if (row_sums) *row_sums = at::sum(logits, {1}, false, at::kFloat);
    return at::logsumexp(logits.to(at::kFloat), 1);
  }
  const int64_t N = logits.size(0), V = logits.size(1), stride = logits.stride(0);
  auto out = at::empty({N}, logits.options().dtype(at::kFloat));
  float* o = out.data_ptr<float>();
  float* sums = nullptr;
  if (row_sums) {
    *row_sums = at::empty({N}, logits.options().dtype(at::kFloat));
    sums = row_sums->data_ptr<float>();
  }
  at::parallel_for(0, N, cpu::grain(V), [&](int64_t begin, int64_t end) {
    if (type == at::kFloat)
      logsumexp_float(logits.data_ptr<float>(), V, stride, o, sums, begin, end);
    else
      logsumexp_bf16(logits.data_ptr<c10::BFloat16>(), V, stride, o, sums, begin, end);
  });
  return out;
}

}  // namespace mt
