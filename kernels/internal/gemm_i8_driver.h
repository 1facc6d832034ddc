// The one int8 GEMM driver every variant instantiates with its micro-kernel UK.
//
// Any signedness combination reduces to one integer dot in the kernel's own
// representation ("repr"): flipping the top bit (x ^ 0x80) turns uint8 into int8
// minus 128, so (A - za) == (A' - za') exactly when za' is shifted the same way.
// Then
//   C = dot(A', B') - zb'[n] * rowsum(A') + za'[m] * (K * zb'[n] - colsum(B'))
// where colsum/zb' were stored by pack_b and rowsum is computed while A is copied
// into a zero-padded scratch (which also lets the micro-kernel read whole k-groups).
// A per-tensor za' folds into one term per column; a per-row za' (GemmI8Args::za_rows)
// multiplies the column term once per element.
// All corrections are done in uint32 (wrapping): the exact int32 result is recovered
// whenever it fits int32, which the contract requires.
//
// UK must provide:
//   static constexpr int kMR, kNR, kKR;        register tile and k-group
//   static int a_row_bytes(int Kp);            scratch bytes per prepared row
//   static int32_t prepare_row(const uint8_t* a, int K, int Kp, bool a_signed, uint8_t* dst);
//                                              copy one row in repr, return its repr sum
//   static int32_t za_repr(int32_t za, bool a_signed);
//   template <int R> static void tile(int kgroups, const uint8_t* a, ptrdiff_t a_stride,
//                                     const uint8_t* b_panel, int32_t* out);   out: R x kNR
// Include only from kernel sources whose UK lives in an anonymous namespace.
#pragma once

#include "common.h"

