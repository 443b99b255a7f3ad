#include "model/kernels/row_topk.h"

#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/topk.h>

#include <algorithm>

#include "model/kernels/cpu_math.h"

namespace mt {

namespace {

template <typename T>
MT_CPU_INLINE void topk_range(const T* x, int64_t V, int64_t stride, int64_t k, float* values,
                              int64_t* indices, int64_t begin, int64_t end) {
  for (int64_t row = begin; row < end; ++row) {
    const T* r = x + row * stride;
    float* val = values + row * k;
    int64_t* idx = indices + row * k;
    // Insertion into the sorted best-so-far; an equal score stays behind the earlier one.
    auto insert = [&](float score, int64_t v, int64_t count) {
      int64_t j = std::min(count, k - 1);  // when full, the k-th best drops out
      for (; j > 0 && score > val[j - 1]; --j) {
        val[j] = val[j - 1];
        idx[j] = idx[j - 1];
      }
      val[j] = score;
      idx[j] = v;
    };
    int64_t v = 0;
    for (; v < k; ++v) insert(cpu::as_float(r[v]), v, v);
    for (; v + 64 <= V; v += 64) {  // most blocks hold nothing above the k-th best: skip them whole
      using cpu::load16;
      const auto high = cpu::max(cpu::max(load16(r + v), load16(r + v + 16)), cpu::max(load16(r + v + 32), load16(r + v + 48)));
      if (!(cpu::max_lane(high) > val[k - 1])) continue;
      for (int64_t i = v; i < v + 64; ++i)
        if (cpu::as_float(r[i]) > val[k - 1]) insert(cpu::as_float(r[i]), i, k);
    }
    for (; v < V; ++v)
      if (cpu::as_float(r[v]) > val[k - 1]) insert(cpu::as_float(r[v]), v, k);
  }
}

MT_CPU_CLONES void topk_float(const float* x, int64_t V, int64_t stride, int64_t k, float* values, int64_t* indices,
                              int64_t begin, int64_t end) {
  topk_range(x, V, stride, k, values, indices, begin, end);
}

MT_CPU_CLONES void topk_bf16(const c10::BFloat16* x, int64_t V, int64_t stride, int64_t k, float* values,
                             int64_t* indices, int64_t begin, int64_t end) {
  topk_range(x, V, stride, k, values, indices, begin, end);
}

}  // namespace

std::tuple<at::Tensor, at::Tensor> row_topk(const at::Tensor& scores, int64_t k) {
  const auto type = scores.scalar_type();
  if (!scores.is_cpu() || (type != at::kFloat && type != at::kBFloat16) || scores.stride(1) != 1 || k > 64) {
    auto [values, indices] = at::topk(scores, k, 1);
    return {values.to(at::kFloat), indices};
  }
  const int64_t N = scores.size(0), V = scores.size(1), stride = scores.stride(0);
  TORCH_CHECK(k >= 1 && k <= V, "row_topk: k must be in [1, ", V, "]");
  auto values = at::empty({N, k}, scores.options().dtype(at::kFloat));
  auto indices = at::empty({N, k}, scores.options().dtype(at::kLong));
  float* val = values.data_ptr<float>();
  int64_t* idx = indices.data_ptr<int64_t>();
  at::parallel_for(0, N, cpu::grain(V), [&](int64_t begin, int64_t end) {
    if (type == at::kFloat)
      topk_float(scores.data_ptr<float>(), V, stride, k, val, idx, begin, end);
    else
      topk_bf16(scores.data_ptr<c10::BFloat16>(), V, stride, k, val, idx, begin, end);
  });
  return {values, indices};
}

}  // namespace mt
