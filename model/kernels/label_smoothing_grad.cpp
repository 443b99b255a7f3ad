#include "model/kernels/label_smoothing_grad.h"

#include <ATen/Parallel.h>
#include <ATen/ops/empty_like.h>

#include "model/kernels/cpu_math.h"

namespace mt {

namespace {

template <typename T>
MT_CPU_INLINE void grad_rows(const T* x, const int64_t* targets, const float* lse, const float* scale, T* out,
                             int64_t V, float epsilon, int64_t begin, int64_t end) {
  const float uniform = epsilon / float(V);
  for (int64_t row = begin; row < end; ++row) {
    const T* r = x + row * V;
    T* o = out + row * V;
    const float g = scale[row];
    if (g == 0.0f) {  // padding
      for (int64_t v = 0; v < V; ++v) o[v] = T(0.0f);
      continue;
    }
    const float shift = lse[row], offset = g * uniform;
    int64_t v = 0;
    for (; v + 16 <= V; v += 16) {
      cpu::store16(o + v, g * cpu::exp_nonpositive(cpu::load16(r + v) - shift) - offset);
    }
    for (; v < V; ++v) cpu::store(o[v], g * std::exp(cpu::as_float(r[v]) - shift) - offset);
    const int64_t t = targets[row];
    cpu::store(o[t], cpu::as_float(o[t]) - g * (1.0f - epsilon));
  }
}

MT_CPU_CLONES void grad_float(const float* x, const int64_t* t, const float* lse, const float* scale, float* out,
                              int64_t V, float epsilon, int64_t begin, int64_t end) {
  grad_rows(x, t, lse, scale, out, V, epsilon, begin, end);
}

MT_CPU_CLONES void grad_bf16(const c10::BFloat16* x, const int64_t* t, const float* lse, const float* scale,
                             c10::BFloat16* out, int64_t V, float epsilon, int64_t begin, int64_t end) {
  grad_rows(x, t, lse, scale, out, V, epsilon, begin, end);
}

}  // namespace

at::Tensor label_smoothing_grad(const at::Tensor& logits, const at::Tensor& targets, const at::Tensor& logsumexp,
                                const at::Tensor& row_scale, double epsilon) {
  const auto type = logits.scalar_type();
  TORCH_CHECK(logits.is_cpu() && logits.dim() == 2 && logits.is_contiguous() && (type == at::kFloat || type == at::kBFloat16),
              "label_smoothing_grad: contiguous (N, V) float or bf16 CPU logits");
  const int64_t N = logits.size(0), V = logits.size(1);
  TORCH_CHECK(targets.numel() == N && logsumexp.numel() == N && row_scale.numel() == N, "label_smoothing_grad: one value per row");
  auto t = targets.to(at::kLong).contiguous();
  auto lse = logsumexp.to(at::kFloat).contiguous(), scale = row_scale.to(at::kFloat).contiguous();
  TORCH_CHECK(N == 0 || (t.min().item<int64_t>() >= 0 && t.max().item<int64_t>() < V), "label_smoothing_grad: target outside the vocabulary");
  auto out = at::empty_like(logits);
  at::parallel_for(0, N, cpu::grain(V), [&](int64_t begin, int64_t end) {
    if (type == at::kFloat)
      grad_float(logits.data_ptr<float>(), t.data_ptr<int64_t>(), lse.data_ptr<float>(), scale.data_ptr<float>(),
                 out.data_ptr<float>(), V, float(epsilon), begin, end);
    else
      grad_bf16(logits.data_ptr<c10::BFloat16>(), t.data_ptr<int64_t>(), lse.data_ptr<float>(), scale.data_ptr<float>(),
                out.data_ptr<c10::BFloat16>(), V, float(epsilon), begin, end);
  });
  return out;
}

}  // namespace mt
