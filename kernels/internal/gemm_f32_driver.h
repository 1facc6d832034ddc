// The f32 GEMM driver every float variant instantiates with its micro-kernel FK.
// B is read in place when its columns are contiguous (b_cs == 1) and packed into
// zero-padded [K][NR] panels otherwise (and for the last partial panel), so a GEMV
// over row-major weights streams B exactly once. alpha/beta are applied on the
// register tile's way out; beta == 0 never reads C (so C may hold NaN garbage).
//
// FK must provide
//   static constexpr int kMR, kNR;
//   template <int R> static void tile(int K, const float* a, ptrdiff_t a_rs, ptrdiff_t a_cs,
//                                     const float* b, ptrdiff_t b_ks, float* out);  out: R x kNR
// and may provide, for M = 1 over contiguous columns of B (the same bits as tile<1>):
//   static constexpr int kWideCols;
//   static void wide_row(int K, const float* a, ptrdiff_t a_cs, const float* b, ptrdiff_t b_ks,
//                        float* out);  out: kWideCols
#pragma once

#include <type_traits>

#include "common.h"

namespace qwasm {
namespace kernels {

template <class FK, int R>
static inline void call_f32_tile(int r, int K, const float* a, ptrdiff_t rs, ptrdiff_t cs, const float* b,
                                 ptrdiff_t bks, float* out) {
  if constexpr (R > 0) {
    if (r == R) FK::template tile<R>(K, a, rs, cs, b, bks, out);
    else call_f32_tile<FK, R - 1>(r, K, a, rs, cs, b, bks, out);
  }
}

template <class FK, class = void>
struct HasWideRow : std::false_type {};
template <class FK>
struct HasWideRow<FK, std::void_t<decltype(FK::kWideCols)>> : std::true_type {};

// Columns [0, returned) of a one-row product through FK::wide_row, when FK has it.
template <class FK>
static int gemm_f32_wide_row(const GemmF32Args& g) {
  if constexpr (HasWideRow<FK>::value) {
    constexpr int W = FK::kWideCols;
    if (g.M != 1 || g.b_cs != 1) return 0;
    alignas(64) float row[W];
    int n0 = 0;
    for (; n0 + W <= g.N; n0 += W) {
      FK::wide_row(g.K, g.A, g.a_cs, g.B + n0, g.b_rs, row);
      float* c = g.C + n0;
      if (g.beta == 0.0f)
        for (int j = 0; j < W; ++j) c[j] = g.alpha * row[j];
      else
        for (int j = 0; j < W; ++j) c[j] = g.alpha * row[j] + g.beta * c[j];
    }
    return n0;
  } else {
    (void)g;
    return 0;
  }
}

template <class FK>
static void gemm_f32_drive(const GemmF32Args& g) {
  const int M = g.M, N = g.N, K = g.K, NR = FK::kNR;
  if (M <= 0 || N <= 0) return;
  const int n_start = gemm_f32_wide_row<FK>(g);
  if (n_start == N) return;
  alignas(64) float tile[FK::kMR * FK::kNR];
  float* packed = reinterpret_cast<float*>(scratch_buffer(2, sizeof(float) * size_t(K > 0 ? K : 1) * size_t(NR)));
  for (int n0 = n_start; n0 < N; n0 += NR) {
    const int nc = imin(NR, N - n0);
    const float* b;
    ptrdiff_t bks;
    if (g.b_cs == 1 && nc == NR) {
      b = g.B + n0;
      bks = g.b_rs;
    } else {
      for (int k = 0; k < K; ++k)
        for (int j = 0; j < NR; ++j) packed[k * NR + j] = j < nc ? g.B[k * g.b_rs + (n0 + j) * g.b_cs] : 0.0f;
      b = packed;
      bks = NR;
    }
    for (int m0 = 0; m0 < M; m0 += FK::kMR) {
      const int r = imin(FK::kMR, M - m0);
      call_f32_tile<FK, FK::kMR>(r, K, g.A + m0 * g.a_rs, g.a_rs, g.a_cs, b, bks, tile);
      for (int i = 0; i < r; ++i) {
        float* c = g.C + (m0 + i) * g.ldc + n0;
        const float* t = tile + i * NR;
        if (g.beta == 0.0f)
          for (int j = 0; j < nc; ++j) c[j] = g.alpha * t[j];
        else
          for (int j = 0; j < nc; ++j) c[j] = g.alpha * t[j] + g.beta * c[j];
      }
    }
  }
}

}  // namespace kernels
}  // namespace qwasm
