// int8 GEMM with Armv8.6 i8mm: USMMLA multiplies a 2x8 uint8 block of A (two rows)
// by an 8x2 int8 block of B (two columns) into a 2x2 int32 tile: 32 exact products
// per instruction, no flip of A needed. The panel layout with k groups of 8 puts
// each column pair's 8 k next to each other (16 bytes = one B operand).
// Tile 4 rows x 8 columns = 8 accumulators of 2x2. Built with +i8mm (this file only).
#include <arm_neon.h>

#include "../internal/kernel_info.h"

namespace qwasm {
namespace kernels {
namespace {

struct I8mmI8 {
  static constexpr int kMR = 4, kNR = 8, kKR = 8, kBElemBytes = 1;
  static_assert(kKR == 8 && kNR == 4 * 2, "USMMLA takes 8 k of a column pair; four pairs per k-group");
  static int a_row_bytes(int Kp) { return Kp; }
  static int32_t prepare_row(const uint8_t* a, int K, int Kp, bool s, uint8_t* d) { return prepare_row_u8(a, K, Kp, s, d); }
  static int32_t za_repr(int32_t za, bool s) { return za_as_u8(za, s); }
  template <int R>
  static void tile(int kgroups, const uint8_t* a, ptrdiff_t as, const uint8_t* b, int32_t* out) {
    constexpr int P = (R + 1) / 2;  // row pairs; an odd last row is paired with itself
    int32x4_t acc[P][4];
    for (int p = 0; p < P; ++p)
      for (int v = 0; v < 4; ++v) acc[p][v] = vdupq_n_s32(0);
    const int8_t* w = reinterpret_cast<const int8_t*>(b);
    for (int kg = 0; kg < kgroups; ++kg, w += 64) {
      const int8x16_t b0 = vld1q_s8(w), b1 = vld1q_s8(w + 16), b2 = vld1q_s8(w + 32), b3 = vld1q_s8(w + 48);
      for (int p = 0; p < P; ++p) {
        const uint8_t* r0 = a + (2 * p) * as + kg * 8;
        const uint8_t* r1 = (2 * p + 1 < R) ? r0 + as : r0;
        const uint8x16_t av = vcombine_u8(vld1_u8(r0), vld1_u8(r1));
        acc[p][0] = vusmmlaq_s32(acc[p][0], av, b0);
        acc[p][1] = vusmmlaq_s32(acc[p][1], av, b1);
        acc[p][2] = vusmmlaq_s32(acc[p][2], av, b2);
        acc[p][3] = vusmmlaq_s32(acc[p][3], av, b3);
      }
    }
    // acc[p][v] = [row 2p: col 2v, 2v+1 | row 2p+1: col 2v, 2v+1]
    for (int p = 0; p < P; ++p)
      for (int v = 0; v < 4; ++v) {
        vst1_s32(out + (2 * p) * kNR + 2 * v, vget_low_s32(acc[p][v]));
        if (2 * p + 1 < R) vst1_s32(out + (2 * p + 1) * kNR + 2 * v, vget_high_s32(acc[p][v]));
      }
  }
};

}  // namespace

extern const GemmI8Kernel kGemmI8I8mm =
    gemm_i8_kernel<I8mmI8>("gemm_u8s8_4x8__neoni8mm_usmmla", Isa::kI8mm, 0, kCaveatNone);

}  // namespace kernels
}  // namespace qwasm
