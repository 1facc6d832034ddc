// MatMulNBits accuracy level 4 with SDOT: a packed 64-byte chunk is four q registers
// (4 columns x 4 k each); nibbles 0..15 are valid int8, A's int8 block values are
// broadcast. 8-bit weights are flipped to int8 (q - 128, zero point - 128).
// Built with -march=armv8.2-a+dotprod (this file only).
#include <arm_neon.h>

#include "../internal/kernel_info.h"

namespace qwasm {
namespace kernels {
namespace {

struct DotprodQ {
  static constexpr int kNR = kQGroupCols;  // one column group (four q registers) per step
  static_assert(kNR == 4 * 4, "a column group is four q registers of i32 lanes");
  static void row_l4(const QPackedHeader* h, int g_begin, int g_end, const int8_t* aq, const float* ascale, const int32_t* asum, float* y) {
    const int bs = h->block_size;
    const uint8x16_t nib = vdupq_n_u8(15), flip = vdupq_n_u8(0x80);
    const int32x4_t zp_bias = vdupq_n_s32(h->bits == 8 ? 128 : 0);
    for (int g = g_begin; g < g_end; ++g) {
      float32x4_t facc[4];
      for (int v = 0; v < 4; ++v) facc[v] = vdupq_n_f32(0.0f);
      for (int blk = 0; blk < h->n_blocks; ++blk) {
        const uint8_t* data = qpacked_data(h, g, blk);
        const float* hscale = qpacked_scales(h, g, blk);
        const uint8_t* hzp = qpacked_zps(h, g, blk);
        const int8_t* a = aq + blk * bs;
        int32x4_t acc[4];
        for (int v = 0; v < 4; ++v) acc[v] = vdupq_n_s32(0);
        if (h->bits == 4) {
          for (int t = 0; t < bs / 8; ++t, data += 64) {
            int32_t lo4, hi4;
            std::memcpy(&lo4, a + 8 * t, 4);
            std::memcpy(&hi4, a + 8 * t + 4, 4);
            const int8x16_t alo = vreinterpretq_s8_s32(vdupq_n_s32(lo4)), ahi = vreinterpretq_s8_s32(vdupq_n_s32(hi4));
            for (int v = 0; v < 4; ++v) {
              const uint8x16_t p = vld1q_u8(data + 16 * v);
              acc[v] = vdotq_s32(acc[v], vreinterpretq_s8_u8(vandq_u8(p, nib)), alo);
              acc[v] = vdotq_s32(acc[v], vreinterpretq_s8_u8(vshrq_n_u8(p, 4)), ahi);
            }
          }
        } else {
          for (int t = 0; t < bs / 4; ++t, data += 64) {
            int32_t a4;
            std::memcpy(&a4, a + 4 * t, 4);
            const int8x16_t av = vreinterpretq_s8_s32(vdupq_n_s32(a4));
            for (int v = 0; v < 4; ++v)
              acc[v] = vdotq_s32(acc[v], vreinterpretq_s8_u8(veorq_u8(vld1q_u8(data + 16 * v), flip)), av);
          }
        }
        const uint16x8_t zp16 = vmovl_u8(vld1_u8(hzp)), zp16b = vmovl_u8(vld1_u8(hzp + 8));
        const int32x4_t zps[4] = {vreinterpretq_s32_u32(vmovl_u16(vget_low_u16(zp16))),
                                  vreinterpretq_s32_u32(vmovl_u16(vget_high_u16(zp16))),
                                  vreinterpretq_s32_u32(vmovl_u16(vget_low_u16(zp16b))),
                                  vreinterpretq_s32_u32(vmovl_u16(vget_high_u16(zp16b)))};
        for (int v = 0; v < 4; ++v) {
          const int32x4_t d = vmlsq_n_s32(acc[v], vsubq_s32(zps[v], zp_bias), asum[blk]);
          const float32x4_t sc = vmulq_n_f32(vld1q_f32(hscale + 4 * v), ascale[blk]);
          facc[v] = vfmaq_f32(facc[v], vcvtq_f32_s32(d), sc);
        }
      }
      const int n0 = g * kQGroupCols, nc = imin(kQGroupCols, h->N - n0);
      float tmp[kQGroupCols];
      for (int v = 0; v < 4; ++v) vst1q_f32(tmp + 4 * v, facc[v]);
      for (int c = 0; c < nc; ++c) y[n0 + c] = tmp[c];
    }
  }
  static void row_l0(const QPackedHeader*, int, int, const float*, const float*, float*) {}
};

}  // namespace

extern const QBlockKernel kQBlockL4Dotprod =
    qblock_kernel<DotprodQ, 4>("qblock_l4_q4q8_1x16__neondot", Isa::kDotprod, 0);

}  // namespace kernels
}  // namespace qwasm
