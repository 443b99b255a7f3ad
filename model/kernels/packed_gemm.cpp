#include "model/kernels/packed_gemm.h"

#include <ATen/Parallel.h>
#include <ATen/ops/constant_pad_nd.h>
#include <ATen/ops/empty.h>
#include <c10/util/BFloat16.h>
#include <immintrin.h>

#include <array>
#include <cstring>
#include <utility>

#include "model/kernels/cpu_math.h"

namespace mt {

namespace {

constexpr int64_t kPanel = 16;     // outputs per panel: one 512-bit register of floats
constexpr int kMaxRows = 8;        // a tile is up to 8 rows x 2 panels: 16 accumulator registers
constexpr int64_t kRowChunk = 128;  // rows per parallel task: a beam step's rows read each panel from L3 once

// The first n lanes of a panel (all 16 when n >= 16): the outputs a tile may read and write.
MT_AVX512 inline __mmask16 lanes(int64_t n) {
  return n >= kPanel ? __mmask16(0xffff) : __mmask16((1u << n) - 1);
}

// The float tile: R rows x P panels of y, accumulated over the whole input in registers.
template <int R, int P>
struct FloatTile {
  MT_AVX512 static void run(const void* x_, int64_t in, const void* w_, const void* bias_,
                                                      bool relu, void* y_, int64_t ldy, int64_t cols) {
    const auto* x = static_cast<const float*>(x_);
    const auto* w = static_cast<const float*>(w_);
    const auto* bias = static_cast<const float*>(bias_);
    auto* y = static_cast<float*>(y_);
    __m512 acc[R][P];
#pragma GCC unroll 2
    for (int p = 0; p < P; ++p) {
      const __mmask16 valid = lanes(cols - p * kPanel);
      const __m512 b = bias ? _mm512_maskz_loadu_ps(valid, bias + p * kPanel) : _mm512_setzero_ps();
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) acc[r][p] = b;
    }
    for (int64_t k = 0; k < in; ++k) {
      __m512 wk[P];
#pragma GCC unroll 2
      for (int p = 0; p < P; ++p) wk[p] = _mm512_loadu_ps(w + (p * in + k) * kPanel);
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) {
        const __m512 xk = _mm512_set1_ps(x[r * in + k]);
#pragma GCC unroll 2
        for (int p = 0; p < P; ++p) acc[r][p] = _mm512_fmadd_ps(wk[p], xk, acc[r][p]);
      }
    }
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
      for (int p = 0; p < P; ++p) {
        const __m512 v = relu ? _mm512_max_ps(acc[r][p], _mm512_setzero_ps()) : acc[r][p];
        _mm512_mask_storeu_ps(y + r * ldy + p * kPanel, lanes(cols - p * kPanel), v);
      }
  }
};

// The bf16 tile: each instruction multiplies a pair of inputs into 16 float accumulators.
template <int R, int P>
struct BFloat16Tile {
  MT_AVX512_BF16 static void run(const void* x_, int64_t in,
                                                                                  const void* w_, const void* bias_,
                                                                                  bool relu, void* y_, int64_t ldy,
                                                                                  int64_t cols) {
    const auto* x = static_cast<const uint16_t*>(x_);
    const auto* w = static_cast<const uint16_t*>(w_);
    const auto* bias = static_cast<const uint16_t*>(bias_);
    auto* y = static_cast<uint16_t*>(y_);
    const int64_t pairs = in / 2;
    __m512 acc[R][P];
#pragma GCC unroll 2
    for (int p = 0; p < P; ++p) {
      const __mmask16 valid = lanes(cols - p * kPanel);
      __m512 b = _mm512_setzero_ps();
      if (bias) {  // bf16 is the high half of a float
        const __m256i half = _mm256_maskz_loadu_epi16(valid, bias + p * kPanel);
        b = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(half), 16));
      }
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) acc[r][p] = b;
    }
    for (int64_t k = 0; k < pairs; ++k) {
      __m512bh wk[P];
#pragma GCC unroll 2
      for (int p = 0; p < P; ++p) wk[p] = (__m512bh)_mm512_loadu_si512(w + (p * pairs + k) * 2 * kPanel);
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) {
        int32_t two;  // inputs 2k and 2k+1 of row r, broadcast to every lane
        std::memcpy(&two, x + r * in + 2 * k, sizeof two);
        const __m512bh xk = (__m512bh)_mm512_set1_epi32(two);
#pragma GCC unroll 2
        for (int p = 0; p < P; ++p) acc[r][p] = _mm512_dpbf16_ps(acc[r][p], wk[p], xk);
      }
    }
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
      for (int p = 0; p < P; ++p) {
        const __m512 v = relu ? _mm512_max_ps(acc[r][p], _mm512_setzero_ps()) : acc[r][p];
        const __m256i rounded = (__m256i)_mm512_cvtneps_pbh(v);  // to nearest even, as c10::BFloat16
        _mm256_mask_storeu_epi16(y + r * ldy + p * kPanel, lanes(cols - p * kPanel), rounded);
      }
  }
};

