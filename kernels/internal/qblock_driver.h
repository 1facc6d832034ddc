// Row driver shared by the q-block (MatMulNBits) kernels: prepares one row of A
// (level 4: per-block int8 + scales + sums; level 0: zero-padded floats + block sums)
// and hands it to the kernel's row function, which walks the packed column groups.
//
// QK must provide
//   static void row_l4(const QPackedHeader* h, const int8_t* aq, const float* ascale,
//                      const int32_t* asum, float* y);
//   static void row_l0(const QPackedHeader* h, const float* a, const float* bsum, float* y);
// Include only from kernel sources whose QK lives in an anonymous namespace.
#pragma once

#include "common.h"

namespace qwasm {
namespace kernels {

template <class QK>
static void qblock_drive_l4(const QBlockArgs& g) {
  const QPackedHeader* h = static_cast<const QPackedHeader*>(g.packed);
  const int nb = h->n_blocks, bs = h->block_size;
  int8_t* aq = reinterpret_cast<int8_t*>(scratch_buffer(0, size_t(nb) * size_t(bs)));
  float* ascale = reinterpret_cast<float*>(scratch_buffer(1, sizeof(float) * 2 * size_t(nb)));
  int32_t* asum = reinterpret_cast<int32_t*>(ascale + nb);
  for (int m = 0; m < g.M; ++m) {
    quantize_a_row(g.A + m * g.lda, h->K, bs, nb, aq, ascale, asum);
    QK::row_l4(h, aq, ascale, asum, g.Y + m * g.ldy);
  }
}

template <class QK>
static void qblock_drive_l0(const QBlockArgs& g) {
  const QPackedHeader* h = static_cast<const QPackedHeader*>(g.packed);
  const int nb = h->n_blocks, bs = h->block_size;
  float* a = reinterpret_cast<float*>(scratch_buffer(0, sizeof(float) * size_t(nb) * size_t(bs)));
  float* bsum = reinterpret_cast<float*>(scratch_buffer(1, sizeof(float) * size_t(nb)));
  for (int m = 0; m < g.M; ++m) {
    pad_a_row(g.A + m * g.lda, h->K, nb * bs, a, bs, bsum);
    QK::row_l0(h, a, bsum, g.Y + m * g.ldy);
  }
}

}  // namespace kernels
}  // namespace qwasm
