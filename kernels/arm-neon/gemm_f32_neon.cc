// f32 GEMM micro-kernel on AArch64 NEON: 4 rows x 16 columns = 16 q accumulators, FMLA.
#include <arm_neon.h>

#include "../internal/kernel_info.h"

namespace qwasm {
namespace kernels {
namespace {

struct NeonF32 {
  static constexpr int kMR = 4, kNR = 16;
  static_assert(kNR == 4 * 4, "a row is four q accumulators");
  template <int R>
  static void tile(int K, const float* a, ptrdiff_t rs, ptrdiff_t cs, const float* b, ptrdiff_t bks, float* out) {
    float32x4_t acc[R][4];
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < 4; ++v) acc[r][v] = vdupq_n_f32(0.0f);
    for (int k = 0; k < K; ++k, b += bks) {
      const float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8), b3 = vld1q_f32(b + 12);
      for (int r = 0; r < R; ++r) {
        const float av = a[r * rs + k * cs];
        acc[r][0] = vfmaq_n_f32(acc[r][0], b0, av);
        acc[r][1] = vfmaq_n_f32(acc[r][1], b1, av);
        acc[r][2] = vfmaq_n_f32(acc[r][2], b2, av);
        acc[r][3] = vfmaq_n_f32(acc[r][3], b3, av);
      }
    }
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < 4; ++v) vst1q_f32(out + r * kNR + 4 * v, acc[r][v]);
  }
};

}  // namespace

extern const GemmF32Kernel kGemmF32Neon = gemm_f32_kernel<NeonF32>("gemm_f32_4x16__neon", Isa::kNeon, 0);

}  // namespace kernels
}  // namespace qwasm
