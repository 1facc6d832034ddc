// int8 GEMM micro-kernels around i32x4.relaxed_dot_i8x16_i7x16_add_s, templated
// over the Dot policy so the same code runs with the real instruction (production)
// and with each engine class emulated (tests). The first operand is always the
// int8 weight vector (4 columns x 4 k of the packed panel); the second, which the
// spec only defines for 0..127, holds A broadcast to every lane:
//   Direct<Dot, false>  A as uint8 (0..255): exact when the engine reads it
//                       unsigned without saturation ("usdot", VNNI), or, with B in
//                       [-64, 63], also on "usdot-saturating" (pair sums < 32768)
//   Direct<Dot, true>   A as int8 (a ^ 0x80): exact when the engine reads it signed ("sdot")
//   Split<Dot>          A = lo + 128 * hi with lo in 0..127, hi in 0..1: every byte
//                       of the second operand is in 0..127, exact on every engine,
//                       at two dots per 16 multiply-adds
// Include only from wasm sources; the including TU defines the Dot policies.
#pragma once

#include <wasm_simd128.h>

#include "../internal/kernel_info.h"

namespace qwasm {
namespace kernels {
namespace relaxed_i8 {

template <class Dot, int MR, int NV, bool kSignedA>
struct Direct {
  static constexpr int kMR = MR, kNR = 4 * NV, kKR = 4, kBElemBytes = 1;
  static_assert(kKR == 4 && kNR * kKR * kBElemBytes == 16 * NV, "a k-group is NV v128 of int8 quads, one dot each");
  static int a_row_bytes(int Kp) { return Kp; }
  static int32_t prepare_row(const uint8_t* a, int K, int Kp, bool s, uint8_t* d) {
    return kSignedA ? prepare_row_s8(a, K, Kp, s, d) : prepare_row_u8(a, K, Kp, s, d);
  }
  static int32_t za_repr(int32_t za, bool s) { return kSignedA ? za_as_s8(za, s) : za_as_u8(za, s); }
  template <int R>
  static void tile(int kgroups, const uint8_t* a, ptrdiff_t as, const uint8_t* b, int32_t* out) {
    v128_t acc[R][NV];
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < NV; ++v) acc[r][v] = wasm_i32x4_splat(0);
    for (int kg = 0; kg < kgroups; ++kg, b += 16 * NV)
      for (int r = 0; r < R; ++r) {
        const v128_t av = wasm_v128_load32_splat(a + r * as + kg * 4);
        for (int v = 0; v < NV; ++v) acc[r][v] = Dot::dot(wasm_v128_load(b + 16 * v), av, acc[r][v]);
      }
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < NV; ++v) wasm_v128_store(out + r * kNR + 4 * v, acc[r][v]);
  }
};

template <class Dot, int MR, int NV>
struct Split {
  static constexpr int kMR = MR, kNR = 4 * NV, kKR = 4, kBElemBytes = 1;
  static_assert(kKR == 4 && kNR * kKR * kBElemBytes == 16 * NV, "a k-group is NV v128 of int8 quads, one dot each");
  static int a_row_bytes(int Kp) { return 2 * Kp; }
  static int32_t prepare_row(const uint8_t* a, int K, int Kp, bool s, uint8_t* d) {
    return prepare_row_split(a, K, Kp, s, d);
  }
  static int32_t za_repr(int32_t za, bool s) { return za_as_u8(za, s); }
  template <int R>
  static void tile(int kgroups, const uint8_t* a, ptrdiff_t as, const uint8_t* b, int32_t* out) {
    const ptrdiff_t hi_plane = as / 2;
    v128_t lo[R][NV], hi[R][NV];
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < NV; ++v) lo[r][v] = hi[r][v] = wasm_i32x4_splat(0);
    for (int kg = 0; kg < kgroups; ++kg, b += 16 * NV)
      for (int r = 0; r < R; ++r) {
        const v128_t al = wasm_v128_load32_splat(a + r * as + kg * 4);
        const v128_t ah = wasm_v128_load32_splat(a + r * as + hi_plane + kg * 4);
        for (int v = 0; v < NV; ++v) {
          const v128_t w = wasm_v128_load(b + 16 * v);
          lo[r][v] = Dot::dot(w, al, lo[r][v]);
          hi[r][v] = Dot::dot(w, ah, hi[r][v]);
        }
      }
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < NV; ++v)
        wasm_v128_store(out + r * kNR + 4 * v, wasm_i32x4_add(lo[r][v], wasm_i32x4_shl(hi[r][v], 7)));
  }
};

// Kernel descriptors for one Dot policy (production: RelaxedDot; tests: emulations).
template <class Dot>
struct Variants {
  using Usdot = Direct<Dot, 4, 2, false>;
  using Sdot = Direct<Dot, 4, 2, true>;
  using Split3 = Split<Dot, 3, 2>;
  static constexpr uint32_t kUs = dot_bit(QWASM_DOT_USDOT), kSat = dot_bit(QWASM_DOT_USDOT_SAT),
                            kS = dot_bit(QWASM_DOT_SDOT);
  static constexpr GemmI8Kernel usdot() {
    return gemm_i8_kernel<Usdot>("gemm_u8s8_4x8__wasmrelaxed_usdot", Isa::kWasmRelaxed, kUs, kCaveatNone);
  }
  static constexpr GemmI8Kernel sdot() {
    return gemm_i8_kernel<Sdot>("gemm_u8s8_4x8__wasmrelaxed_sdot", Isa::kWasmRelaxed, kS, kCaveatNone);
  }
  static constexpr GemmI8Kernel b7() {
    return gemm_i8_kernel<Usdot>("gemm_u8s8_4x8__wasmrelaxed_b7", Isa::kWasmRelaxed, kUs | kSat, kNeedsB7bit);
  }
  static constexpr GemmI8Kernel split() {
    return gemm_i8_kernel<Split3>("gemm_u8s8_3x8__wasmrelaxed_split", Isa::kWasmRelaxed, kAllDotClasses, kCaveatNone);
  }
};

}  // namespace relaxed_i8
}  // namespace kernels
}  // namespace qwasm
