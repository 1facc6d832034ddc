// The real relaxed-SIMD instructions as Dot / Madd policies (see wasm-common/wasm_dot.h).
// Only sources compiled with -mrelaxed-simd include this.
#pragma once

#include <wasm_simd128.h>

namespace qwasm {
namespace kernels {

struct RelaxedDot {
  static inline v128_t dot(v128_t a, v128_t b, v128_t c) { return wasm_i32x4_relaxed_dot_i8x16_i7x16_add(a, b, c); }
  // i16x8.relaxed_dot_i8x16_i7x16_s: lane i = a[2i] * b[2i] + a[2i+1] * b[2i+1].
  static inline v128_t dot16(v128_t a, v128_t b) { return wasm_i16x8_relaxed_dot_i8x16_i7x16(a, b); }
};

struct MaddRelaxed {
  static inline v128_t madd(v128_t a, v128_t b, v128_t c) { return wasm_f32x4_relaxed_madd(a, b, c); }
};

}  // namespace kernels
}  // namespace qwasm