namespace qwasm {
namespace kernels {

// ---- prepare_row building blocks ----------------------------------------------------
// Bytes in uint8 repr (flip int8 input), zero padded.
static inline int32_t prepare_row_u8(const uint8_t* a, int K, int Kp, bool a_signed, uint8_t* dst) {
  const uint8_t x = a_signed ? 0x80 : 0;
  int32_t s = 0;
  for (int k = 0; k < K; ++k) {
    dst[k] = uint8_t(a[k] ^ x);
    s += dst[k];
  }
  for (int k = K; k < Kp; ++k) dst[k] = 0;
  return s;
}
// Bytes in int8 repr (flip uint8 input), zero padded.
static inline int32_t prepare_row_s8(const uint8_t* a, int K, int Kp, bool a_signed, uint8_t* dst) {
  const uint8_t x = a_signed ? 0 : 0x80;
  int32_t s = 0;
  for (int k = 0; k < K; ++k) {
    dst[k] = uint8_t(a[k] ^ x);
    s += int8_t(dst[k]);
  }
  for (int k = K; k < Kp; ++k) dst[k] = 0;
  return s;
}
// uint8 repr split into two planes so each fits a 7-bit operand: lo = a & 127 at
// dst[0, Kp), hi = a >> 7 (0 or 1) at dst[Kp, 2Kp). a = lo + 128 * hi.
static inline int32_t prepare_row_split(const uint8_t* a, int K, int Kp, bool a_signed, uint8_t* dst) {
  const uint8_t x = a_signed ? 0x80 : 0;
  int32_t s = 0;
  for (int k = 0; k < K; ++k) {
    const uint8_t v = uint8_t(a[k] ^ x);
    dst[k] = v & 127;
    dst[Kp + k] = v >> 7;
    s += v;
  }
  for (int k = K; k < Kp; ++k) dst[k] = dst[Kp + k] = 0;
  return s;
}
// int16 repr holding the input value itself (no flip needed: products fit int32).
static inline int32_t prepare_row_i16(const uint8_t* a, int K, int Kp, bool a_signed, uint8_t* dst) {
  int16_t* d = reinterpret_cast<int16_t*>(dst);
  int32_t s = 0;
  for (int k = 0; k < K; ++k) {
    d[k] = a_signed ? int16_t(int8_t(a[k])) : int16_t(a[k]);
    s += d[k];
  }
  for (int k = K; k < Kp; ++k) d[k] = 0;
  return s;
}
static inline int32_t za_as_u8(int32_t za, bool a_signed) { return a_signed ? za + 128 : za; }
static inline int32_t za_as_s8(int32_t za, bool a_signed) { return a_signed ? za : za - 128; }

// Calls UK::tile<r> for a runtime r in 1..R.
template <class UK, int R>
static inline void call_tile(int r, int kgroups, const uint8_t* a, ptrdiff_t as, const uint8_t* b, int32_t* out) {
  if constexpr (R > 0) {
    if (r == R) UK::template tile<R>(kgroups, a, as, b, out);
    else call_tile<UK, R - 1>(r, kgroups, a, as, b, out);
  }
}

template <class UK>
static void gemm_i8_drive(const GemmI8Args& g) {
  const I8PackedHeader* h = static_cast<const I8PackedHeader*>(g.packed_b);
  const int K = h->K, N = imin(h->N, g.n_end < 0 ? h->N : g.n_end), Kp = h->Kp, Np = h->Np, M = g.M;
  const int nb = g.n_begin - g.n_begin % UK::kNR;  // a whole panel (the contract asks for one)
  if (M <= 0 || N <= nb) return;
  const int32_t* csum = reinterpret_cast<const int32_t*>(h + 1);
  const int32_t* zbr = csum + Np;
  const uint8_t* panels = reinterpret_cast<const uint8_t*>(zbr + Np);
  const size_t panel_bytes = size_t(Kp) * size_t(UK::kNR) * size_t(h->elem_bytes);

  // Prepared A (all rows: each B panel is then reused across every row block).
  const ptrdiff_t as = UK::a_row_bytes(Kp);
  uint8_t* a = scratch_buffer(0, size_t(as) * size_t(M));
  const bool per_row = g.za_rows != nullptr;
  uint32_t* rsum = reinterpret_cast<uint32_t*>(
      scratch_buffer(1, sizeof(uint32_t) * (size_t(M) * (per_row ? 2 : 1) + size_t(Np))));
  uint32_t* colterm = rsum + M;
  uint32_t* zarow = colterm + Np;  // per_row only: za' of each row
  const uint8_t* A = static_cast<const uint8_t*>(g.A);
  for (int m = 0; m < M; ++m)
    rsum[m] = uint32_t(UK::prepare_row(A + m * g.lda, K, Kp, g.a_signed, a + m * as));
  // colterm = za' * (K * zb' - colsum), or just (K * zb' - colsum) when za' is per row.
  const uint32_t za = per_row ? 1u : uint32_t(UK::za_repr(g.za, g.a_signed));
  for (int n = nb; n < N; ++n) colterm[n] = za * (uint32_t(K) * uint32_t(zbr[n]) - uint32_t(csum[n]));
  if (per_row)
    for (int m = 0; m < M; ++m) zarow[m] = uint32_t(UK::za_repr(g.za_rows[m], g.a_signed));

  alignas(64) int32_t tile[UK::kMR * UK::kNR];
  for (int n0 = nb; n0 < N; n0 += UK::kNR) {
    const uint8_t* bp = panels + size_t(n0 / UK::kNR) * panel_bytes;
    const int nc = imin(UK::kNR, N - n0);
    for (int m0 = 0; m0 < M; m0 += UK::kMR) {
      const int r = imin(UK::kMR, M - m0);
      call_tile<UK, UK::kMR>(r, Kp / UK::kKR, a + m0 * as, as, bp, tile);
      for (int i = 0; i < r; ++i) {
        int32_t* c = g.C + (m0 + i) * g.ldc + n0;
        const int32_t* t = tile + i * UK::kNR;
        const uint32_t rs = rsum[m0 + i];
        if (per_row) {
          const uint32_t z = zarow[m0 + i];
          for (int j = 0; j < nc; ++j)
            c[j] = int32_t(uint32_t(t[j]) - uint32_t(zbr[n0 + j]) * rs + z * colterm[n0 + j]);
        } else {
          for (int j = 0; j < nc; ++j)
            c[j] = int32_t(uint32_t(t[j]) - uint32_t(zbr[n0 + j]) * rs + colterm[n0 + j]);
        }
      }
    }
  }
}

}  // namespace kernels
}  // namespace qwasm
