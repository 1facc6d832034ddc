// Row driver shared by the q-block (MatMulNBits) kernels: prepares the rows of A
// (level 4: per-block int8 + scales + sums; level 0: zero-padded floats + block sums)
// and hands each to the kernel's row function, which walks a range of column groups.
//
// QK must provide
//   static void row_l4(const QPackedHeader* h, int g_begin, int g_end, const int8_t* aq, const float* ascale,
//                      const int32_t* asum, float* y);
//   static void row_l0(const QPackedHeader* h, int g_begin, int g_end, const float* a, const float* bsum, float* y);
// and may provide, for prompts (M > 1), a multi-row level-4 function that unpacks each
// chunk of weights once for kRowsL4 rows (4-bit only; results equal kRowsL4 row_l4 calls):
//   static constexpr int kRowsL4;
//   static void rows_l4(const QPackedHeader* h, int g_begin, int g_end, const int8_t* aq, ptrdiff_t aq_stride,
//                       const float* ascale, const int32_t* asum, ptrdiff_t s_stride, float* y, ptrdiff_t ldy);
// Include only from kernel sources whose QK lives in an anonymous namespace.
#pragma once

#include <type_traits>

#include "common.h"

namespace qwasm {
namespace kernels {

// Column groups per pass: their packed weights (about chunk_bytes) stay in cache
// while every row of A goes over them, so a prompt of M tokens reads the weights
// from memory once instead of M times. One row (decode) takes all groups at once.
// A pass has at least kQBlockMinGroupsPerPass groups: a multiple of every kernel's
// row step (QK::kNR / kQGroupCols; kernel_info.h asserts it), so no short pass ends
// in a partial step (the AVX-512 kernel walks 4 groups per step).
constexpr int kQBlockMinGroupsPerPass = 4;
static inline int qblock_groups_per_pass(const QPackedHeader* h, int M) {
  if (M <= 1) return h->n_groups;
  constexpr size_t kChunkBytes = 128 * 1024;
  const size_t per_group = size_t(h->n_blocks) * (size_t(h->data_block_bytes) + kQGroupCols * 5);
  const size_t g = kChunkBytes / (per_group ? per_group : 1);
  return int(g < kQBlockMinGroupsPerPass ? kQBlockMinGroupsPerPass : g);
}

// QK::kRowsL4 when QK has a multi-row level-4 function, else 1.
template <class QK, class = void>
struct QBlockRowsL4 : std::integral_constant<int, 1> {};
template <class QK>
struct QBlockRowsL4<QK, std::void_t<decltype(QK::kRowsL4)>> : std::integral_constant<int, QK::kRowsL4> {};

template <class QK>
static void qblock_drive_l4(const QBlockArgs& g) {
  const QPackedHeader* h = static_cast<const QPackedHeader*>(g.packed);
  const int nb = h->n_blocks, bs = h->block_size, M = g.M;
  const size_t row = size_t(nb) * size_t(bs);
  int8_t* aq = reinterpret_cast<int8_t*>(scratch_buffer(0, row * size_t(M)));
  float* ascale = reinterpret_cast<float*>(scratch_buffer(1, sizeof(float) * 2 * size_t(nb) * size_t(M)));
  int32_t* asum = reinterpret_cast<int32_t*>(ascale + size_t(nb) * size_t(M));
  for (int m = 0; m < M; ++m)
    quantize_a_row(g.A + m * g.lda, h->K, bs, nb, aq + m * row, ascale + m * nb, asum + m * nb);
  const int step = qblock_groups_per_pass(h, M);
  for (int g0 = 0; g0 < h->n_groups; g0 += step) {
    const int g1 = imin(h->n_groups, g0 + step);
    int m = 0;
    if constexpr (QBlockRowsL4<QK>::value > 1) {
      constexpr int R = QBlockRowsL4<QK>::value;
      if (h->bits == 4)
        for (; m + R <= M; m += R)
          QK::rows_l4(h, g0, g1, aq + m * row, ptrdiff_t(row), ascale + m * nb, asum + m * nb, nb, g.Y + m * g.ldy,
                      g.ldy);
    }
    for (; m < M; ++m) QK::row_l4(h, g0, g1, aq + m * row, ascale + m * nb, asum + m * nb, g.Y + m * g.ldy);
  }
}

template <class QK>
static void qblock_drive_l0(const QBlockArgs& g) {
  const QPackedHeader* h = static_cast<const QPackedHeader*>(g.packed);
  const int nb = h->n_blocks, bs = h->block_size, M = g.M;
  const size_t row = size_t(nb) * size_t(bs);
  float* a = reinterpret_cast<float*>(scratch_buffer(0, sizeof(float) * row * size_t(M)));
  float* bsum = reinterpret_cast<float*>(scratch_buffer(1, sizeof(float) * size_t(nb) * size_t(M)));
  for (int m = 0; m < M; ++m) pad_a_row(g.A + m * g.lda, h->K, nb * bs, a + m * row, bs, bsum + m * nb);
  const int step = qblock_groups_per_pass(h, M);
  for (int g0 = 0; g0 < h->n_groups; g0 += step) {
    const int g1 = imin(h->n_groups, g0 + step);
    for (int m = 0; m < M; ++m) QK::row_l0(h, g0, g1, a + m * row, bsum + m * nb, g.Y + m * g.ldy);
  }
}

}  // namespace kernels
}  // namespace qwasm