using TileFn = void (*)(const void* x, int64_t in, const void* w, const void* bias, bool relu, void* y, int64_t ldy,
                        int64_t cols);
using TileTable = std::array<std::array<TileFn, kMaxRows>, 2>;  // [panels - 1][rows - 1]

template <template <int, int> class Tile, int P, size_t... R>
constexpr std::array<TileFn, kMaxRows> row_tiles(std::index_sequence<R...>) {
  return {&Tile<int(R) + 1, P>::run...};
}
template <template <int, int> class Tile>
constexpr TileTable tiles() {
  return {row_tiles<Tile, 1>(std::make_index_sequence<kMaxRows>()),
          row_tiles<Tile, 2>(std::make_index_sequence<kMaxRows>())};
}

}  // namespace

bool can_pack(at::ScalarType dtype, int64_t in) {
  if (dtype == at::kFloat) return cpu::has_avx512();
  if (dtype == at::kBFloat16) return in % 2 == 0 && cpu::has_avx512_bf16();
  return false;
}

PackedWeight pack_weight(const at::Tensor& weight) {
  TORCH_CHECK(weight.dim() == 2 && weight.is_cpu() && can_pack(weight.scalar_type(), weight.size(1)),
              "pack_weight: this CPU has no packed kernel for a ", weight.scalar_type(), " weight of ", weight.sizes());
  at::NoGradGuard no_grad;
  const int64_t out = weight.size(0), in = weight.size(1), panels = (out + kPanel - 1) / kPanel;
  auto padded = at::constant_pad_nd(weight.detach(), {0, 0, 0, panels * kPanel - out});  // (panels * 16, in)
  at::Tensor packed;
  if (weight.scalar_type() == at::kFloat)  // [panel][k][output]
    packed = padded.view({panels, kPanel, in}).transpose(1, 2).contiguous();
  else  // [panel][k / 2][output][k % 2]
    packed = padded.view({panels, kPanel, in / 2, 2}).permute({0, 2, 1, 3}).contiguous();
  return {packed, out, in};
}

at::Tensor packed_linear(const at::Tensor& x, const PackedWeight& weight, const at::Tensor& bias, bool relu) {
  TORCH_CHECK(x.size(-1) == weight.in && x.scalar_type() == weight.panels.scalar_type(),
              "packed_linear: input ", x.sizes(), " ", x.scalar_type(), " does not fit the weight");
  static const TileTable float_tiles = tiles<FloatTile>(), bf16_tiles = tiles<BFloat16Tile>();
  const TileTable& table = x.scalar_type() == at::kFloat ? float_tiles : bf16_tiles;
  const auto x2 = x.reshape({-1, weight.in}).contiguous();
  const int64_t rows = x2.size(0), in = weight.in, out = weight.out;
  auto y = at::empty({rows, out}, x.options());
  const int64_t panels = weight.panels.size(0), pairs = (panels + 1) / 2;
  const int64_t chunks = (rows + kRowChunk - 1) / kRowChunk;
  const int64_t item = x.element_size(), panel_bytes = in * kPanel * item;
  const auto* xp = static_cast<const char*>(x2.data_ptr());
  const auto* wp = static_cast<const char*>(weight.panels.data_ptr());
  const auto b = bias.defined() ? bias.contiguous() : bias;
  const auto* bp = b.defined() ? static_cast<const char*>(b.data_ptr()) : nullptr;
  auto* yp = static_cast<char*>(y.data_ptr());
  // Tasks: a pair of panels (32 outputs) x a chunk of rows, the chunks of a pair side by side.
  at::parallel_for(0, pairs * chunks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t task = begin; task < end; ++task) {
      const int64_t panel = 2 * (task / chunks), first_row = (task % chunks) * kRowChunk;
      const int64_t n_panels = std::min<int64_t>(2, panels - panel), col = panel * kPanel;
      const int64_t cols = std::min(out - col, n_panels * kPanel);
      const int64_t last_row = std::min(rows, first_row + kRowChunk);
      for (int64_t r = first_row; r < last_row; r += kMaxRows) {
        const int64_t n_rows = std::min<int64_t>(kMaxRows, last_row - r);
        table[size_t(n_panels - 1)][size_t(n_rows - 1)](xp + r * in * item, in, wp + panel * panel_bytes,
                                                        bp ? bp + col * item : nullptr, relu,
                                                        yp + (r * out + col) * item, out, cols);
      }
    }
  });
  auto sizes = x.sizes().vec();
  sizes.back() = out;
  return y.view(sizes);
}

bool use_packed(const PackedWeight& weight, const at::Tensor& x, bool inference) {
  return weight.defined() && inference && x.is_cpu() &&
         x.scalar_type() == weight.panels.scalar_type();
}

}  // namespace mt
