// MatMulNBits row kernels for wasm, templated over the Dot policy (level 4) and the
// Madd policy (level 0) so the relaxed build, the simd128 build and the emulated
// engine classes share one source (wasm sources only).
//
// Level 4, 4-bit: one 16-byte load of a packed chunk holds 4 columns x 4 bytes; its
// low nibbles are k = 8t..8t+3 and its high nibbles k = 8t+4..8t+7 of each column.
// The nibbles (0..15) go in the dot's 7-bit operand, A's int8 block values, broadcast,
// in the signed one: exact on every engine with one instruction per 16 products.
// 8-bit weights (0..255) do not fit the 7-bit operand; they use SdotExact with
// (q - 128) and zero point - 128, which is exact everywhere.
//
// Level 0: nibbles are swizzled so each lane is one column, widened to f32 and
// multiply-added with A[k] broadcast; per block y += scale * (dot - zp * sum(A)).
#pragma once

#include <wasm_simd128.h>

#include "../internal/kernel_info.h"
#include "wasm_dot.h"

namespace qwasm {
namespace kernels {
namespace wasm_q {

constexpr int kVecs = kQGroupCols / 4;  // v128 per column group

static inline v128_t load_zp4(const uint8_t* zp) {
  return wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(zp)));
}
// The high nibbles of each byte: a 16-bit shift and the nibble mask. (i8x16.shr_u has no
// x86 instruction; engines lower it to the same shift plus a byte mask they rebuild per use.)
static inline v128_t hi_nibbles(v128_t p, v128_t nib) { return wasm_v128_and(wasm_u16x8_shr(p, 4), nib); }

static inline void store_cols(float* y, const v128_t* acc, int nc) {
  if (nc == kQGroupCols) {
    for (int v = 0; v < kVecs; ++v) wasm_v128_store(y + 4 * v, acc[v]);
  } else {
    alignas(16) float tmp[kQGroupCols];
    for (int v = 0; v < kVecs; ++v) wasm_v128_store(tmp + 4 * v, acc[v]);
    for (int c = 0; c < nc; ++c) y[c] = tmp[c];
  }
}

// The 4-bit level-4 block dot, the part of row_l4 / rows_l4 a variant may replace (Nib
// policy of Rows): nibble products summed by the i32x4 dot-add, low and high halves in two
// accumulators. block_row: one row, every column vector, into acc[kVecs]; block_rows: R rows
// of one column vector (d at its 16 bytes) into acc[R].
template <class Dot>
struct NibI32 {
  static inline void block_row(const uint8_t* data, const int8_t* a, int bs, v128_t* acc) {
    const v128_t nib = wasm_i8x16_splat(15);
    v128_t acc2[kVecs];
    for (int v = 0; v < kVecs; ++v) acc2[v] = wasm_i32x4_splat(0);
    for (int t = 0; t < bs / 8; ++t, data += 64) {
      const v128_t alo = wasm_v128_load32_splat(a + 8 * t), ahi = wasm_v128_load32_splat(a + 8 * t + 4);
      for (int v = 0; v < kVecs; ++v) {
        const v128_t p = wasm_v128_load(data + 16 * v);
        acc[v] = Dot::dot(alo, wasm_v128_and(p, nib), acc[v]);
        acc2[v] = Dot::dot(ahi, hi_nibbles(p, nib), acc2[v]);
      }
    }
    for (int v = 0; v < kVecs; ++v) acc[v] = wasm_i32x4_add(acc[v], acc2[v]);
  }
  template <int R>
  static inline void block_rows(const uint8_t* d, const int8_t* a, ptrdiff_t aq_stride, int bs, v128_t* acc) {
    const v128_t nib = wasm_i8x16_splat(15);
    for (int t = 0; t < bs / 8; ++t, d += 64) {
      const v128_t p = wasm_v128_load(d);
      const v128_t lo = wasm_v128_and(p, nib), hi = hi_nibbles(p, nib);
      for (int r = 0; r < R; ++r) {
        const int8_t* ar = a + r * aq_stride + 8 * t;
        acc[r] = Dot::dot(wasm_v128_load32_splat(ar), lo, acc[r]);
        acc[r] = Dot::dot(wasm_v128_load32_splat(ar + 4), hi, acc[r]);
      }
    }
  }
};

template <class Dot, class Madd, class Nib = NibI32<Dot>>
struct Rows {
  static constexpr int kNR = kQGroupCols;  // one column group (kVecs v128) per step
  static void row_l4(const QPackedHeader* h, int g_begin, int g_end, const int8_t* aq, const float* ascale, const int32_t* asum, float* y) {
    const int bs = h->block_size;
    const v128_t flip = wasm_i8x16_splat(int8_t(0x80));
    const int zp_bias = h->bits == 8 ? 128 : 0;
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
        if (h->bits == 4) {
          Nib::block_row(data, a, bs, acc);
        } else {
          for (int t = 0; t < bs / 4; ++t, data += 64) {
            const v128_t av = wasm_v128_load32_splat(a + 4 * t);
            for (int v = 0; v < kVecs; ++v)
              acc[v] = SdotExact::dot(wasm_v128_xor(wasm_v128_load(data + 16 * v), flip), av, acc[v]);
          }
        }
        const v128_t sum = wasm_i32x4_splat(asum[blk]), as = wasm_f32x4_splat(ascale[blk]);
        const v128_t bias = wasm_i32x4_splat(zp_bias);
        for (int v = 0; v < kVecs; ++v) {
          const v128_t zp = wasm_i32x4_sub(load_zp4(hzp + 4 * v), bias);
          const v128_t d = wasm_i32x4_sub(acc[v], wasm_i32x4_mul(zp, sum));
          const v128_t sc = wasm_f32x4_mul(wasm_v128_load(hscale + 4 * v), as);
          facc[v] = Madd::madd(wasm_f32x4_convert_i32x4(d), sc, facc[v]);
        }
      }
      store_cols(y + g * kQGroupCols, facc, imin(kQGroupCols, h->N - g * kQGroupCols));
    }
  }

  // Level 4, 4-bit, kRowsL4 rows of A at once (prompts): each 16-byte chunk of nibbles is
  // loaded and split once for all rows instead of once per row. Per row the integer dots
  // are the same (low and high halves in one accumulator: integer adds commute) and the
  // float epilogue is row_l4's, op for op, so the results are bit-identical to kRowsL4
  // row_l4 calls. One column vector at a time keeps kRowsL4 accumulators live (x86
  // engines have 16 vector registers); A's broadcasts are reloaded per vector (loads).
  static constexpr int kRowsL4 = 4;
  static void rows_l4(const QPackedHeader* h, int g_begin, int g_end, const int8_t* aq, ptrdiff_t aq_stride,
                      const float* ascale, const int32_t* asum, ptrdiff_t s_stride, float* y, ptrdiff_t ldy) {
    constexpr int R = kRowsL4;
    const int bs = h->block_size;
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
          Nib::template block_rows<R>(data + 16 * v, a, aq_stride, bs, acc);
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

  // Four k of 4 columns: bytes [c*4 + j] -> f32 lanes per k, multiply-added with A.
  static inline void madd_k4(v128_t q, const float* a, v128_t& acc) {
    const v128_t byk = wasm_i8x16_shuffle(q, q, 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    const v128_t w01 = wasm_u16x8_extend_low_u8x16(byk), w23 = wasm_u16x8_extend_high_u8x16(byk);
    acc = Madd::madd(wasm_f32x4_convert_i32x4(wasm_u32x4_extend_low_u16x8(w01)), wasm_f32x4_splat(a[0]), acc);
    acc = Madd::madd(wasm_f32x4_convert_i32x4(wasm_u32x4_extend_high_u16x8(w01)), wasm_f32x4_splat(a[1]), acc);
    acc = Madd::madd(wasm_f32x4_convert_i32x4(wasm_u32x4_extend_low_u16x8(w23)), wasm_f32x4_splat(a[2]), acc);
    acc = Madd::madd(wasm_f32x4_convert_i32x4(wasm_u32x4_extend_high_u16x8(w23)), wasm_f32x4_splat(a[3]), acc);
  }

  static void row_l0(const QPackedHeader* h, int g_begin, int g_end, const float* a, const float* bsum, float* y) {
    const int bs = h->block_size;
    const v128_t nib = wasm_i8x16_splat(15);
    for (int g = g_begin; g < g_end; ++g) {
      v128_t facc[kVecs];
      for (int v = 0; v < kVecs; ++v) facc[v] = wasm_f32x4_splat(0.0f);
      for (int blk = 0; blk < h->n_blocks; ++blk) {
        const uint8_t* data = qpacked_data(h, g, blk);
        const float* hscale = qpacked_scales(h, g, blk);
        const uint8_t* hzp = qpacked_zps(h, g, blk);
        const float* ab = a + blk * bs;
        v128_t d[kVecs];
        for (int v = 0; v < kVecs; ++v) d[v] = wasm_f32x4_splat(0.0f);
        if (h->bits == 4) {
          for (int t = 0; t < bs / 8; ++t, data += 64)
            for (int v = 0; v < kVecs; ++v) {
              const v128_t p = wasm_v128_load(data + 16 * v);
              madd_k4(wasm_v128_and(p, nib), ab + 8 * t, d[v]);
              madd_k4(hi_nibbles(p, nib), ab + 8 * t + 4, d[v]);
            }
        } else {
          for (int t = 0; t < bs / 4; ++t, data += 64)
            for (int v = 0; v < kVecs; ++v) madd_k4(wasm_v128_load(data + 16 * v), ab + 4 * t, d[v]);
        }
        const v128_t s = wasm_f32x4_splat(bsum[blk]);
        for (int v = 0; v < kVecs; ++v) {
          const v128_t zp = wasm_f32x4_convert_i32x4(load_zp4(hzp + 4 * v));
          const v128_t t = wasm_f32x4_sub(d[v], wasm_f32x4_mul(zp, s));
          facc[v] = Madd::madd(wasm_v128_load(hscale + 4 * v), t, facc[v]);
        }
      }
      store_cols(y + g * kQGroupCols, facc, imin(kQGroupCols, h->N - g * kQGroupCols));
    }
  }
};

}  // namespace wasm_q
}  // namespace kernels
}  // namespace qwasm
