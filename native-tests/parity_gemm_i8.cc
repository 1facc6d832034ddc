// int8 GEMM parity: every shape class around the kernel's tile, every signedness
// combination, per-tensor and per-column zero points of B, per-tensor and per-row
// zero points of A, random and extreme data.
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "parity_cases.h"
#include "ref_kernels.h"

namespace qk = qwasm::kernels;

namespace parity {
namespace {

enum class Data { kRandom, kExtreme, kSevenBit };

struct Case {
  int M, N, K;
  bool a_signed, b_signed, per_column, za_per_row;
  Data data;
  uint64_t seed;
  bool column_pieces = false;  // run as two calls over columns [0, nr) and [nr, N)
};

// Runs one case; returns true when C matches the reference bit for bit.
bool run_case(const qk::GemmI8Kernel& k, const Case& c) {
  Rng rng(c.seed);
  const int amin = c.a_signed ? -128 : 0, amax = c.a_signed ? 127 : 255;
  const int bmin = c.b_signed ? -128 : 0, bmax = c.b_signed ? 127 : 255;
  const int lda = c.K + 3;  // row stride wider than K
  std::vector<uint8_t> A(size_t(c.M) * size_t(lda) + 1), B(size_t(c.K) * size_t(c.N) + 1);
  auto pick = [&](int lo, int hi) {
    if (c.data == Data::kExtreme) return (rng.next() & 1) ? hi : lo;
    return rng.range(lo, hi);
  };
  for (auto& v : A) v = uint8_t(pick(amin, amax));
  for (auto& v : B) {
    if (c.data == Data::kSevenBit) v = uint8_t(rng.range(-64, 63) + (c.b_signed ? 0 : 128));
    else v = uint8_t(pick(bmin, bmax));
  }
  std::vector<int32_t> zb(size_t(c.N) + 1);
  for (auto& z : zb) z = pick(bmin, bmax);
  const int32_t za = pick(amin, amax);
  std::vector<int32_t> za_rows(size_t(c.M) + 1);
  for (auto& z : za_rows) z = pick(amin, amax);
  qk::GemmI8PackArgs p;
  p.K = c.K, p.N = c.N, p.B = B.data(), p.stride_k = c.N, p.stride_n = 1, p.b_signed = c.b_signed;
  p.zb = zb.data(), p.zb_per_column = c.per_column;
  if ((k.info.caveats & qk::kNeedsB7bit) && !qk::b_fits_7bit(p)) {
    std::printf("  internal: 7-bit data does not fit 7 bits\n");
    return false;
  }
  std::vector<uint8_t> packed(k.packed_size(c.K, c.N) + 64);
  void* pk = packed.data() + ((64 - (reinterpret_cast<uintptr_t>(packed.data()) & 63)) & 63);
  k.pack_b(p, pk);
  const int ldc = c.N + 1;
  std::vector<int32_t> C(size_t(c.M) * size_t(ldc) + 1, 0x5A5A5A5A), R(size_t(c.M) * size_t(ldc) + 1, 0x5A5A5A5A);
  qk::GemmI8Args g;
  g.M = c.M, g.A = A.data(), g.lda = lda, g.a_signed = c.a_signed, g.za = za, g.packed_b = pk, g.C = C.data(), g.ldc = ldc;
  if (c.za_per_row) g.za_rows = za_rows.data();
  if (c.column_pieces) {
    qk::GemmI8Args lo = g, hi = g;
    lo.n_end = k.info.nr, hi.n_begin = k.info.nr;
    k.run(hi);  // the later panels first: neither call may touch the other's columns
    k.run(lo);
  } else {
    k.run(g);
  }
  qk::GemmI8Args r = g;
  r.packed_b = nullptr, r.C = R.data();
  qk::ref::gemm_i8(p, r);
  for (size_t i = 0; i < C.size(); ++i)
    if (C[i] != R[i]) {
      if (g_quiet) return false;
      std::printf("  MISMATCH %s M=%d N=%d K=%d a_%s b_%s zb_%s za_%s data=%d seed=%llu at m=%d n=%d: got %d want %d\n",
                  k.info.name, c.M, c.N, c.K, c.a_signed ? "s8" : "u8", c.b_signed ? "s8" : "u8",
                  c.per_column ? "col" : "tensor", c.za_per_row ? "row" : "tensor", int(c.data), (unsigned long long)c.seed, int(i / size_t(ldc)),
                  int(i % size_t(ldc)), C[i], R[i]);
      return false;
    }
  return true;
}

std::vector<int> around(int tile, std::vector<int> extra) {
  std::vector<int> v{1, tile - 1, tile, tile + 1};
  v.insert(v.end(), extra.begin(), extra.end());
  std::vector<int> out;
  for (int x : v)
    if (x >= 0) {
      bool seen = false;
      for (int y : out) seen |= y == x;
      if (!seen) out.push_back(x);
    }
  return out;
}

}  // namespace

void run_gemm_i8(const qk::GemmI8Kernel& k, bool runnable, const char* tag, Totals& t) {
  if (!runnable)
    return report(k.info.name, tag, false, 0, 0, t,
                  k.info.isa == qk::Isa::kWasmRelaxed ? "a matching relaxed-dot class" : qk::isa_name(k.info.isa));
  const bool b7 = (k.info.caveats & qk::kNeedsB7bit) != 0;
  KernelRun rep(k.info.name, tag, t);
  uint64_t seed = 1000;
  auto run = [&](const Case& c) { return rep.record(run_case(k, c)); };
  const std::vector<int> Ms = around(k.info.mr, {0, 2 * k.info.mr + 1, 13});
  const std::vector<int> Ns = around(k.info.nr, {2 * k.info.nr + 3, 37});
  const std::vector<int> Ks = around(4 * k.info.kr, {0, 1, 3, 7, 64, 131, 1031});
  rep.shape_class("tile-edges");
  for (int M : Ms)
    for (int N : Ns)
      for (int K : Ks) {
        const int combo = int(seed % 4);
        const Data d = b7 ? Data::kSevenBit : (seed % 3 == 0 ? Data::kExtreme : Data::kRandom);
        // za per row on every other pair of seeds, independent of zb per column (seed % 2).
        if (!run({M, N, K, (combo & 1) != 0, (combo >> 1) != 0, seed % 2 == 0, seed / 2 % 2 == 0, d, seed++}))
          goto done;
      }
  // Prime sizes off the tile grid (whole tiles plus a ragged rest on every axis).
  rep.shape_class("primes");
  for (int M : {5, 11})
    for (int N : {7, 23, 41})
      for (int K : {5, 17, 127}) {
        const int combo = int(seed % 4);
        const Data d = b7 ? Data::kSevenBit : (seed % 3 == 0 ? Data::kExtreme : Data::kRandom);
        if (!run({M, N, K, (combo & 1) != 0, (combo >> 1) != 0, seed % 2 == 0, seed / 2 % 2 == 0, d, seed++})) goto done;
      }
  // Every signedness / zero-point combination on one awkward shape, with extremes.
  rep.shape_class("signedness");
  for (int combo = 0; combo < 16; ++combo)
    for (int d = 0; d < 2; ++d)
      if (!run({k.info.mr + 1, k.info.nr + 1, 257, (combo & 1) != 0, (combo & 2) != 0, (combo & 4) != 0, (combo & 8) != 0,
                b7 ? Data::kSevenBit : (d ? Data::kExtreme : Data::kRandom), seed++}))
        goto done;
  // Large K (prime) and a GEMV over many columns.
  rep.shape_class("k-large");
  run({3, 29, 4099, false, true, true, true, b7 ? Data::kSevenBit : Data::kExtreme, seed++});
  run({3, 29, 4099, true, false, false, false, b7 ? Data::kSevenBit : Data::kExtreme, seed++});
  rep.shape_class("gemv-wide");
  run({1, 301, 2053, true, false, false, false, b7 ? Data::kSevenBit : Data::kRandom, seed++});
  run({1, 301, 2053, false, true, true, true, b7 ? Data::kSevenBit : Data::kRandom, seed++});
  // Column ranges (how threads split M = 1): two calls cover the columns between them.
  rep.shape_class("column-pieces");
  for (int M : {1, k.info.mr + 1})
    for (int N : {k.info.nr + 1, 3 * k.info.nr + 5})
      run({M, N, 131, M == 1, false, true, M > 1, b7 ? Data::kSevenBit : Data::kExtreme, seed++, true});
done:
  rep.finish();
}

}  // namespace parity
