// MatMulNBits level 4, 4-bit, with the nibble products summed in int16 lanes: the
// variant for engines that lower the relaxed dot to pmaddubsw + pmaddwd + add
// (class usdot-saturating, e.g. Node 22 on x86). There i32x4.relaxed_dot..._add costs
// three instructions per 16 products; i16x8.relaxed_dot_i8x16_i7x16_s is the pmaddubsw
// alone, so summing its pairs in int16 (one add) and widening once per 32 k
// (i32x4.extadd_pairwise_i16x8, one pmaddwd) does the same work in about two.
//
// Exact: an int16 lane sums 2 products per dot and 8 dots per flush (4 chunks of 8 k,
// low and high nibbles), so 16 products of a nibble (0..15) and a quantized A value
// (|a| <= 127, quantize_a_block) reach at most 16 * 15 * 127 = 30480 < 32767: nothing
// saturates or wraps, and with nibbles in the 7-bit operand every engine class computes
// the same pair sums. The int32 block dot is then row_l4's exactly (integer adds
// commute) and the float epilogue is row_l4's op for op: results are bit-identical to
// wasm_q::Rows with its default Nib policy.
// Dot must provide static v128_t dot16(v128_t a_i8, v128_t b_i7) with the meaning of
// i16x8.relaxed_dot_i8x16_i7x16_s (wasm-relaxed/relaxed_dot.h, or an emulation).
#pragma once

#include "../wasm-common/qblock_wasm_impl.h"

namespace qwasm {
namespace kernels {
namespace wasm_q {

// Rows' Nib policy (qblock_wasm_impl.h) with int16 sums: the rest of row_l4 / rows_l4, the
// 8-bit weights and level 0 are Rows' own.
template <class Dot>
struct NibI16 {
  static constexpr int kFlushChunks = 4;  // chunks (8 k each) summed in int16 before widening

  // T chunks (T <= kFlushChunks) of one (group, block) into the int32 column sums acc.
  template <int T>
  static inline void chunks_row(const uint8_t* data, const int8_t* a, v128_t* acc) {
    const v128_t nib = wasm_i8x16_splat(15);
    v128_t s[kVecs];
    for (int v = 0; v < kVecs; ++v) s[v] = wasm_i16x8_splat(0);
    for (int t = 0; t < T; ++t, data += 64) {
      const v128_t alo = wasm_v128_load32_splat(a + 8 * t), ahi = wasm_v128_load32_splat(a + 8 * t + 4);
      for (int v = 0; v < kVecs; ++v) {
        const v128_t p = wasm_v128_load(data + 16 * v);
        s[v] = wasm_i16x8_add(s[v], Dot::dot16(alo, wasm_v128_and(p, nib)));
        s[v] = wasm_i16x8_add(s[v], Dot::dot16(ahi, hi_nibbles(p, nib)));
      }
    }
    for (int v = 0; v < kVecs; ++v) acc[v] = wasm_i32x4_add(acc[v], wasm_i32x4_extadd_pairwise_i16x8(s[v]));
  }
  // Block sizes are powers of two >= 16: 2 chunks, or a multiple of kFlushChunks.
  static inline void block_row(const uint8_t* data, const int8_t* a, int bs, v128_t* acc) {
    const int chunks = bs / 8;
    if (chunks == 2) return chunks_row<2>(data, a, acc);
    for (int t = 0; t < chunks; t += kFlushChunks) chunks_row<kFlushChunks>(data + 64 * t, a + 8 * t, acc);
  }

  // R rows of one column vector: T chunks into acc[r].
  template <int R, int T>
  static inline void chunks_rows(const uint8_t* d, const int8_t* a, ptrdiff_t aq_stride, v128_t* acc) {
    const v128_t nib = wasm_i8x16_splat(15);
    v128_t s[R];
    for (int r = 0; r < R; ++r) s[r] = wasm_i16x8_splat(0);
    for (int t = 0; t < T; ++t, d += 64) {
      const v128_t p = wasm_v128_load(d);
      const v128_t lo = wasm_v128_and(p, nib), hi = hi_nibbles(p, nib);
      for (int r = 0; r < R; ++r) {
        const int8_t* ar = a + r * aq_stride + 8 * t;
        s[r] = wasm_i16x8_add(s[r], Dot::dot16(wasm_v128_load32_splat(ar), lo));
        s[r] = wasm_i16x8_add(s[r], Dot::dot16(wasm_v128_load32_splat(ar + 4), hi));
      }
    }
    for (int r = 0; r < R; ++r) acc[r] = wasm_i32x4_add(acc[r], wasm_i32x4_extadd_pairwise_i16x8(s[r]));
  }
  template <int R>
  static inline void block_rows(const uint8_t* d, const int8_t* a, ptrdiff_t aq_stride, int bs, v128_t* acc) {
    const int chunks = bs / 8;
    if (chunks == 2) return chunks_rows<R, 2>(d, a, aq_stride, acc);
    for (int t = 0; t < chunks; t += kFlushChunks) chunks_rows<R, kFlushChunks>(d + 64 * t, a + 8 * t, aq_stride, acc);
  }
};

template <class Dot, class Madd>
using RowsI16 = Rows<Dot, Madd, NibI16<Dot>>;

}  // namespace wasm_q
}  // namespace kernels
}  // namespace qwasm
