// int8 GEMM on baseline AArch64 NEON (no dot product): B packed as int16 [k][16],
// A widened to int16, and smlal/smlal2 by scalar (vmlal_n_s16) accumulate 4 exact
// 32-bit products per instruction. Tile 4 rows x 16 columns = 16 accumulators.
#include <arm_neon.h>

#include "../internal/kernel_info.h"

namespace qwasm {
namespace kernels {
namespace {

struct NeonI16 {
  static constexpr int kMR = 4, kNR = 16, kKR = 1, kBElemBytes = 2;
  static_assert(kKR == 1 && kNR == 2 * 8, "one k of the panel is two q registers of int16");
  static int a_row_bytes(int Kp) { return 2 * Kp; }
  static int32_t prepare_row(const uint8_t* a, int K, int Kp, bool s, uint8_t* d) { return prepare_row_i16(a, K, Kp, s, d); }
  static int32_t za_repr(int32_t za, bool) { return za; }
  template <int R>
  static void tile(int K, const uint8_t* a, ptrdiff_t as, const uint8_t* b, int32_t* out) {
    int32x4_t acc[R][4];
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < 4; ++v) acc[r][v] = vdupq_n_s32(0);
    const int16_t* w = reinterpret_cast<const int16_t*>(b);
    for (int k = 0; k < K; ++k, w += 16) {
      const int16x8_t b0 = vld1q_s16(w), b1 = vld1q_s16(w + 8);
      for (int r = 0; r < R; ++r) {
        const int16_t av = reinterpret_cast<const int16_t*>(a + r * as)[k];
        acc[r][0] = vmlal_n_s16(acc[r][0], vget_low_s16(b0), av);
        acc[r][1] = vmlal_high_n_s16(acc[r][1], b0, av);
        acc[r][2] = vmlal_n_s16(acc[r][2], vget_low_s16(b1), av);
        acc[r][3] = vmlal_high_n_s16(acc[r][3], b1, av);
      }
    }
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < 4; ++v) vst1q_s32(out + r * kNR + 4 * v, acc[r][v]);
  }
};

}  // namespace

extern const GemmI8Kernel kGemmI8Neon =
    gemm_i8_kernel<NeonI16>("gemm_u8s8_4x16__neon_i16", Isa::kNeon, 0, kCaveatNone);

}  // namespace kernels
}  // namespace qwasm
