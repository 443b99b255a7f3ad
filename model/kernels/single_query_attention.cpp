#include "model/kernels/single_query_attention.h"

#include <ATen/Parallel.h>
#include <ATen/TensorOperators.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/matmul.h>
#include <ATen/ops/softmax.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "model/kernels/cpu_math.h"

namespace mt {

namespace {

struct Layout {
  int64_t heads, d_head, group;           // group: query rows per key/value row (the beam)
  int64_t k_row, k_head, k_pos;           // strides of k
  int64_t v_row, v_head, v_pos;           // strides of v
  int64_t length, mask_row;               // mask_row: 0 when there is no mask
  const int32_t* origin = nullptr;        // cached keys: row n's position t is in row origin[n * length + t]
};

// Eight dot products finished at once: lane j of the result is the sum of d[j]'s lanes (three
// rounds of pairwise shuffles and adds instead of eight horizontal sums).
MT_CPU_INLINE cpu::Float8 transpose_sum8(const cpu::Float8 (&d)[8]) {
  using cpu::Int32x8;
  const Int32x8 even{0, 8, 2, 10, 4, 12, 6, 14}, odd{1, 9, 3, 11, 5, 13, 7, 15};
  const Int32x8 low_pairs{0, 1, 8, 9, 4, 5, 12, 13}, high_pairs{2, 3, 10, 11, 6, 7, 14, 15};
  const Int32x8 low_half{0, 1, 2, 3, 8, 9, 10, 11}, high_half{4, 5, 6, 7, 12, 13, 14, 15};
  cpu::Float8 u[4], w[2];
  for (int i = 0; i < 4; ++i)
    u[i] = __builtin_shuffle(d[2 * i], d[2 * i + 1], even) + __builtin_shuffle(d[2 * i], d[2 * i + 1], odd);
  for (int i = 0; i < 2; ++i)
    w[i] = __builtin_shuffle(u[2 * i], u[2 * i + 1], low_pairs) + __builtin_shuffle(u[2 * i], u[2 * i + 1], high_pairs);
  return __builtin_shuffle(w[0], w[1], low_half) + __builtin_shuffle(w[0], w[1], high_half);
}

// query . key, as eight lanes still to be summed.
template <int B, typename T>
MT_CPU_INLINE cpu::Float8 partial_dot(const cpu::Float8 (&query)[B], const T* key) {
  cpu::Float8 sum = query[0] * cpu::load8(key);
  for (int b = 1; b < B; ++b) sum += query[b] * cpu::load8(key + 8 * b);
  return sum;
}

// Rows x heads items [begin, end): scores, softmax and the weighted sum of values, in float. The
// query and the output of an item stay in registers as B blocks of eight lanes (d_head = 8 B).
template <typename T, int B>
MT_CPU_INLINE void attend_items(const T* q, const T* k, const T* v, const float* mask,
                                T* out, const Layout& s, float scale, int64_t begin,
                                int64_t end) {
  using cpu::Float8;
  using cpu::load8;
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();
  const int64_t length = s.length;
  std::vector<float> scores(static_cast<size_t>(length));
  for (int64_t item = begin; item < end; ++item) {
    const int64_t n = item / s.heads, h = item % s.heads, m = n / s.group;
    const int32_t* origin = s.origin ? s.origin + n * length : nullptr;
    const T* key = k + h * s.k_head;
    const T* value = v + h * s.v_head;
    auto key_at = [&](int64_t t) { return key + (origin ? origin[t] : m) * s.k_row + t * s.k_pos; };
    auto value_at = [&](int64_t t) { return value + (origin ? origin[t] : m) * s.v_row + t * s.v_pos; };
    const float* mi = mask ? mask + m * s.mask_row : nullptr;
    Float8 query[B];
    for (int b = 0; b < B; ++b) query[b] = load8(q + item * s.d_head + 8 * b) * scale;

    Float8 best8 = Float8{} + kNegInf;
    int64_t t = 0;
    for (; t + 8 <= length; t += 8) {
      Float8 d[8];
      for (int j = 0; j < 8; ++j) d[j] = partial_dot(query, key_at(t + j));
      Float8 block = transpose_sum8(d);
      if (mi) block += load8(mi + t);
      cpu::store8(scores.data() + t, block);
      best8 = block > best8 ? block : best8;
    }
    float best = std::max(std::max(std::max(best8[0], best8[1]), std::max(best8[2], best8[3])),
                          std::max(std::max(best8[4], best8[5]), std::max(best8[6], best8[7])));
    for (; t < length; ++t) {
      scores[size_t(t)] = cpu::sum8(partial_dot(query, key_at(t))) + (mi ? mi[t] : 0.0f);
      best = std::max(best, scores[size_t(t)]);
    }

    Float8 acc[B] = {};
    if (best > kNegInf) {  // else every key is masked: zeros
      Float8 total8{};
      for (t = 0; t + 8 <= length; t += 8) {
        const Float8 e = cpu::exp_nonpositive(load8(scores.data() + t) - best);
        cpu::store8(scores.data() + t, e);
        total8 += e;
      }
      float total = cpu::sum8(total8);
      for (; t < length; ++t) total += scores[size_t(t)] = std::exp(scores[size_t(t)] - best);
      for (t = 0; t < length; ++t) {
        const T* vt = value_at(t);
        const float p = scores[size_t(t)];
        for (int b = 0; b < B; ++b) acc[b] += p * load8(vt + 8 * b);
      }
      for (int b = 0; b < B; ++b) acc[b] *= 1.0f / total;
    }
    for (int b = 0; b < B; ++b) cpu::store8(out + item * s.d_head + 8 * b, acc[b]);
  }
}

// d_head is 8, 16, 32, 64 or 128 (fused_kernel_fits).
template <typename T>
MT_CPU_INLINE void attend_any(const T* q, const T* k, const T* v, const float* mask, T* out,
                              const Layout& s, float scale, int64_t begin, int64_t end) {
  switch (s.d_head) {
    case 8: return attend_items<T, 1>(q, k, v, mask, out, s, scale, begin, end);
    case 16: return attend_items<T, 2>(q, k, v, mask, out, s, scale, begin, end);
    case 32: return attend_items<T, 4>(q, k, v, mask, out, s, scale, begin, end);
    case 64: return attend_items<T, 8>(q, k, v, mask, out, s, scale, begin, end);
    default: return attend_items<T, 16>(q, k, v, mask, out, s, scale, begin, end);
  }
}

MT_CPU_CLONES void attend_float(
    const float* q, const float* k, const float* v, const float* mask, float* out, const Layout& s, float scale,
    int64_t begin, int64_t end) {
  attend_any(q, k, v, mask, out, s, scale, begin, end);
}

MT_CPU_CLONES void attend_bf16(
    const c10::BFloat16* q, const c10::BFloat16* k, const c10::BFloat16* v, const float* mask, c10::BFloat16* out,
    const Layout& s, float scale, int64_t begin, int64_t end) {
  attend_any(q, k, v, mask, out, s, scale, begin, end);
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
         v.scalar_type() == type && k.stride(3) == 1 && v.stride(3) == 1 &&
         (q.size(2) == 8 || q.size(2) == 16 || q.size(2) == 32 || q.size(2) == 64 || q.size(2) == 128);
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
