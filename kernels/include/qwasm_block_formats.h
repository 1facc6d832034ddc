// Quantized block formats, in one place: the com.microsoft MatMulNBits input layout
// (what the model file holds) and the packed layout every q-block kernel reads.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qwasm {
namespace kernels {

// ---- MatMulNBits input (per column n, per block of block_size along K) -------------
// B[n][blk] is a blob of block_size * bits / 8 bytes. 4-bit: byte i holds k = 2i in its
// low nibble and k = 2i + 1 in its high nibble. Zero points: packed `bits` wide, low
// bits first, rows of ceil(n_blocks * bits / 8) bytes; absent -> 2^(bits-1).
// Block scales are plain floats, [N, n_blocks].

// One 32-element 4-bit blob as stored in the file (the most common block size).
struct MnbBlobQ4x32 {
  uint8_t q[16];
};
static_assert(sizeof(MnbBlobQ4x32) == 16, "q4 blob of 32 values is 16 bytes");

inline int mnb_n_blocks(int K, int block_size) { return (K + block_size - 1) / block_size; }
inline int mnb_blob_bytes(int bits, int block_size) { return block_size * bits / 8; }
inline int mnb_zp_row_bytes(int n_blocks, int bits) { return (n_blocks * bits + 7) / 8; }

// Quantized value i (0-based within the block) of a blob.
inline unsigned mnb_get_q(const uint8_t* blob, int bits, int i) {
  if (bits == 8) return blob[i];
  return (blob[i >> 1] >> ((i & 1) * 4)) & 15u;
}
// Zero point of (column n, block blk); zp == nullptr -> 2^(bits-1).
inline unsigned mnb_get_zp(const uint8_t* zp, int bits, int n_blocks, int n, int blk) {
  if (!zp) return 1u << (bits - 1);
  const uint8_t* row = zp + size_t(n) * size_t(mnb_zp_row_bytes(n_blocks, bits));
  const int bit = blk * bits;
  return (row[bit >> 3] >> (bit & 7)) & ((1u << bits) - 1u);
}

// ---- Packed layout read by the q-block kernels --------------------------------------
// Columns are grouped by kQGroupCols. Three arrays, each ordered [group][block]:
// the data, kQGroupCols * block_size * bits / 8 bytes per (group, block); the scales,
// kQGroupCols floats; the zero points, kQGroupCols raw bytes (or one shared row of
// 2^(bits-1) when the model has none: zp_stride 0). With N a multiple of kQGroupCols
// the data array has exactly the size of MatMulNBits's B and the scales that of its
// scales input, and group g occupies the bytes of B's rows [16g, 16g+16): packing can
// permute them in place (qblock_pack_in_place), so weights never exist twice.
// The data of one (group, block) comes in chunks of 64 bytes = 16 columns x 4 bytes:
//   4-bit chunk t: column c's 4 bytes j = 0..3 hold k = 8t + j (low nibble) and
//                  k = 8t + 4 + j (high nibble)  -> a 4-wide dot per column per nibble half
//   8-bit chunk t: column c's 4 bytes j hold k = 4t + j.
// Columns past N and k past K are zero with scale 0 (they contribute nothing).
constexpr int kQGroupCols = 16;

// What the kernels receive: shape and the three arrays (which may live anywhere).
struct QPackedHeader {
  uint32_t magic;                 // kQPackedMagic
  int32_t K, N, bits, block_size;
  int32_t n_blocks, n_groups;
  int32_t data_block_bytes;       // data of one (group, block)
  int32_t zp_stride;              // kQGroupCols, or 0: every block shares zps[0..15]
  const uint8_t* data;
  const float* scales;
  const uint8_t* zps;
};
constexpr uint32_t kQPackedMagic = 0x51424B32;  // "QBK2"

inline size_t qpacked_index(const QPackedHeader* h, int group, int blk) {
  return size_t(group) * size_t(h->n_blocks) + size_t(blk);
}
inline const uint8_t* qpacked_data(const QPackedHeader* h, int group, int blk) {
  return h->data + qpacked_index(h, group, blk) * size_t(h->data_block_bytes);
}
inline const float* qpacked_scales(const QPackedHeader* h, int group, int blk) {
  return h->scales + qpacked_index(h, group, blk) * kQGroupCols;
}
inline const uint8_t* qpacked_zps(const QPackedHeader* h, int group, int blk) {
  return h->zps + qpacked_index(h, group, blk) * size_t(h->zp_stride);
}

// ---- Packed int8 GEMM B ----------------------------------------------------------------
// Header, then int32 column sums[Np] and zero points[Np] (in the stored int8 / int16
// representation), then N/nr panels of Kp x nr values laid out [Kp/kr][nr][kr].
struct I8PackedHeader {
  uint32_t magic;     // kI8PackedMagic
  int32_t K, N, Kp, Np, nr, kr, elem_bytes;
};
static_assert(sizeof(I8PackedHeader) == 32, "packed header is 32 bytes");
constexpr uint32_t kI8PackedMagic = 0x49384B31;  // "I8K1"

}  // namespace kernels
}  // namespace qwasm
