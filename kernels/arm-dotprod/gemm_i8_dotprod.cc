// int8 GEMM with the Armv8.2 dot product (SDOT): signed x signed, so A is flipped to
// int8 (a ^ 0x80, zero point - 128: exact) while copied. Tile 4 rows x 16 columns,
// one k-group of the panel (16 columns x 4 k) is four q registers.
// Built with -march=armv8.2-a+dotprod (this file only).
#include <arm_neon.h>

#include "../internal/kernel_info.h"

namespace qwasm {
namespace kernels {
namespace {

struct DotprodI8 {
  static constexpr int kMR = 4, kNR = 16, kKR = 4, kBElemBytes = 1;
  static_assert(kNR == 4 * 4 && kNR * kKR * kBElemBytes == 64, "a k-group is four q registers of int8 quads");
  static int a_row_bytes(int Kp) { return Kp; }
  static int32_t prepare_row(const uint8_t* a, int K, int Kp, bool s, uint8_t* d) { return prepare_row_s8(a, K, Kp, s, d); }
  static int32_t za_repr(int32_t za, bool s) { return za_as_s8(za, s); }
  template <int R>
  static void tile(int kgroups, const uint8_t* a, ptrdiff_t as, const uint8_t* b, int32_t* out) {
    int32x4_t acc[R][4];
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < 4; ++v) acc[r][v] = vdupq_n_s32(0);
    const int8_t* w = reinterpret_cast<const int8_t*>(b);
    for (int kg = 0; kg < kgroups; ++kg, w += 64) {
      const int8x16_t b0 = vld1q_s8(w), b1 = vld1q_s8(w + 16), b2 = vld1q_s8(w + 32), b3 = vld1q_s8(w + 48);
      for (int r = 0; r < R; ++r) {
        int32_t a4;
        std::memcpy(&a4, a + r * as + kg * 4, 4);
        const int8x16_t av = vreinterpretq_s8_s32(vdupq_n_s32(a4));
        acc[r][0] = vdotq_s32(acc[r][0], b0, av);
        acc[r][1] = vdotq_s32(acc[r][1], b1, av);
        acc[r][2] = vdotq_s32(acc[r][2], b2, av);
        acc[r][3] = vdotq_s32(acc[r][3], b3, av);
      }
    }
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < 4; ++v) vst1q_s32(out + r * kNR + 4 * v, acc[r][v]);
  }
};

}  // namespace

extern const GemmI8Kernel kGemmI8Dotprod =
    gemm_i8_kernel<DotprodI8>("gemm_s8s8_4x16__neondot", Isa::kDotprod, 0, kCaveatNone);

}  // namespace kernels
}  // namespace qwasm
