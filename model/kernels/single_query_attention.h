// Attention of one query per row: the shape of every decoding step. On the CPU it runs fused, one
// pass over each row's keys and values with no (rows x heads x length x d_head) temporaries, and
// the beams of a sentence share its encoder keys/values instead of each holding a copy.
#pragma once
#include <ATen/core/Tensor.h>

namespace mt {

// q (N, heads, d_head); k, v (M, heads, T, d_head) with a contiguous last dimension (views of a
// longer cache are fine); N is a multiple of M and row n attends to k[n / (N / M)], v[n / (N / M)];
// mask (M, T) additive float, or undefined for none. Returns (N, heads * d_head) in q's dtype.
at::Tensor single_query_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                  const at::Tensor& mask, double scale);

// Self-attention over a decoding cache: k, v (T, slots, heads, d_head) with a contiguous last
// dimension; origin (N, T) int32: query row n reads position t from slot origin[n, t].
at::Tensor cached_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& origin,
                            double scale);

// The same with batched matrix products, for devices without the fused kernel (and as its check).
at::Tensor single_query_attention_matmul(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                         const at::Tensor& mask, double scale);

}  // namespace mt
