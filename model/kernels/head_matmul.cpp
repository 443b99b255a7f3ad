#include "model/kernels/head_matmul.h"

#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>
#include <cblas.h>

#include <algorithm>

#include "model/kernels/cpu_math.h"

namespace mt {

namespace {

// One operand's (B, H) matrices as BLAS reads them in row-major order: row-major ones as they
// are, column-major ones (a transposed view) as the transpose of a row-major matrix.
struct Operand {
  at::Tensor tensor;  // keeps a copy alive where one was needed
  const float* data;
  int64_t batch_stride, head_stride, ld;
  CBLAS_TRANSPOSE trans;
};

// Whether BLAS can step over a matrix's rows (or columns) in place: a unit stride inside each,
// and a leading dimension of at least their length (unless there is only one).
bool readable(int64_t inner_stride, int64_t lead_stride, int64_t count, int64_t length) {
  return inner_stride == 1 && (count == 1 || lead_stride >= length);
}

Operand operand(const at::Tensor& x) {
  const int64_t rows = x.size(2), cols = x.size(3);
  const bool row_major = readable(x.stride(3), x.stride(2), rows, cols);
  const bool col_major = !row_major && readable(x.stride(2), x.stride(3), cols, rows);
  const auto t = row_major || col_major ? x : x.contiguous();
  const int64_t ld = col_major ? std::max({t.stride(3), rows, int64_t(1)}) : std::max({t.stride(2), cols, int64_t(1)});
  return {t, t.data_ptr<float>(), t.stride(0), t.stride(1), ld, col_major ? CblasTrans : CblasNoTrans};
}

}  // namespace

bool head_matmul_applies(const at::Tensor& a, const at::Tensor& b) {
  return a.is_cpu() && b.is_cpu() && a.scalar_type() == at::kFloat && b.scalar_type() == at::kFloat && a.dim() == 4 &&
         b.dim() == 4;
}

at::Tensor head_matmul(const at::Tensor& a, const at::Tensor& b, double alpha, bool heads_inside) {
  TORCH_CHECK(head_matmul_applies(a, b), "head_matmul: 4-D float CPU tensors only");
  const int64_t B = a.size(0), H = a.size(1), M = a.size(2), K = a.size(3), N = b.size(3);
  TORCH_CHECK(b.size(0) == B && b.size(1) == H && b.size(2) == K, "head_matmul: shapes ", a.sizes(), " and ",
              b.sizes(), " do not multiply");
  auto out = heads_inside ? at::empty({B, M, H, N}, a.options()).transpose(1, 2) : at::empty({B, H, M, N}, a.options());
  if (out.numel() == 0) return out;
  if (K == 0) return out.zero_();
  const Operand x = operand(a), y = operand(b);
  float* c = out.data_ptr<float>();
  const int64_t c_batch = out.stride(0), c_head = out.stride(1), ldc = out.stride(2);
  // Each task multiplies whole heads on one thread: BLAS, called inside the parallel region,
  // stays on the caller's thread (and would for matrices this small anyway).
  at::parallel_for(0, B * H, cpu::grain(M * N * K), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const int64_t n = i / H, h = i % H;
      cblas_sgemm(CblasRowMajor, x.trans, y.trans, int(M), int(N), int(K), float(alpha),
                  x.data + n * x.batch_stride + h * x.head_stride, int(x.ld),
                  y.data + n * y.batch_stride + h * y.head_stride, int(y.ld), 0.0f,
                  c + n * c_batch + h * c_head, int(ldc));
    }
  });
  return out;
}

}  // namespace mt
