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
// wasm_q::Rows. 8-bit weights and level 0 are Rows' own.
// Dot must provide static v128_t dot16(v128_t a_i8, v128_t b_i7) with the meaning of
// i16x8.relaxed_dot_i8x16_i7x16_s (wasm-relaxed/relaxed_dot.h, or an emulation).
#pragma once

#include "../wasm-common/qblock_wasm_impl.h"

namespace qwasm {
namespace kernels {
namespace wasm_q {

template <class Dot, class Madd>
struct RowsI16 : Rows<Dot, Madd> {
  using Base = Rows<Dot, Madd>;
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

  static void row_l4(const QPackedHeader* h, int g_begin, int g_end, const int8_t* aq, const float* ascale,
                     const int32_t* asum, float* y) {
    if (h->bits != 4) return Base::row_l4(h, g_begin, g_end, aq, ascale, asum, y);
    const int bs = h->block_size, chunks = bs / 8;  // block sizes are powers of two >= 16
    for (int g = g_begin; g < g_end; ++g) {
      v128_t facc[kVecs];
      for (int v = 0; v < kVecs; ++v) facc[v] = wasm_f32x4_splat(0.0f);
      for (int blk = 0; blk < h->n_blocks; ++blk) {
        const uint8_t* data = qpacked_data(h, g, blk);
        const float* hscale = qpacked_scales(h, g, blk);
        const uint8_t* hzp = qpacked_zps(h, g, blk);
        const int8_t* a = aq + blk * bs;
        v128_t acc[kVecs];
        for (int v = 0; v < kVecs; ++v) acc[v] = wasm_i32x4_splat(0);
        if (chunks == 2) chunks_row<2>(data, a, acc);
        else
          for (int t = 0; t < chunks; t += kFlushChunks) chunks_row<kFlushChunks>(data + 64 * t, a + 8 * t, acc);
        const v128_t sum = wasm_i32x4_splat(asum[blk]), as = wasm_f32x4_splat(ascale[blk]);
        for (int v = 0; v < kVecs; ++v) {
          const v128_t d = wasm_i32x4_sub(acc[v], wasm_i32x4_mul(load_zp4(hzp + 4 * v), sum));
          const v128_t sc = wasm_f32x4_mul(wasm_v128_load(hscale + 4 * v), as);
          facc[v] = Madd::madd(wasm_f32x4_convert_i32x4(d), sc, facc[v]);
        }
      }
      store_cols(y + g * kQGroupCols, facc, imin(kQGroupCols, h->N - g * kQGroupCols));
    }
  }

  // kRowsL4 rows, one column vector at a time (as Rows::rows_l4): T chunks into acc[r].
  template <int T>
  static inline void chunks_rows(const uint8_t* d, const int8_t* a, ptrdiff_t aq_stride, v128_t* acc) {
    constexpr int R = Base::kRowsL4;
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

  static void rows_l4(const QPackedHeader* h, int g_begin, int g_end, const int8_t* aq, ptrdiff_t aq_stride,
                      const float* ascale, const int32_t* asum, ptrdiff_t s_stride, float* y, ptrdiff_t ldy) {
    constexpr int R = Base::kRowsL4;
    const int bs = h->block_size, chunks = bs / 8;
    for (int g = g_begin; g < g_end; ++g) {
      v128_t facc[R][kVecs];
      for (int r = 0; r < R; ++r)
        for (int v = 0; v < kVecs; ++v) facc[r][v] = wasm_f32x4_splat(0.0f);
      for (int blk = 0; blk < h->n_blocks; ++blk) {
        const uint8_t* data = qpacked_data(h, g, blk);
        const float* hscale = qpacked_scales(h, g, blk);
        const uint8_t* hzp = qpacked_zps(h, g, blk);
        const int8_t* a = aq + blk * bs;
        for (int v = 0; v < kVecs; ++v) {
          v128_t acc[R];
          for (int r = 0; r < R; ++r) acc[r] = wasm_i32x4_splat(0);
          const uint8_t* d = data + 16 * v;
          if (chunks == 2) chunks_rows<2>(d, a, aq_stride, acc);
          else
            for (int t = 0; t < chunks; t += kFlushChunks)
              chunks_rows<kFlushChunks>(d + 64 * t, a + 8 * t, aq_stride, acc);
          const v128_t zp = load_zp4(hzp + 4 * v), hs = wasm_v128_load(hscale + 4 * v);
          for (int r = 0; r < R; ++r) {
            const v128_t sum = wasm_i32x4_splat(asum[r * s_stride + blk]);
            const v128_t dq = wasm_i32x4_sub(acc[r], wasm_i32x4_mul(zp, sum));
            const v128_t sc = wasm_f32x4_mul(hs, wasm_f32x4_splat(ascale[r * s_stride + blk]));
            facc[r][v] = Madd::madd(wasm_f32x4_convert_i32x4(dq), sc, facc[r][v]);
          }
        }
      }
      const int nc = imin(kQGroupCols, h->N - g * kQGroupCols);
      for (int r = 0; r < R; ++r) store_cols(y + r * ldy + g * kQGroupCols, facc[r], nc);
    }
  }
};

}  // namespace wasm_q
}  // namespace kernels
}  // namespace qwasm
