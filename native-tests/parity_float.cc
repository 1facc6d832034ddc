// Float-result parity: MatMulNBits (levels 4 and 0; bits 4 and 8; with and without
// zero points; K not a multiple of the block) and f32 GEMM (strides, transposes,
// alpha/beta). Bound: |y - ref| <= (terms + 8) * 2^-24 * sum|terms| (docs/kernels.md),
// where ref is computed in double and, for level 4, from the same int8 quantization.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "parity_cases.h"
#include "ref_kernels.h"

namespace qk = qwasm::kernels;

namespace parity {
namespace {

constexpr double kEps = 1.0 / 16777216.0;  // 2^-24

bool check(const char* name, const char* what, const float* y, ptrdiff_t ldy, const double* want, const double* bound,
           int M, int N, double terms, uint64_t seed) {
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      const double got = y[m * ldy + n], w = want[m * N + n];
      const double tol = (terms + 8) * kEps * bound[m * N + n] + 1e-30;
      if (!(std::fabs(got - w) <= tol)) {
        std::printf("  MISMATCH %s %s seed=%llu at m=%d n=%d: got %.9g want %.9g (tol %.3g)\n", name, what,
                    (unsigned long long)seed, m, n, got, w, tol);
        return false;
      }
    }
  return true;
}

// extreme: every code at its maximum (0xFF bytes) and A at one magnitude, its sign flipping per
// block: each quantized A value is +-127, so per block and column the integer dot is the
// largest the format allows (kernels that sum in narrow lanes must not wrap or saturate).
bool qblock_case(const qk::QBlockKernel& k, int M, int N, int K, int bits, int bs, bool zp, uint64_t seed,
                 bool extreme = false) {
  Rng rng(seed);
  const qk::QBlockShape s{K, N, bits, bs};
  const int nb = qwasm::kernels::mnb_n_blocks(K, bs), blob = qwasm::kernels::mnb_blob_bytes(bits, bs);
  std::vector<uint8_t> B(size_t(N) * size_t(nb) * size_t(blob)), Z(size_t(N) * size_t(qk::mnb_zp_row_bytes(nb, bits)));
  std::vector<float> S(size_t(N) * size_t(nb)), A(size_t(M) * size_t(K + 5) + 1);
  for (auto& v : B) v = uint8_t(rng.next());
  for (auto& v : Z) v = uint8_t(rng.next());
  for (auto& v : S) v = rng.uniform(0.001f, 0.05f);
  for (auto& v : A) v = rng.uniform(-3.0f, 3.0f);
  if (M > 0 && seed % 5 == 0 && !extreme)
    for (int i = 0; i < K; ++i) A[size_t(i)] = 0.0f;  // an all-zero row (scale 0)
  if (extreme) {
    for (auto& v : B) v = 0xFF;
    for (size_t i = 0; i < A.size(); ++i) A[i] = (i % size_t(K + 5)) / size_t(bs) % 2 ? -2.5f : 2.5f;
  }
  const qk::QBlockWeights w{B.data(), S.data(), zp ? Z.data() : nullptr};
  std::vector<uint8_t> packed(qk::qblock_packed_size(s) + 64);
  void* pk = packed.data() + ((64 - (reinterpret_cast<uintptr_t>(packed.data()) & 63)) & 63);
  qk::qblock_pack(s, w, pk);
  const ptrdiff_t ldy = N + 2;
  std::vector<float> Y(size_t(M) * size_t(ldy) + 1, 1e30f);
  qk::QBlockArgs a;
  a.M = M, a.A = A.data(), a.lda = K + 5, a.packed = pk, a.Y = Y.data(), a.ldy = ldy;
  k.run(a);
  std::vector<double> want(size_t(M) * size_t(N)), bound(want.size());
  qk::ref::qblock(s, w, k.accuracy_level, M, A.data(), K + 5, want.data(), bound.data());
  char what[160];
  std::snprintf(what, sizeof what, "M=%d N=%d K=%d bits=%d block=%d zp=%d%s", M, N, K, bits, bs, int(zp),
                extreme ? " extreme" : "");
  if (!check(k.info.name, what, Y.data(), ldy, want.data(), bound.data(), M, N, K + nb, seed)) return false;
  // A prompt's rows (which kernels may take several at once) give the bits each row gives
  // alone (a decode step): generated text must not depend on how the prompt was batched.
  for (int m = 0; M > 1 && m < M; ++m) {
    std::vector<float> Y1(size_t(N), 1e30f);
    qk::QBlockArgs a1 = a;
    a1.M = 1, a1.A = A.data() + size_t(m) * size_t(K + 5), a1.Y = Y1.data();
    k.run(a1);
    if (std::memcmp(Y1.data(), &Y[size_t(m) * size_t(ldy)], sizeof(float) * size_t(N)) != 0) {
      std::printf("  MISMATCH %s row %d alone differs from the %d-row call %s (seed %llu)\n", k.info.name, m, M, what,
                  (unsigned long long)seed);
      return false;
    }
  }
  if (N % qk::kQGroupCols != 0) return true;
  // In-place packing (the runtime's path for whole column groups) must give the very same bits.
  std::vector<uint8_t> B2 = B, Z2(qk::qblock_zp_bytes(s));
  std::vector<float> S2 = S, Y2(Y.size(), 1e30f);
  qk::QPackedHeader h2;
  if (!qk::qblock_pack_in_place(s, B2.data(), S2.data(), zp ? Z.data() : nullptr, Z2.data(), &h2)) {
    std::printf("  MISMATCH %s in-place packing refused %s (seed %llu)\n", k.info.name, what, (unsigned long long)seed);
    return false;
  }
  a.packed = &h2, a.Y = Y2.data();
  k.run(a);
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n)
      if (std::memcmp(&Y[size_t(m) * size_t(ldy) + size_t(n)], &Y2[size_t(m) * size_t(ldy) + size_t(n)], 4) != 0) {
        std::printf("  MISMATCH %s in-place packed result differs at (%d,%d) %s (seed %llu)\n", k.info.name, m, n, what,
                    (unsigned long long)seed);
        return false;
      }
  return true;
}

