// int8 GEMM on AVX-VNNI (VEX-encoded vpdpbusd on ymm; Alder Lake and later, Zen 5):
// exact u8 x s8 like the AVX-512 variant, on hosts that lack 512-bit registers.
// Tile 6 rows x 16 columns = 12 ymm accumulators. Built with -mavxvnni (this file only).
#include <immintrin.h>

#include "../internal/kernel_info.h"

namespace qwasm {
namespace kernels {
namespace {

struct AvxVnniI8 {
  static constexpr int kMR = 6, kNR = 16, kKR = 4, kBElemBytes = 1;
  static_assert(kNR == 2 * 8 && kNR * kKR * kBElemBytes == 64, "a k-group is two ymm of int8 quads");
  static int a_row_bytes(int Kp) { return Kp; }
  static int32_t prepare_row(const uint8_t* a, int K, int Kp, bool s, uint8_t* d) { return prepare_row_u8(a, K, Kp, s, d); }
  static int32_t za_repr(int32_t za, bool s) { return za_as_u8(za, s); }
  template <int R>
  static void tile(int kgroups, const uint8_t* a, ptrdiff_t as, const uint8_t* b, int32_t* out) {
    __m256i acc0[R], acc1[R];
    for (int r = 0; r < R; ++r) acc0[r] = acc1[r] = _mm256_setzero_si256();
    for (int kg = 0; kg < kgroups; ++kg, b += 64) {
      const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b));
      const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 32));
      for (int r = 0; r < R; ++r) {
        int32_t a4;
        std::memcpy(&a4, a + r * as + kg * 4, 4);
        const __m256i av = _mm256_set1_epi32(a4);
        acc0[r] = _mm256_dpbusd_avx_epi32(acc0[r], av, b0);
        acc1[r] = _mm256_dpbusd_avx_epi32(acc1[r], av, b1);
      }
    }
    for (int r = 0; r < R; ++r) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + r * kNR), acc0[r]);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + r * kNR + 8), acc1[r]);
    }
  }
};

}  // namespace

extern const GemmI8Kernel kGemmI8AvxVnni =
    gemm_i8_kernel<AvxVnniI8>("gemm_u8s8_6x16__avxvnni", Isa::kAvxVnni, 0, kCaveatNone);

}  // namespace kernels
}  // namespace qwasm
