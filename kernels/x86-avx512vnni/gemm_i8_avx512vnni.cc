// int8 GEMM on AVX512-VNNI: vpdpbusd multiplies 4 unsigned A bytes by 4 signed B
// bytes per i32 lane and accumulates without intermediate saturation, so it is exact
// for full-range u8 x s8. Tile 6 rows x 64 columns = 24 zmm accumulators; one
// k-group of the packed panel (64 columns x 4 k) is four zmm loads, so each A
// broadcast feeds four dots.
// Built with -mavx512f -mavx512bw -mavx512vl -mavx512vnni (this file only).
#include <immintrin.h>

#include "../internal/kernel_info.h"

namespace qwasm {
namespace kernels {
namespace {

struct Avx512VnniI8 {
  static constexpr int kMR = 6, kNR = 64, kKR = 4, kBElemBytes = 1;
  static_assert(kNR == 4 * 16 && kNR * kKR * kBElemBytes == 256, "a k-group is four zmm of int8 quads");
  static int a_row_bytes(int Kp) { return Kp; }
  static int32_t prepare_row(const uint8_t* a, int K, int Kp, bool s, uint8_t* d) { return prepare_row_u8(a, K, Kp, s, d); }
  static int32_t za_repr(int32_t za, bool s) { return za_as_u8(za, s); }
  template <int R>
  static void tile(int kgroups, const uint8_t* a, ptrdiff_t as, const uint8_t* b, int32_t* out) {
    __m512i acc[R][4];
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < 4; ++v) acc[r][v] = _mm512_setzero_si512();
    for (int kg = 0; kg < kgroups; ++kg, b += 256) {
      const __m512i b0 = _mm512_loadu_si512(b), b1 = _mm512_loadu_si512(b + 64);
      const __m512i b2 = _mm512_loadu_si512(b + 128), b3 = _mm512_loadu_si512(b + 192);
      for (int r = 0; r < R; ++r) {
        int32_t a4;
        std::memcpy(&a4, a + r * as + kg * 4, 4);
        const __m512i av = _mm512_set1_epi32(a4);
        acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], av, b0);
        acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], av, b1);
        acc[r][2] = _mm512_dpbusd_epi32(acc[r][2], av, b2);
        acc[r][3] = _mm512_dpbusd_epi32(acc[r][3], av, b3);
      }
    }
    for (int r = 0; r < R; ++r)
      for (int v = 0; v < 4; ++v) _mm512_storeu_si512(out + r * kNR + 16 * v, acc[r][v]);
  }
};

}  // namespace

extern const GemmI8Kernel kGemmI8Avx512Vnni =
    gemm_i8_kernel<Avx512VnniI8>("gemm_u8s8_6x64__avx512vnni", Isa::kAvx512Vnni, 0, kCaveatNone);

}  // namespace kernels
}  // namespace qwasm
