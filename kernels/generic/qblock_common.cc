// MatMulNBits weights: packing into the kernels' group layout (see
// qwasm_block_formats.h) and the per-block int8 quantization of A for level 4.
#include <cmath>

#include "../internal/common.h"

namespace qwasm {
namespace kernels {

bool qblock_supported(const QBlockShape& s) {
  const int bs = s.block_size;
  return (s.bits == 4 || s.bits == 8) && bs >= 16 && (bs & (bs - 1)) == 0 && s.K > 0 && s.N > 0;
}

static int group_block_bytes(const QBlockShape& s) {
  return int(sizeof(QGroupBlockHeader)) + kQGroupCols * s.block_size * s.bits / 8;
}

size_t qblock_packed_size(const QBlockShape& s) {
  if (!qblock_supported(s)) return 0;
  const size_t groups = size_t((s.N + kQGroupCols - 1) / kQGroupCols);
  return sizeof(QPackedHeader) + groups * size_t(mnb_n_blocks(s.K, s.block_size)) * size_t(group_block_bytes(s));
}

void qblock_pack(const QBlockShape& s, const QBlockWeights& w, void* dst) {
  const int nb = mnb_n_blocks(s.K, s.block_size), bs = s.block_size, bits = s.bits;
  const int groups = (s.N + kQGroupCols - 1) / kQGroupCols;
  QPackedHeader* h = static_cast<QPackedHeader*>(dst);
  *h = QPackedHeader{kQPackedMagic, s.K, s.N, bits, bs, nb, groups, group_block_bytes(s)};
  const int blob = mnb_blob_bytes(bits, bs);
  for (int g = 0; g < groups; ++g)
    for (int blk = 0; blk < nb; ++blk) {
      uint8_t* gb = const_cast<uint8_t*>(qpacked_group_block(h, g, blk));
      QGroupBlockHeader* hd = reinterpret_cast<QGroupBlockHeader*>(gb);
      uint8_t* data = gb + sizeof(QGroupBlockHeader);
      std::memset(gb, 0, size_t(h->group_block_bytes));
      for (int c = 0; c < kQGroupCols; ++c) {
        const int n = g * kQGroupCols + c;
        if (n >= s.N) continue;
        hd->scale[c] = w.scales[size_t(n) * size_t(nb) + size_t(blk)];
        hd->zp[c] = uint8_t(mnb_get_zp(w.zero_points, bits, nb, n, blk));
        const uint8_t* src = w.B + (size_t(n) * size_t(nb) + size_t(blk)) * size_t(blob);
        const int kmax = imin(bs, s.K - blk * bs);  // values past K stay 0
        for (int i = 0; i < kmax; ++i) {
          const unsigned q = mnb_get_q(src, bits, i);
          if (bits == 8) {
            data[(i / 4) * 64 + c * 4 + (i % 4)] = uint8_t(q);
          } else {
            const int t = i / 8, j = i % 8;
            uint8_t& byte = data[t * 64 + c * 4 + (j % 4)];
            byte = uint8_t(byte | (j < 4 ? q : q << 4));
          }
        }
      }
    }
}

void quantize_a_block(const float* a, int n, int8_t* q, float* scale, int32_t* sum) {
  float amax = 0.0f;
  for (int i = 0; i < n; ++i) amax = std::fmax(amax, std::fabs(a[i]));
  const float inv = amax > 0.0f ? 127.0f / amax : 0.0f;
  int32_t s = 0;
  for (int i = 0; i < n; ++i) {
    const int v = int(std::nearbyint(a[i] * inv));  // round half to even (default FP mode)
    q[i] = int8_t(v);
    s += v;
  }
  *scale = amax / 127.0f;
  *sum = s;
}

void quantize_a_row(const float* a, int K, int block_size, int n_blocks, int8_t* q, float* scales, int32_t* sums) {
  for (int blk = 0; blk < n_blocks; ++blk) {
    const int k0 = blk * block_size, n = imin(block_size, K - k0);
    quantize_a_block(a + k0, n, q + k0, &scales[blk], &sums[blk]);
    for (int i = n; i < block_size; ++i) q[k0 + i] = 0;
  }
}

void pad_a_row(const float* a, int K, int padded, float* out, int block_size, float* block_sums) {
  for (int k = 0; k < padded; ++k) out[k] = k < K ? a[k] : 0.0f;
  for (int blk = 0; blk * block_size < padded; ++blk) {
    float s = 0.0f;
    for (int i = 0; i < block_size; ++i) s += out[blk * block_size + i];
    block_sums[blk] = s;
  }
}

}  // namespace kernels
}  // namespace qwasm
