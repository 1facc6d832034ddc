// f32 GEMM micro-kernel on AVX2 + FMA: 6 rows x 16 columns = 12 ymm accumulators.
#include <immintrin.h>

#include "../internal/kernel_info.h"

namespace qwasm {
namespace kernels {
namespace {

struct Avx2F32 {
  static constexpr int kMR = 6, kNR = 16;
  static_assert(kNR == 2 * 8, "a row is two ymm accumulators");
  template <int R>
  static void tile(int K, const float* a, ptrdiff_t rs, ptrdiff_t cs, const float* b, ptrdiff_t bks, float* out) {
    __m256 acc0[R], acc1[R];
    for (int r = 0; r < R; ++r) acc0[r] = acc1[r] = _mm256_setzero_ps();
    for (int k = 0; k < K; ++k, b += bks) {
      const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
      for (int r = 0; r < R; ++r) {
        const __m256 av = _mm256_broadcast_ss(a + r * rs + k * cs);
        acc0[r] = _mm256_fmadd_ps(av, b0, acc0[r]);
        acc1[r] = _mm256_fmadd_ps(av, b1, acc1[r]);
      }
    }
    for (int r = 0; r < R; ++r) {
      _mm256_storeu_ps(out + r * kNR, acc0[r]);
      _mm256_storeu_ps(out + r * kNR + 8, acc1[r]);
    }
  }
};

}  // namespace

extern const GemmF32Kernel kGemmF32Avx2 = gemm_f32_kernel<Avx2F32>("gemm_f32_6x16__avx2", Isa::kAvx2, 0);

}  // namespace kernels
}  // namespace qwasm
