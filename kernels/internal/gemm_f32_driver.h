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
// and, over A packed k-major ([K][kMR]) and B packed ([K][kNR]), the same bits as tile<kMR>:
//   static void packed_tile(int K, const float* a, const float* b, float* out);  out: kMR x kNR
// With packed_tile, a product with at least kF32PackAMinPanels column panels packs A once
// per call and B once per panel; one with g.packed_a (A packed by GemmF32Kernel::pack_a
// beforehand: a Conv's constant weights) always takes packed_tile. k is not blocked: in V8 blocks of 256 or 512 k ran a
// 256 x 2304 x 100 product 17% slower than whole panels (the panel streams from L2 fast
// enough for a mul + add kernel).
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

template <class FK, class = void>
struct HasPackedTile : std::false_type {};
template <class FK>
struct HasPackedTile<FK, std::void_t<decltype(&FK::packed_tile)>> : std::true_type {};

// Packing A costs M x K copies per call, paid back over the column panels: below this
// many panels the in-place tile is faster (measured in V8: 2 panels lose 2%, 3 gain 5-13%).
constexpr int kF32PackAMinPanels = 3;

// Rows [0, tiles * MR) of A packed k-major per tile of MR rows (zero rows past M).
template <int MR>
static void pack_f32_a(const GemmF32Args& g, int tiles, float* pa) {
  const int K = g.K;
  for (int t = 0; t < tiles; ++t) {
    float* dst = pa + size_t(t) * K * MR;
    for (int r = 0; r < MR; ++r) {
      const int m = t * MR + r;
      if (m >= g.M) {
        for (int k = 0; k < K; ++k) dst[k * MR + r] = 0.0f;
        continue;
      }
      const float* row = g.A + m * g.a_rs;
      if (g.a_cs == 1)
        for (int k = 0; k < K; ++k) dst[k * MR + r] = row[k];
      else
        for (int k = 0; k < K; ++k) dst[k * MR + r] = row[k * g.a_cs];
    }
  }
}

template <class FK>
static void gemm_f32_pack_a(const GemmF32Args& g, float* dst) {
  pack_f32_a<FK::kMR>(g, (g.M + FK::kMR - 1) / FK::kMR, dst);
}
// GemmF32Kernel::pack_a of FK: the packing above where FK has packed_tile.
template <class FK>
static constexpr void (*gemm_f32_pack_a_fn())(const GemmF32Args&, float*) {
  if constexpr (HasPackedTile<FK>::value) return gemm_f32_pack_a<FK>;
  else return nullptr;
}

// GemmF32Kernel::packed_tile of FK: FK::packed_tile itself, where it has one.
template <class FK>
static constexpr void (*gemm_f32_packed_tile_fn())(int, const float*, const float*, float*) {
  if constexpr (HasPackedTile<FK>::value) return FK::packed_tile;
  else return nullptr;
}

// Columns [n_start, N) through FK::packed_tile (A packed here, or g.packed_a as given).
template <class FK>
static void gemm_f32_drive_packed(const GemmF32Args& g, int n_start) {
  constexpr int MR = FK::kMR, NR = FK::kNR;
  const int M = g.M, N = g.N, K = g.K, tiles = (M + MR - 1) / MR;
  const float* pa = g.packed_a;
  if (!pa) {
    float* p = reinterpret_cast<float*>(scratch_buffer(1, sizeof(float) * size_t(K) * MR * size_t(tiles)));
    pack_f32_a<MR>(g, tiles, p);
    pa = p;
  }
  float* pb = reinterpret_cast<float*>(scratch_buffer(2, sizeof(float) * size_t(K) * NR));
  float* sums = reinterpret_cast<float*>(scratch_buffer(3, sizeof(float) * size_t(tiles) * MR * NR));
  for (int n0 = n_start; n0 < N; n0 += NR) {
    const int nc = imin(NR, N - n0);
    const float* src = g.B + size_t(n0) * g.b_cs;
    if (g.b_cs == 1 && nc == NR) {
      for (int k = 0; k < K; ++k) std::memcpy(pb + k * NR, src + k * g.b_rs, sizeof(float) * NR);
    } else {
      for (int k = 0; k < K; ++k)
        for (int j = 0; j < NR; ++j) pb[k * NR + j] = j < nc ? src[k * g.b_rs + j * g.b_cs] : 0.0f;
    }
    for (int t = 0; t < tiles; ++t) FK::packed_tile(K, pa + size_t(t) * K * MR, pb, sums + t * MR * NR);
    for (int m = 0; m < M; ++m) {
      float* c = g.C + m * g.ldc + n0;
      const float* t = sums + m * NR;  // tile m / MR, row m % MR: rows are consecutive
      if (g.beta == 0.0f)
        for (int j = 0; j < nc; ++j) c[j] = g.alpha * t[j];
      else
        for (int j = 0; j < nc; ++j) c[j] = g.alpha * t[j] + g.beta * c[j];
    }
  }
}

template <class FK>
static void gemm_f32_drive(const GemmF32Args& g) {
  const int M = g.M, N = g.N, K = g.K, NR = FK::kNR;
  if (M <= 0 || N <= 0) return;
  if constexpr (HasPackedTile<FK>::value) {
    // A packed in advance: nothing left to pay back, so every panel goes through
    // packed_tile (the same bits as the in-place tile and wide_row).
    if (g.packed_a && K > 0) return gemm_f32_drive_packed<FK>(g, 0);
  }
  const int n_start = gemm_f32_wide_row<FK>(g);
  if (n_start == N) return;
  if constexpr (HasPackedTile<FK>::value) {
    const int panels = (N - n_start + NR - 1) / NR;
    if (M > 1 && K > 0 && panels >= kF32PackAMinPanels) return gemm_f32_drive_packed<FK>(g, n_start);
  }
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
