#include "model/network/single_query_attention.h"

#include <ATen/Parallel.h>
#include <ATen/TensorOperators.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/matmul.h>
#include <ATen/ops/softmax.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "model/network/cpu_math.h"

namespace mt {

namespace {

struct Layout {
  int64_t heads, d_head, group;           // group: query rows per key/value row (the beam)
  int64_t k_row, k_head, k_pos;           // strides of k
  int64_t v_row, v_head, v_pos;           // strides of v
  int64_t length, mask_row;               // mask_row: 0 when there is no mask
  const int32_t* origin = nullptr;        // cached keys: row n's position t is in row origin[n * length + t]
};

// Rows x heads items [begin, end): scores, softmax and the weighted sum of values, in float, eight
// lanes of d_head at a time.
template <typename T>
__attribute__((always_inline)) inline void attend_items(const T* q, const T* k, const T* v, const float* mask,
                                                       T* out, const Layout& s, float scale, int64_t begin,
                                                       int64_t end) {
  using cpu::Float8;
  using cpu::load8;
  const int64_t dh = s.d_head, blocks = dh / 8;
  std::vector<float> scores(static_cast<size_t>(s.length)), query(static_cast<size_t>(dh)), acc(static_cast<size_t>(dh));
  for (int64_t item = begin; item < end; ++item) {
    const int64_t n = item / s.heads, h = item % s.heads, m = n / s.group;
    const T* qi = q + item * dh;
    const int32_t* origin = s.origin ? s.origin + n * s.length : nullptr;
    auto row = [&](int64_t t) -> int64_t { return origin ? origin[t] : m; };
    const float* mi = mask ? mask + m * s.mask_row : nullptr;
    for (int64_t b = 0; b < blocks; ++b) cpu::store8(query.data() + 8 * b, load8(qi + 8 * b) * scale);

    float best = -std::numeric_limits<float>::infinity();
    for (int64_t t = 0; t < s.length; ++t) {
      const T* kt = k + row(t) * s.k_row + h * s.k_head + t * s.k_pos;
      Float8 dot{};
      for (int64_t b = 0; b < blocks; ++b) dot += load8(query.data() + 8 * b) * load8(kt + 8 * b);
      const float score = cpu::sum8(dot) + (mi ? mi[t] : 0.0f);
      scores[size_t(t)] = score;
      best = std::max(best, score);
    }
    std::fill(acc.begin(), acc.end(), 0.0f);
    if (best > -std::numeric_limits<float>::infinity()) {  // else every key is masked: zeros
      float total = 0;
      for (int64_t t = 0; t < s.length; ++t) total += scores[size_t(t)] = std::exp(scores[size_t(t)] - best);
      for (int64_t t = 0; t < s.length; ++t) {
        const float p = scores[size_t(t)] / total;
        const T* vt = v + row(t) * s.v_row + h * s.v_head + t * s.v_pos;
        for (int64_t b = 0; b < blocks; ++b) cpu::store8(acc.data() + 8 * b, load8(acc.data() + 8 * b) + p * load8(vt + 8 * b));
      }
    }
    T* oi = out + item * dh;
    for (int64_t b = 0; b < blocks; ++b) cpu::store8(oi + 8 * b, load8(acc.data() + 8 * b));
  }
}

MT_CPU_CLONES void attend_float(
    const float* q, const float* k, const float* v, const float* mask, float* out, const Layout& s, float scale,
    int64_t begin, int64_t end) {
  attend_items(q, k, v, mask, out, s, scale, begin, end);
}

MT_CPU_CLONES void attend_bf16(
    const c10::BFloat16* q, const c10::BFloat16* k, const c10::BFloat16* v, const float* mask, c10::BFloat16* out,
    const Layout& s, float scale, int64_t begin, int64_t end) {
  attend_items(q, k, v, mask, out, s, scale, begin, end);
}

// Runs the kernel over every (row, head) of q, in float or bf16.
at::Tensor attend_all(const at::Tensor& q_in, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask,
                      const Layout& s, double scale) {
  const auto type = q_in.scalar_type();
  auto q = q_in.contiguous();
  const int64_t N = q.size(0), heads = q.size(1), dh = q.size(2);
  auto out = at::empty({N, heads * dh}, q.options());
  const float* mask_data = mask.defined() ? mask.data_ptr<float>() : nullptr;
  at::parallel_for(0, N * heads, cpu::grain(4 * s.length * dh), [&](int64_t begin, int64_t end) {
    if (type == at::kFloat)
      attend_float(q.data_ptr<float>(), k.data_ptr<float>(), v.data_ptr<float>(), mask_data, out.data_ptr<float>(),
                   s, float(scale), begin, end);
    else
      attend_bf16(q.data_ptr<c10::BFloat16>(), k.data_ptr<c10::BFloat16>(), v.data_ptr<c10::BFloat16>(), mask_data,
                  out.data_ptr<c10::BFloat16>(), s, float(scale), begin, end);
  });
  return out;
}

bool fused_kernel_fits(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  const auto type = q.scalar_type();
  return q.is_cpu() && (type == at::kFloat || type == at::kBFloat16) && k.scalar_type() == type &&
         v.scalar_type() == type && k.stride(3) == 1 && v.stride(3) == 1 && q.size(2) % 8 == 0;
}

}  // namespace

at::Tensor single_query_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                  const at::Tensor& mask_in, double scale) {
  if (!fused_kernel_fits(q, k, v)) return single_query_attention_matmul(q, k, v, mask_in, scale);
  const int64_t N = q.size(0), M = k.size(0), T = k.size(2);
  TORCH_CHECK(M > 0 && N % M == 0, "query rows must be a multiple of key/value rows");
  auto mask = mask_in.defined() ? mask_in.to(at::kFloat).reshape({M, T}).contiguous() : mask_in;
  const Layout s{q.size(1), q.size(2), N / M, k.stride(0), k.stride(1), k.stride(2), v.stride(0), v.stride(1),
                 v.stride(2), T, mask.defined() ? T : 0};
  return attend_all(q, k, v, mask, s, scale);
}

