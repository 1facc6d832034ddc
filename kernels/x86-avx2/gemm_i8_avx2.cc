// int8 GEMM on AVX2 (no VNNI), two variants:
//  - exact: B is packed as int16 pairs and A widened to int16, so vpmaddwd
//    (16x16 -> 32-bit pair sums) is exact for any u8/s8 data.
//  - b7: vpmaddubsw (u8 x s8 -> saturating 16-bit pair sums) + vpmaddwd, twice the
//    work per instruction but exact only when B fits [-64, 63] (kNeedsB7bit):
//    2 * 255 * 64 = 32640 stays below 32767. The dispatcher never picks it unless the
//    caller checked b_fits_7bit() (e.g. weights quantized with reduce_range).
// Built with -mavx2 -mfma (this file only).
#include <immintrin.h>

#include "../internal/kernel_info.h"

namespace qwasm {
namespace kernels {
namespace {

struct Avx2I16 {
  static constexpr int kMR = 6, kNR = 16, kKR = 2, kBElemBytes = 2;
  static_assert(kNR == 2 * 8 && kNR * kKR * kBElemBytes == 64, "a k-group is two ymm of int16 pairs");
  static int a_row_bytes(int Kp) { return 2 * Kp; }
  static int32_t prepare_row(const uint8_t* a, int K, int Kp, bool s, uint8_t* d) { return prepare_row_i16(a, K, Kp, s, d); }
  static int32_t za_repr(int32_t za, bool) { return za; }
  template <int R>
  static void tile(int kgroups, const uint8_t* a, ptrdiff_t as, const uint8_t* b, int32_t* out) {
    __m256i acc0[R], acc1[R];
    for (int r = 0; r < R; ++r) acc0[r] = acc1[r] = _mm256_setzero_si256();
    for (int kg = 0; kg < kgroups; ++kg, b += 64) {
      const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b));
      const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 32));
      for (int r = 0; r < R; ++r) {
        int32_t a2;  // two int16 values of A: k and k + 1
        std::memcpy(&a2, a + r * as + kg * 4, 4);
        const __m256i av = _mm256_set1_epi32(a2);
        acc0[r] = _mm256_add_epi32(acc0[r], _mm256_madd_epi16(av, b0));
        acc1[r] = _mm256_add_epi32(acc1[r], _mm256_madd_epi16(av, b1));
      }
    }
    for (int r = 0; r < R; ++r) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + r * kNR), acc0[r]);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + r * kNR + 8), acc1[r]);
    }
  }
};

struct Avx2B7 {
  static constexpr int kMR = 6, kNR = 16, kKR = 4, kBElemBytes = 1;
  static_assert(kNR == 2 * 8 && kNR * kKR * kBElemBytes == 64, "a k-group is two ymm of int8 quads");
  static int a_row_bytes(int Kp) { return Kp; }
  static int32_t prepare_row(const uint8_t* a, int K, int Kp, bool s, uint8_t* d) { return prepare_row_u8(a, K, Kp, s, d); }
  static int32_t za_repr(int32_t za, bool s) { return za_as_u8(za, s); }
  template <int R>
  static void tile(int kgroups, const uint8_t* a, ptrdiff_t as, const uint8_t* b, int32_t* out) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i acc0[R], acc1[R];
    for (int r = 0; r < R; ++r) acc0[r] = acc1[r] = _mm256_setzero_si256();
    for (int kg = 0; kg < kgroups; ++kg, b += 64) {
      const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b));
      const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 32));
      for (int r = 0; r < R; ++r) {
        int32_t a4;
        std::memcpy(&a4, a + r * as + kg * 4, 4);
        const __m256i av = _mm256_set1_epi32(a4);
        acc0[r] = _mm256_add_epi32(acc0[r], _mm256_madd_epi16(_mm256_maddubs_epi16(av, b0), ones));
        acc1[r] = _mm256_add_epi32(acc1[r], _mm256_madd_epi16(_mm256_maddubs_epi16(av, b1), ones));
      }
    }
    for (int r = 0; r < R; ++r) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + r * kNR), acc0[r]);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + r * kNR + 8), acc1[r]);
    }
  }
};

}  // namespace

extern const GemmI8Kernel kGemmI8Avx2 = gemm_i8_kernel<Avx2I16>("gemm_u8s8_6x16__avx2_i16", Isa::kAvx2, 0, kCaveatNone);
extern const GemmI8Kernel kGemmI8Avx2B7 = gemm_i8_kernel<Avx2B7>("gemm_u8s8_6x16__avx2_b7", Isa::kAvx2, 0, kNeedsB7bit);

}  // namespace kernels
}  // namespace qwasm
