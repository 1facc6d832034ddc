// f32 GEMM micro-kernel for wasm (4 rows x 8 columns: 8 accumulators leave room in
// V8's 16 vector registers), templated over the multiply-add (relaxed_madd or mul+add).
// Shared by the simd128 and relaxed builds (and only wasm sources include it).
// tile() reads A in place (strided rows); packed_tile() reads A packed k-major, the
// tile's four values of one k in 16 contiguous bytes: in V8 on x86 that ran the common
// conv / MatMul shapes about 25% faster (docs/kernels.md), and the driver uses it when
// there are enough column panels to pay for packing A (internal/gemm_f32_driver.h).
// Both sum each output over k in ascending order from +0, one multiply-add per k, so
// they give the same bits.
#pragma once

#include <wasm_simd128.h>

#include "../internal/kernel_info.h"
#include "wasm_dot.h"

namespace qwasm {
namespace kernels {

template <class Madd>
struct WasmF32 {
  static constexpr int kMR = 4, kNR = 8;
  static_assert(kNR == 2 * 4, "a row is two v128 accumulators");
  template <int R>
  static void tile(int K, const float* a, ptrdiff_t rs, ptrdiff_t cs, const float* b, ptrdiff_t bks, float* out) {
    v128_t acc0[R], acc1[R];
    for (int r = 0; r < R; ++r) acc0[r] = acc1[r] = wasm_f32x4_splat(0.0f);
    for (int k = 0; k < K; ++k, b += bks) {
      const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
      for (int r = 0; r < R; ++r) {
        const v128_t av = wasm_v128_load32_splat(a + r * rs + k * cs);
        acc0[r] = Madd::madd(av, b0, acc0[r]);
        acc1[r] = Madd::madd(av, b1, acc1[r]);
      }
    }
    for (int r = 0; r < R; ++r) {
      wasm_v128_store(out + r * kNR, acc0[r]);
      wasm_v128_store(out + r * kNR + 4, acc1[r]);
    }
  }

  // a: [K][kMR] (row r of k at a[k * kMR + r]); b: [K][kNR]; out: kMR x kNR.
  static void packed_tile(int K, const float* a, const float* b, float* out) {
    v128_t acc0[kMR], acc1[kMR];
    for (int r = 0; r < kMR; ++r) acc0[r] = acc1[r] = wasm_f32x4_splat(0.0f);
    for (int k = 0; k < K; ++k, a += kMR, b += kNR) {
      const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
      for (int r = 0; r < kMR; ++r) {
        const v128_t av = wasm_v128_load32_splat(a + r);
        acc0[r] = Madd::madd(av, b0, acc0[r]);
        acc1[r] = Madd::madd(av, b1, acc1[r]);
      }
    }
    for (int r = 0; r < kMR; ++r) {
      wasm_v128_store(out + r * kNR, acc0[r]);
      wasm_v128_store(out + r * kNR + 4, acc1[r]);
    }
  }

  // One row of A against kWideCols contiguous columns of B (a GEMV, M = 1): eight
  // independent accumulators where tile<1> has two, so the loop is bound by throughput
  // rather than by the multiply-add latency. Each column sums over k in the same order
  // as tile<1>, so the results are the same bits.
  static constexpr int kWideCols = 4 * kNR;
  static void wide_row(int K, const float* a, ptrdiff_t cs, const float* b, ptrdiff_t bks, float* out) {
    v128_t acc[8];
    for (int j = 0; j < 8; ++j) acc[j] = wasm_f32x4_splat(0.0f);
    for (int k = 0; k < K; ++k, b += bks) {
      const v128_t av = wasm_v128_load32_splat(a + k * cs);
      for (int j = 0; j < 8; ++j) acc[j] = Madd::madd(av, wasm_v128_load(b + 4 * j), acc[j]);
    }
    for (int j = 0; j < 8; ++j) wasm_v128_store(out + 4 * j, acc[j]);
  }
};

}  // namespace kernels
}  // namespace qwasm