at::Tensor cached_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& origin,
                            double scale) {
  const int64_t T = k.size(0);
  if (!fused_kernel_fits(q, k, v)) {  // gather each row's keys and values: (N, T, heads, d_head)
    auto steps = at::arange(T, origin.options().dtype(at::kLong)).unsqueeze(0);
    auto rows = origin.to(at::kLong);
    auto gather = [&](const at::Tensor& x) { return x.index({steps, rows}).permute({0, 2, 1, 3}); };
    return single_query_attention_matmul(q, gather(k), gather(v), at::Tensor(), scale);
  }
  auto table = origin.contiguous();
  Layout s{q.size(1), q.size(2), 1, k.stride(1), k.stride(2), k.stride(0), v.stride(1), v.stride(2), v.stride(0), T, 0};
  s.origin = table.data_ptr<int32_t>();
  return attend_all(q, k, v, at::Tensor(), s, scale);
}

at::Tensor single_query_attention_matmul(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                         const at::Tensor& mask, double scale) {
  const int64_t N = q.size(0), heads = q.size(1), dh = q.size(2), M = k.size(0), T = k.size(2);
  TORCH_CHECK(M > 0 && N % M == 0, "query rows must be a multiple of key/value rows");
  auto grouped = q.reshape({M, N / M, heads, dh}).transpose(1, 2);  // (M, heads, group, d_head)
  auto scores = at::matmul(grouped, k.transpose(-2, -1)).mul_(scale);
  if (mask.defined()) scores = scores + mask.reshape({M, 1, 1, T}).to(scores.scalar_type());
  auto out = at::matmul(at::softmax(scores, -1).to(v.scalar_type()), v);  // (M, heads, group, d_head)
  return out.transpose(1, 2).reshape({N, heads * dh});
}

}  // namespace mt
