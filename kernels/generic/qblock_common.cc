// MatMulNBits weights: packing into the kernels' group layout (see
// qwasm_block_formats.h) and the per-block int8 quantization of A for level 4.
#include <cmath>
#include <cstring>
#include <vector>

#include "../internal/common.h"

namespace qwasm {
namespace kernels {

bool qblock_supported(const QBlockShape& s) {
  const int bs = s.block_size;
  return (s.bits == 4 || s.bits == 8) && bs >= 16 && (bs & (bs - 1)) == 0 && s.K > 0 && s.N > 0;
}

static int data_block_bytes(const QBlockShape& s) { return kQGroupCols * s.block_size * s.bits / 8; }
static size_t n_group_blocks(const QBlockShape& s) {
  return size_t((s.N + kQGroupCols - 1) / kQGroupCols) * size_t(mnb_n_blocks(s.K, s.block_size));
}
static size_t round64(size_t n) { return (n + 63) & ~size_t(63); }
// One row of 2^(bits-1) for models without zero points (zp_stride 0 reads it for every block).
alignas(16) static const uint8_t kDefaultZp4[kQGroupCols] = {8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8};
alignas(16) static const uint8_t kDefaultZp8[kQGroupCols] = {128, 128, 128, 128, 128, 128, 128, 128,
                                                             128, 128, 128, 128, 128, 128, 128, 128};

size_t qblock_zp_bytes(const QBlockShape& s) { return n_group_blocks(s) * kQGroupCols; }

size_t qblock_packed_size(const QBlockShape& s) {
  if (!qblock_supported(s)) return 0;
  const size_t gb = n_group_blocks(s);
  return round64(sizeof(QPackedHeader)) + round64(gb * size_t(data_block_bytes(s))) +
         round64(gb * kQGroupCols * sizeof(float)) + gb * kQGroupCols;
}

static QPackedHeader header_for(const QBlockShape& s, bool has_zp) {
  QPackedHeader h{};
  h.magic = kQPackedMagic;
  h.K = s.K, h.N = s.N, h.bits = s.bits, h.block_size = s.block_size;
  h.n_blocks = mnb_n_blocks(s.K, s.block_size);
  h.n_groups = (s.N + kQGroupCols - 1) / kQGroupCols;
  h.data_block_bytes = data_block_bytes(s);
  h.zp_stride = has_zp ? kQGroupCols : 0;
  return h;
}

// Writes the data of one (group, block) from the raw blobs of its columns: column c's
// blob at rows + c * row_stride (ncols columns present, the rest and k past K are 0).
static void pack_block_data(const QPackedHeader& h, const uint8_t* rows, size_t row_stride, int ncols, int blk,
                            uint8_t* data) {
  const int bs = h.block_size, bits = h.bits;
  const int kmax = imin(bs, h.K - blk * bs);
  if (kmax == bs && ncols == kQGroupCols) {
    // Whole blocks of a whole group (all but a ragged last one; they write every byte), a 32-bit
    // word at a time: loading the 434 MB q4 decoder spent ~1 s here nibble by nibble (and in
    // the memset). Source bytes s0..s3 (little-endian word w) hold
    // k = 8t .. 8t+7 low nibble first; the destination word's byte m is k = 8t+m | k = 8t+4+m << 4:
    // (s0 lo | s2 lo << 4), (s0 hi | s2 hi << 4), (s1 lo | s3 lo << 4), (s1 hi | s3 hi << 4).
    for (int c = 0; c < ncols; ++c) {
      const uint8_t* src = rows + size_t(c) * row_stride;
      for (int t = 0; t < bs * bits / 32; ++t) {
        uint32_t w;
        std::memcpy(&w, src + 4 * t, 4);
        if (bits == 4) {
          const uint32_t lo = w & 0x0F0F0F0Fu, hi = (w >> 4) & 0x0F0F0F0Fu;  // nibbles k even / odd
          // bytes (lo0, hi0, lo1, hi1) | (lo2, hi2, lo3, hi3) << 4
          const uint32_t a = (lo & 0xFFu) | (hi & 0xFFu) << 8 | (lo & 0xFF00u) << 8 | (hi & 0xFF00u) << 16;
          const uint32_t b = (lo >> 16 & 0xFFu) | (hi >> 16 & 0xFFu) << 8 | (lo >> 8 & 0xFF0000u) | (hi & 0xFF000000u);
          w = a | b << 4;
        }
        std::memcpy(data + t * 64 + c * 4, &w, 4);
      }
    }
    return;
  }
  std::memset(data, 0, size_t(h.data_block_bytes));
  for (int c = 0; c < ncols; ++c) {
    const uint8_t* src = rows + size_t(c) * row_stride;
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

static void expand_zps(const QPackedHeader& h, const uint8_t* zero_points, uint8_t* zps) {
  for (int g = 0; g < h.n_groups; ++g)
    for (int blk = 0; blk < h.n_blocks; ++blk)
      for (int c = 0; c < kQGroupCols; ++c) {
        const int n = g * kQGroupCols + c;
        zps[qpacked_index(&h, g, blk) * kQGroupCols + size_t(c)] =
            n < h.N ? uint8_t(mnb_get_zp(zero_points, h.bits, h.n_blocks, n, blk)) : uint8_t(0);
      }
}

void qblock_pack(const QBlockShape& s, const QBlockWeights& w, void* dst) {
  QPackedHeader h = header_for(s, w.zero_points != nullptr);
  const size_t gb = n_group_blocks(s);
  uint8_t* base = static_cast<uint8_t*>(dst);
  uint8_t* data = base + round64(sizeof(QPackedHeader));
  float* scales = reinterpret_cast<float*>(data + round64(gb * size_t(h.data_block_bytes)));
  uint8_t* zps = reinterpret_cast<uint8_t*>(scales) + round64(gb * kQGroupCols * sizeof(float));
  const int blob = mnb_blob_bytes(s.bits, s.block_size);
  const size_t row_stride = size_t(h.n_blocks) * size_t(blob);
  for (int g = 0; g < h.n_groups; ++g) {
    const int ncols = imin(kQGroupCols, s.N - g * kQGroupCols);
    for (int blk = 0; blk < h.n_blocks; ++blk) {
      const size_t i = qpacked_index(&h, g, blk);
      pack_block_data(h, w.B + size_t(g) * kQGroupCols * row_stride + size_t(blk) * size_t(blob), row_stride, ncols,
                      blk, data + i * size_t(h.data_block_bytes));
      for (int c = 0; c < kQGroupCols; ++c)
        scales[i * kQGroupCols + size_t(c)] =
            c < ncols ? w.scales[size_t(g * kQGroupCols + c) * size_t(h.n_blocks) + size_t(blk)] : 0.0f;
    }
  }
  if (w.zero_points) expand_zps(h, w.zero_points, zps);
  h.data = data;
  h.scales = scales;
  h.zps = w.zero_points ? zps : (s.bits == 8 ? kDefaultZp8 : kDefaultZp4);
  std::memcpy(dst, &h, sizeof h);
}

bool qblock_pack_in_place(const QBlockShape& s, uint8_t* B, float* scales, const uint8_t* zero_points,
                          uint8_t* zp_dst, void* hdst) {
  if (!qblock_supported(s) || s.N % kQGroupCols != 0) return false;
  QPackedHeader h = header_for(s, zero_points != nullptr);
  const int blob = mnb_blob_bytes(s.bits, s.block_size);
  const size_t row_stride = size_t(h.n_blocks) * size_t(blob);
  // One group's rows at a time: group g's packed data and scales occupy exactly the
  // bytes its 16 raw rows did, so a copy of those rows is all the scratch needed.
  std::vector<uint8_t> rows(kQGroupCols * row_stride);
  std::vector<float> srow(size_t(kQGroupCols) * size_t(h.n_blocks));
  for (int g = 0; g < h.n_groups; ++g) {
    uint8_t* gB = B + size_t(g) * kQGroupCols * row_stride;
    float* gS = scales + size_t(g) * kQGroupCols * size_t(h.n_blocks);
    std::memcpy(rows.data(), gB, rows.size());
    std::memcpy(srow.data(), gS, srow.size() * sizeof(float));
    for (int blk = 0; blk < h.n_blocks; ++blk) {
      pack_block_data(h, rows.data() + size_t(blk) * size_t(blob), row_stride, kQGroupCols, blk,
                      gB + size_t(blk) * size_t(h.data_block_bytes));
      for (int c = 0; c < kQGroupCols; ++c)
        gS[size_t(blk) * kQGroupCols + size_t(c)] = srow[size_t(c) * size_t(h.n_blocks) + size_t(blk)];
    }
  }
  if (zero_points) expand_zps(h, zero_points, zp_dst);
  h.data = B;
  h.scales = scales;
  h.zps = zero_points ? zp_dst : (s.bits == 8 ? kDefaultZp8 : kDefaultZp4);
  std::memcpy(hdst, &h, sizeof h);
  return true;
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