bool f32_case(const qk::GemmF32Kernel& k, int M, int N, int K, bool ta, bool tb, float alpha, float beta,
              uint64_t seed) {
  Rng rng(seed);
  std::vector<float> A(size_t(M) * size_t(K) + 1), B(size_t(K) * size_t(N) + 1);
  for (auto& v : A) v = rng.uniform(-1.0f, 1.0f);
  for (auto& v : B) v = rng.uniform(-1.0f, 1.0f);
  const ptrdiff_t ldc = N + 3;
  std::vector<float> C(size_t(M) * size_t(ldc) + 1), C0;
  for (auto& v : C) v = beta == 0.0f ? NAN : rng.uniform(-1.0f, 1.0f);  // beta 0 must not read C
  C0 = C;
  qk::GemmF32Args g;
  g.M = M, g.N = N, g.K = K, g.A = A.data(), g.B = B.data(), g.alpha = alpha, g.beta = beta, g.C = C.data(), g.ldc = ldc;
  g.a_rs = ta ? 1 : K, g.a_cs = ta ? M : 1;
  g.b_rs = tb ? 1 : N, g.b_cs = tb ? K : 1;
  k.run(g);
  std::vector<double> want(size_t(M) * size_t(N)), bound(want.size());
  qk::ref::gemm_f32(g, C0.data(), want.data(), bound.data());
  char what[160];
  std::snprintf(what, sizeof what, "M=%d N=%d K=%d ta=%d tb=%d alpha=%g beta=%g", M, N, K, ta, tb, alpha, beta);
  return check(k.info.name, what, C.data(), ldc, want.data(), bound.data(), M, N, K + 3, seed);
}

