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
#pragma once

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

template <class FK>
static void gemm_f32_drive(const GemmF32Args& g) {
  const int M = g.M, N = g.N, K = g.K, NR = FK::kNR;
  if (M <= 0 || N <= 0) return;
  alignas(64) float tile[FK::kMR * FK::kNR];
  float* packed = reinterpret_cast<float*>(scratch_buffer(2, sizeof(float) * size_t(K > 0 ? K : 1) * size_t(NR)));
  for (int n0 = 0; n0 < N; n0 += NR) {
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
