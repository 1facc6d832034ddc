// int8 GEMM on plain SIMD128: B packed as int16 pairs, A widened to int16, and
// i32x4.dot_i16x8_s (exact 16x16 -> 32-bit pair sums) does 8 multiply-adds per
// instruction. The baseline every relaxed variant is measured against, and the
// fallback when the relaxed probe says "broken".
#include <wasm_simd128.h>

#include "../internal/kernel_info.h"

namespace qwasm {
namespace kernels {
namespace {

struct Simd128I16 {
  static constexpr int kMR = 4, kNR = 8, kKR = 2, kBElemBytes = 2;
  static_assert(kNR == 2 * 4 && kNR * kKR * kBElemBytes == 32, "a k-group is two v128 of int16 pairs");
  static int a_row_bytes(int Kp) { return 2 * Kp; }
  static int32_t prepare_row(const uint8_t* a, int K, int Kp, bool s, uint8_t* d) { return prepare_row_i16(a, K, Kp, s, d); }
  static int32_t za_repr(int32_t za, bool) { return za; }
  template <int R>
  static void tile(int kgroups, const uint8_t* a, ptrdiff_t as, const uint8_t* b, int32_t* out) {
    v128_t acc0[R], acc1[R];
    for (int r = 0; r < R; ++r) acc0[r] = acc1[r] = wasm_i32x4_splat(0);
    for (int kg = 0; kg < kgroups; ++kg, b += 32) {
      const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 16);
      for (int r = 0; r < R; ++r) {
        const v128_t av = wasm_v128_load32_splat(a + r * as + kg * 4);  // A[k], A[k+1] as int16
        acc0[r] = wasm_i32x4_add(acc0[r], wasm_i32x4_dot_i16x8(av, b0));
        acc1[r] = wasm_i32x4_add(acc1[r], wasm_i32x4_dot_i16x8(av, b1));
      }
    }
    for (int r = 0; r < R; ++r) {
      wasm_v128_store(out + r * kNR, acc0[r]);
      wasm_v128_store(out + r * kNR + 4, acc1[r]);
    }
  }
};

}  // namespace

extern const GemmI8Kernel kGemmI8Simd128 =
    gemm_i8_kernel<Simd128I16>("gemm_u8s8_4x8__wasmsimd128_i16", Isa::kWasmSimd128, 0, kCaveatNone);

}  // namespace kernels
}  // namespace qwasm
