// MatMulNBits accuracy level 4 on AVX512-VNNI. One packed column group (16 columns)
// is exactly one zmm of i32 lanes, and one 64-byte chunk of the packed block holds
// 4 consecutive k per column: vpdpbusd(nibbles as u8, broadcast int8 A) accumulates a
// whole group with no shuffles and no saturation (8-bit weights: the raw u8 values).
// Four groups are processed together so each broadcast of A feeds four dots.
#include <immintrin.h>

#include "../internal/kernel_info.h"

namespace qwasm {
namespace kernels {
namespace {

constexpr int kGroupsPerPass = 4;

struct Avx512VnniQ {
  static constexpr int kNR = kGroupsPerPass * kQGroupCols;
  static void row_l4(const QPackedHeader* h, int g_begin, int g_end, const int8_t* aq, const float* ascale, const int32_t* asum, float* y) {
    const int bs = h->block_size, bits = h->bits;
    const __m512i nib = _mm512_set1_epi8(15);
    for (int g0 = g_begin; g0 < g_end; g0 += kGroupsPerPass) {
      const int ng = imin(kGroupsPerPass, g_end - g0);
      __m512 facc[kGroupsPerPass];
      for (int i = 0; i < kGroupsPerPass; ++i) facc[i] = _mm512_setzero_ps();
      for (int blk = 0; blk < h->n_blocks; ++blk) {
        const int8_t* a = aq + blk * bs;
        const uint8_t* gb[kGroupsPerPass];
        __m512i acc[kGroupsPerPass];
        for (int i = 0; i < kGroupsPerPass; ++i) {
          gb[i] = qpacked_data(h, g0 + (i < ng ? i : 0), blk);
          acc[i] = _mm512_setzero_si512();
        }
        if (bits == 4) {
          for (int t = 0; t < bs / 8; ++t) {
            int32_t lo4, hi4;
            std::memcpy(&lo4, a + 8 * t, 4);
            std::memcpy(&hi4, a + 8 * t + 4, 4);
            const __m512i alo = _mm512_set1_epi32(lo4), ahi = _mm512_set1_epi32(hi4);
            for (int i = 0; i < kGroupsPerPass; ++i) {
              const __m512i p = _mm512_loadu_si512(gb[i] + 64 * t);
              acc[i] = _mm512_dpbusd_epi32(acc[i], _mm512_and_si512(p, nib), alo);
              acc[i] = _mm512_dpbusd_epi32(acc[i], _mm512_and_si512(_mm512_srli_epi16(p, 4), nib), ahi);
            }
          }
        } else {
          for (int t = 0; t < bs / 4; ++t) {
            int32_t a4;
            std::memcpy(&a4, a + 4 * t, 4);
            const __m512i av = _mm512_set1_epi32(a4);
            for (int i = 0; i < kGroupsPerPass; ++i)
              acc[i] = _mm512_dpbusd_epi32(acc[i], _mm512_loadu_si512(gb[i] + 64 * t), av);
          }
        }
        const __m512i sum = _mm512_set1_epi32(asum[blk]);
        const __m512 as = _mm512_set1_ps(ascale[blk]);
        for (int i = 0; i < kGroupsPerPass; ++i) {
          const int gi = g0 + (i < ng ? i : 0);
          const __m512i zp =
              _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qpacked_zps(h, gi, blk))));
          const __m512i d = _mm512_sub_epi32(acc[i], _mm512_mullo_epi32(zp, sum));
          const __m512 sc = _mm512_mul_ps(_mm512_loadu_ps(qpacked_scales(h, gi, blk)), as);
          facc[i] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(d), sc, facc[i]);
        }
      }
      for (int i = 0; i < ng; ++i) {
        const int n0 = (g0 + i) * kQGroupCols, nc = imin(kQGroupCols, h->N - n0);
        _mm512_mask_storeu_ps(y + n0, __mmask16((1u << nc) - 1u), facc[i]);
      }
    }
  }
  static void row_l0(const QPackedHeader*, int, int, const float*, const float*, float*) {}
};

}  // namespace

extern const QBlockKernel kQBlockL4Avx512Vnni =
    qblock_kernel<Avx512VnniQ, 4>("qblock_l4_q4q8_1x64__avx512vnni", Isa::kAvx512Vnni, 0);

}  // namespace kernels
}  // namespace qwasm
