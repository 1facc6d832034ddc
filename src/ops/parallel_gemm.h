// Kernel calls split across the session's threads (ops/parallel.h). Pieces are
// whole register tiles (multiples of the kernel's mr rows / nr columns), so every
// output element goes through the same tile code as on one thread: results are
// bit-identical for any thread count.
#pragma once
#include <algorithm>
#include <cstdint>

#include "qwasm_kernels.h"
#include "ops/parallel.h"

namespace qwasm {

// Below this many multiply-adds a GEMM runs on the calling thread (waking workers costs more).
constexpr int64_t kParallelMinWork = 64 * 1024;

// Boundaries of piece p of `pieces` over `units` tiles of `tile` items, clipped to `total`.
inline void piece_range(int p, int pieces, int units, int tile, int total, int* begin, int* end) {
  *begin = std::min(total, int(int64_t(units) * p / pieces) * tile);
  *end = std::min(total, int(int64_t(units) * (p + 1) / pieces) * tile);
}

// int8 GEMM over packed B, split by rows of A (the packed B is shared read-only), or by
// column panels of packed B when there are too few row tiles to go round (M = 1: a
// decoder step, the last-token LM head), each piece then preparing the few rows of A itself.
inline void gemm_i8_parallel(Parallel& par, const kernels::GemmI8Kernel& k, const kernels::GemmI8Args& g, int N,
                             int K) {
  const int threads = par.threads();
  const int mr = std::max(1, k.info.mr), nr = std::max(1, k.info.nr);
  const int m_units = (g.M + mr - 1) / mr, n_units = (N + nr - 1) / nr;
  const bool by_rows = m_units >= 2 * threads || m_units >= n_units;
  const int units = by_rows ? m_units : n_units;
  const int pieces = std::min(units, 2 * threads);
  if (threads < 2 || pieces < 2 || int64_t(g.M) * N * K < kParallelMinWork) {
    k.run(g);
    return;
  }
  parallel_for(par, pieces, [&](int p) {
    int i0, i1;
    piece_range(p, pieces, units, by_rows ? mr : nr, by_rows ? g.M : N, &i0, &i1);
    if (i0 >= i1) return;
    kernels::GemmI8Args s = g;
    if (by_rows) {
      s.M = i1 - i0;
      s.A = static_cast<const uint8_t*>(g.A) + i0 * g.lda;
      s.C = g.C + i0 * g.ldc;
      if (g.za_rows) s.za_rows = g.za_rows + i0;
    } else {
      s.n_begin = i0, s.n_end = i1;
    }
    k.run(s);
  });
}

// f32 GEMM split by rows when there are enough row tiles, else by column tiles.
inline void gemm_f32_parallel(Parallel& par, const kernels::GemmF32Args& g) {
  const kernels::GemmF32Kernel& k = kernels::best_gemm_f32();
  const int threads = par.threads();
  if (threads < 2 || int64_t(g.M) * g.N * g.K < kParallelMinWork) {
    k.run(g);
    return;
  }
  const int mr = std::max(1, k.info.mr), nr = std::max(1, k.info.nr);
  const int m_units = (g.M + mr - 1) / mr, n_units = (g.N + nr - 1) / nr;
  const bool by_rows = m_units >= 2 * threads || m_units >= n_units;
  const int units = by_rows ? m_units : n_units;
  const int pieces = std::min(units, 2 * threads);
  if (pieces < 2) {
    k.run(g);
    return;
  }
  parallel_for(par, pieces, [&](int p) {
    int i0, i1;
    piece_range(p, pieces, units, by_rows ? mr : nr, by_rows ? g.M : g.N, &i0, &i1);
    if (i0 >= i1) return;
    kernels::GemmF32Args s = g;
    if (by_rows) {
      s.M = i1 - i0, s.A = g.A + i0 * g.a_rs, s.C = g.C + i0 * g.ldc;
      if (g.packed_a) s.packed_a = g.packed_a + size_t(i0) * size_t(g.K);  // i0: whole tiles of mr rows
    } else {
      s.N = i1 - i0, s.B = g.B + i0 * g.b_cs, s.C = g.C + i0;
    }
    k.run(s);
  });
}

}  // namespace qwasm