// The same product once whole, once in column slices of at most 2 * nr (too few
// panels for the wasm driver to pack A, internal/gemm_f32_driver.h) and, for kernels with
// pack_a, in the same slices over A packed beforehand: every element must have the same bits (each sums over k in ascending order either way), and match the
// reference within its bound.
bool f32_slices_case(const qk::GemmF32Kernel& k, int M, int N, int K, bool ta, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> A(size_t(M) * size_t(K) + 1), B(size_t(K) * size_t(N) + 1);
  for (auto& v : A) v = rng.uniform(-1.0f, 1.0f);
  for (auto& v : B) v = rng.uniform(-1.0f, 1.0f);
  std::vector<float> whole(size_t(M) * size_t(N), NAN), sliced(whole.size(), NAN);
  qk::GemmF32Args g;
  g.M = M, g.N = N, g.K = K, g.A = A.data(), g.B = B.data(), g.C = whole.data(), g.ldc = N;
  g.a_rs = ta ? 1 : K, g.a_cs = ta ? M : 1, g.b_rs = N, g.b_cs = 1;
  k.run(g);
  const int slice = 2 * k.info.nr;
  for (int n0 = 0; n0 < N; n0 += slice) {
    qk::GemmF32Args s = g;
    s.N = N - n0 < slice ? N - n0 : slice, s.B = B.data() + n0, s.C = sliced.data() + n0;
    k.run(s);
  }
  for (size_t i = 0; i < whole.size(); ++i)
    if (std::memcmp(&whole[i], &sliced[i], sizeof(float)) != 0) {
      std::printf("  MISMATCH %s M=%d N=%d K=%d ta=%d: element %zu is %.9g whole, %.9g in slices\n", k.info.name,
                  M, N, K, int(ta), i, double(whole[i]), double(sliced[i]));
      return false;
    }
  // A packed beforehand (k.pack_a, as a Conv packs its weights at load): the driver then
  // takes packed_tile for every panel, the slices included; the same bits again.
  if (k.pack_a) {
    std::vector<float> pa(k.pack_a_floats(M, K) + 1, NAN), pre(whole.size(), NAN);
    k.pack_a(g, pa.data());
    for (int n0 = 0; n0 < N; n0 += slice) {
      qk::GemmF32Args s = g;
      s.N = N - n0 < slice ? N - n0 : slice, s.B = B.data() + n0, s.C = pre.data() + n0, s.packed_a = pa.data();
      s.A = nullptr;  // not read
      k.run(s);
    }
    for (size_t i = 0; i < whole.size(); ++i)
      if (std::memcmp(&whole[i], &pre[i], sizeof(float)) != 0) {
        std::printf("  MISMATCH %s M=%d N=%d K=%d ta=%d: element %zu is %.9g whole, %.9g with A packed beforehand\n",
                    k.info.name, M, N, K, int(ta), i, double(whole[i]), double(pre[i]));
        return false;
      }
    // packed_tile on its own, over B panels written by hand ([K][nr], zeros past N), as a
    // Conv's im2col writes them: the same bits again.
    if (!k.packed_tile) {
      std::printf("  MISMATCH %s: pack_a without packed_tile\n", k.info.name);
      return false;
    }
    const int mr = k.info.mr, nr = k.info.nr;
    std::vector<float> panel(size_t(K) * size_t(nr)), out(size_t(mr) * size_t(nr));
    for (int n0 = 0; n0 < N; n0 += nr) {
      for (int kk = 0; kk < K; ++kk)
        for (int j = 0; j < nr; ++j) panel[size_t(kk) * nr + j] = n0 + j < N ? B[size_t(kk) * N + n0 + j] : 0.0f;
      for (int t = 0; t * mr < M; ++t) {
        k.packed_tile(K, pa.data() + size_t(t) * K * mr, panel.data(), out.data());
        for (int r = 0; r < mr && t * mr + r < M; ++r)
          for (int j = 0; j < nr && n0 + j < N; ++j) {
            const size_t i = size_t(t * mr + r) * N + n0 + j;
            if (std::memcmp(&whole[i], &out[size_t(r) * nr + j], sizeof(float)) != 0) {
              std::printf("  MISMATCH %s M=%d N=%d K=%d ta=%d: element %zu is %.9g whole, %.9g from packed_tile\n",
                          k.info.name, M, N, K, int(ta), i, double(whole[i]), double(out[size_t(r) * nr + j]));
              return false;
            }
          }
      }
    }
  }
  std::vector<double> want(whole.size()), bound(whole.size());
  qk::ref::gemm_f32(g, whole.data(), want.data(), bound.data());
  char what[120];
  std::snprintf(what, sizeof what, "M=%d N=%d K=%d ta=%d (whole vs slices)", M, N, K, int(ta));
  return check(k.info.name, what, whole.data(), N, want.data(), bound.data(), M, N, K + 3, seed);
}

const char* why(const qk::KernelInfo& i) {
  return i.isa == qk::Isa::kWasmRelaxed ? "a matching relaxed-dot class" : qk::isa_name(i.isa);
}

}  // namespace

