// f32 GEMM micro-kernel on AVX-512: 8 rows x 32 columns = 16 zmm accumulators,
// A broadcast from memory (any strides), B two zmm loads per k, FMA.
#include <immintrin.h>

#include "../internal/kernel_info.h"

namespace qwasm {
namespace kernels {
namespace {

struct Avx512F32 {
  static constexpr int kMR = 8, kNR = 32;
  static_assert(kNR == 2 * 16, "a row is two zmm accumulators");
  template <int R>
  static void tile(int K, const float* a, ptrdiff_t rs, ptrdiff_t cs, const float* b, ptrdiff_t bks, float* out) {
    __m512 acc0[R], acc1[R];
    for (int r = 0; r < R; ++r) acc0[r] = acc1[r] = _mm512_setzero_ps();
    for (int k = 0; k < K; ++k, b += bks) {
      const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
      for (int r = 0; r < R; ++r) {
        const __m512 av = _mm512_set1_ps(a[r * rs + k * cs]);
        acc0[r] = _mm512_fmadd_ps(av, b0, acc0[r]);
        acc1[r] = _mm512_fmadd_ps(av, b1, acc1[r]);
      }
    }
    for (int r = 0; r < R; ++r) {
      _mm512_storeu_ps(out + r * kNR, acc0[r]);
      _mm512_storeu_ps(out + r * kNR + 16, acc1[r]);
    }
  }
};

}  // namespace

extern const GemmF32Kernel kGemmF32Avx512 = gemm_f32_kernel<Avx512F32>("gemm_f32_8x32__avx512", Isa::kAvx512Vnni, 0);

}  // namespace kernels
}  // namespace qwasm
