// The relaxed dot instruction's semantics, as exact simd128 code, one struct per
// engine class. Every relaxed kernel is a template over a `Dot` with
//   static v128_t dot(v128_t a, v128_t b, v128_t c);
// meaning i32x4.relaxed_dot_i8x16_i7x16_add_s(a, b, c): lane i = c[i] +
// sum_{j<4} a[4i+j] * b[4i+j] with a signed and b read the way that engine reads it.
// The relaxed build plugs in the instruction itself (wasm-relaxed/relaxed_dot.h);
// the simd128 build and the tests plug in these. SdotExact is also the simd128
// kernels' exact int8 x int8 dot.
#pragma once

#include <wasm_simd128.h>

namespace qwasm {
namespace kernels {

// Sums the four products per i32 lane from the two i32x4.dot_i16x8_s halves.
static inline v128_t wasm_quad_sum(v128_t d_lo, v128_t d_hi) {
  const v128_t even = wasm_i32x4_shuffle(d_lo, d_hi, 0, 2, 4, 6), odd = wasm_i32x4_shuffle(d_lo, d_hi, 1, 3, 5, 7);
  return wasm_i32x4_add(even, odd);
}

// The int16 pair sums of i16x8.relaxed_dot_i8x16_i7x16_s from the two widened products
// halves, b already widened the way the engine reads it; `sat` adds the pairs with int16
// saturation (x86 pmaddubsw), else wrapping (Arm: multiply-long and add-pairwise).
static inline v128_t wasm_pair_sum16(v128_t a, v128_t b_lo16, v128_t b_hi16, bool sat) {
  const v128_t p_lo = wasm_i16x8_mul(wasm_i16x8_extend_low_i8x16(a), b_lo16);
  const v128_t p_hi = wasm_i16x8_mul(wasm_i16x8_extend_high_i8x16(a), b_hi16);
  const v128_t even = wasm_i16x8_shuffle(p_lo, p_hi, 0, 2, 4, 6, 8, 10, 12, 14);
  const v128_t odd = wasm_i16x8_shuffle(p_lo, p_hi, 1, 3, 5, 7, 9, 11, 13, 15);
  return sat ? wasm_i16x8_add_sat(even, odd) : wasm_i16x8_add(even, odd);
}

// b signed, no saturation (Arm SDOT lowering); exact for any int8 x int8.
struct SdotExact {
  static inline v128_t dot(v128_t a, v128_t b, v128_t c) {
    const v128_t lo = wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(a), wasm_i16x8_extend_low_i8x16(b));
    const v128_t hi = wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(a), wasm_i16x8_extend_high_i8x16(b));
    return wasm_i32x4_add(c, wasm_quad_sum(lo, hi));
  }
  static inline v128_t dot16(v128_t a, v128_t b) {
    return wasm_pair_sum16(a, wasm_i16x8_extend_low_i8x16(b), wasm_i16x8_extend_high_i8x16(b), false);
  }
};

// b unsigned, no saturation (x86 VNNI vpdpbusd lowering; its int16 dot is still pmaddubsw).
struct UsdotEmulated {
  static inline v128_t dot(v128_t a, v128_t b, v128_t c) {
    const v128_t lo = wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(a), wasm_u16x8_extend_low_u8x16(b));
    const v128_t hi = wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(a), wasm_u16x8_extend_high_u8x16(b));
    return wasm_i32x4_add(c, wasm_quad_sum(lo, hi));
  }
  static inline v128_t dot16(v128_t a, v128_t b) {
    return wasm_pair_sum16(a, wasm_u16x8_extend_low_u8x16(b), wasm_u16x8_extend_high_u8x16(b), true);
  }
};

// b unsigned, adjacent product pairs summed with int16 saturation (x86 pmaddubsw
// + pmaddwd lowering, e.g. Node 22 on this machine).
struct UsdotSatEmulated {
  static inline v128_t dot(v128_t a, v128_t b, v128_t c) {
    const v128_t p_lo = wasm_i16x8_mul(wasm_i16x8_extend_low_i8x16(a), wasm_u16x8_extend_low_u8x16(b));
    const v128_t p_hi = wasm_i16x8_mul(wasm_i16x8_extend_high_i8x16(a), wasm_u16x8_extend_high_u8x16(b));
    const v128_t even = wasm_i16x8_shuffle(p_lo, p_hi, 0, 2, 4, 6, 8, 10, 12, 14);
    const v128_t odd = wasm_i16x8_shuffle(p_lo, p_hi, 1, 3, 5, 7, 9, 11, 13, 15);
    const v128_t pairs = wasm_i16x8_add_sat(even, odd);
    return wasm_i32x4_add(c, wasm_i32x4_dot_i16x8(pairs, wasm_i16x8_splat(1)));
  }
  static inline v128_t dot16(v128_t a, v128_t b) {
    return wasm_pair_sum16(a, wasm_u16x8_extend_low_u8x16(b), wasm_u16x8_extend_high_u8x16(b), true);
  }
};

// Float multiply-add policies: fused where relaxed SIMD offers it.
struct MaddSimd128 {
  static inline v128_t madd(v128_t a, v128_t b, v128_t c) { return wasm_f32x4_add(wasm_f32x4_mul(a, b), c); }
};

}  // namespace kernels
}  // namespace qwasm