void run_qblock(const qk::QBlockKernel& k, bool runnable, const char* tag, Totals& t) {
  if (!runnable) return report(k.info.name, tag, false, 0, 0, t, why(k.info));
  KernelRun rep(k.info.name, tag, t);
  uint64_t seed = 5000;
  const int nr = k.info.nr;
  // Columns around the kernel's step, K around the block (zero points on every other case).
  rep.shape_class("block-edges");
  for (int bits : {4, 8})
    for (int bs : {16, 32, 128})
      for (int N : {1, nr - 1, nr, nr + 1, 2 * nr + 3})
        for (int K : {1, bs - 1, bs, bs + 1, 3 * bs + 7})
          for (int M : {0, 1, 2, 5}) {
            if (M == 0 && K != bs) continue;
            if (!rep.record(qblock_case(k, M, N, K, bits, bs, seed % 2 == 0, seed))) goto done;
            ++seed;
          }
  // The benchmark shapes' kind: long K, bigger blocks.
  rep.shape_class("k-large");
  for (int bits : {4, 8}) {
    if (!rep.record(qblock_case(k, 1, 67, 4864 + 32, bits, 64, true, seed++))) goto done;
    if (!rep.record(qblock_case(k, 3, 33, 1000, bits, 256, false, seed++))) goto done;
  }
  // Many column groups with M > 1: the driver walks them in cache-sized passes.
  rep.shape_class("many-groups");
  for (int bits : {4, 8}) {
    if (!rep.record(qblock_case(k, 3, 16 * 40 + 5, 4864 + 32, bits, 64, true, seed++))) goto done;
    if (!rep.record(qblock_case(k, 2, 16 * 48, 896, bits, 32, false, seed++))) goto done;
    // Two whole 4-row steps and a single row, over several passes (a prompt).
    if (!rep.record(qblock_case(k, 9, 16 * 40 + 5, 896 + 64, bits, 32, true, seed++))) goto done;
  }
  // The largest integer dots the codes allow, with and without zero points, single rows and
  // the multi-row path (a prompt).
  rep.shape_class("dot-extremes");
  for (int bits : {4, 8})
    for (int bs : {16, 32, 64, 256})
      for (int M : {1, 5})
        for (bool zp : {false, true})
          if (!rep.record(qblock_case(k, M, 2 * nr + 3, 2 * bs + 3, bits, bs, zp, seed++, true))) goto done;
done:
  rep.finish();
}

void run_gemm_f32(const qk::GemmF32Kernel& k, bool runnable, const char* tag, Totals& t) {
  if (!runnable) return report(k.info.name, tag, false, 0, 0, t, why(k.info));
  KernelRun rep(k.info.name, tag, t);
  uint64_t seed = 9000;
  const int mr = k.info.mr, nr = k.info.nr;
  // Rows and columns around the tile; transposes and alpha/beta vary with the seed.
  rep.shape_class("tile-edges");
  for (int M : {0, 1, mr - 1, mr, mr + 1, 2 * mr + 1})
    for (int N : {1, nr - 1, nr, nr + 1, 2 * nr + 5})
      for (int K : {0, 1, 2, 7, 16, 33, 300}) {
        if (M <= 0 && N != nr) continue;
        const int v = int(seed % 4);
        const float alpha = v == 3 ? -0.5f : 1.0f, beta = v == 1 ? 1.0f : (v == 2 ? 0.25f : 0.0f);
        if (!rep.record(f32_case(k, M, N, K, seed % 3 == 0, seed % 5 == 0, alpha, beta, seed))) goto done;
        ++seed;
      }
  rep.shape_class("k-large");
  if (!rep.record(f32_case(k, 5, 71, 1031, false, false, 1.0f, 0.0f, seed++))) goto done;
  // Many column panels (A packed in the wasm driver), rows around the tile, the K of
  // 1x3 / 3x3 im2col convs: the same bits as in narrow slices.
  rep.shape_class("packed-a");
  for (int M : {2, mr + 1, 3 * mr + 3})
    for (int N : {3 * nr - 1, 6 * nr + 5, 100})
      for (int K : {1, 9, 72, 300}) {
        if (!rep.record(f32_slices_case(k, M, N, K, seed % 2 == 0, seed))) goto done;
        ++seed;
      }
  // A GEMV over transposed B (packed panels, beta 1).
  rep.shape_class("gemv-wide");
  rep.record(f32_case(k, 1, 300, 513, false, true, 1.0f, 1.0f, seed++));
done:
  rep.finish();
}

}  // namespace parity
