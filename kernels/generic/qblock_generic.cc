// Portable MatMulNBits kernels (levels 4 and 0) over the packed group layout.
#include "../internal/kernel_info.h"

namespace qwasm {
namespace kernels {
namespace {

constexpr int G = kQGroupCols;

// Quantized value of column c at offset i inside a block's data.
inline int packed_q(const uint8_t* data, int bits, int c, int i) {
  if (bits == 8) return data[(i / 4) * 64 + c * 4 + (i % 4)];
  const int t = i / 8, j = i % 8;
  const uint8_t byte = data[t * 64 + c * 4 + (j % 4)];
  return j < 4 ? (byte & 15) : (byte >> 4);
}

struct GenericQ {
  static constexpr int kNR = G;  // one column group per step
  static void row_l4(const QPackedHeader* h, int g_begin, int g_end, const int8_t* aq, const float* ascale, const int32_t* asum, float* y) {
    const int bs = h->block_size;
    for (int g = g_begin; g < g_end; ++g) {
      float acc[G] = {};
      for (int blk = 0; blk < h->n_blocks; ++blk) {
        const uint8_t* data = qpacked_data(h, g, blk);
        const float* hscale = qpacked_scales(h, g, blk);
        const uint8_t* hzp = qpacked_zps(h, g, blk);
        const int8_t* a = aq + blk * bs;
        for (int c = 0; c < G; ++c) {
          int32_t d = 0;
          for (int i = 0; i < bs; ++i) d += a[i] * packed_q(data, h->bits, c, i);
          d -= int32_t(hzp[c]) * asum[blk];
          acc[c] += float(d) * (hscale[c] * ascale[blk]);
        }
      }
      for (int c = 0; c < G && g * G + c < h->N; ++c) y[g * G + c] = acc[c];
    }
  }
  static void row_l0(const QPackedHeader* h, int g_begin, int g_end, const float* a, const float* bsum, float* y) {
    const int bs = h->block_size;
    for (int g = g_begin; g < g_end; ++g) {
      float acc[G] = {};
      for (int blk = 0; blk < h->n_blocks; ++blk) {
        const uint8_t* data = qpacked_data(h, g, blk);
        const float* hscale = qpacked_scales(h, g, blk);
        const uint8_t* hzp = qpacked_zps(h, g, blk);
        const float* ab = a + blk * bs;
        for (int c = 0; c < G; ++c) {
          float d = 0.0f;
          for (int i = 0; i < bs; ++i) d += ab[i] * float(packed_q(data, h->bits, c, i));
          acc[c] += hscale[c] * (d - float(hzp[c]) * bsum[blk]);
        }
      }
      for (int c = 0; c < G && g * G + c < h->N; ++c) y[g * G + c] = acc[c];
    }
  }
};

}  // namespace

extern const QBlockKernel kQBlockL4Generic =
    qblock_kernel<GenericQ, 4>("qblock_l4_q4q8_1x16__generic", Isa::kGeneric, 0);
extern const QBlockKernel kQBlockL0Generic =
    qblock_kernel<GenericQ, 0>("qblock_l0_q4q8_1x16__generic", Isa::kGeneric, 0);

}  // namespace kernels
}  // namespace qwasm
