#include "ops/gemm_f32.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "graph/error.h"
#include "ops/parallel_gemm.h"
#include "qwasm_kernels.h"

namespace qwasm {

// Transposes become strides: the kernel reads A(m,k) at A[m*a_rs + k*a_cs] and packs
// B panels itself when columns are not contiguous.
void gemm_f32(Parallel& par, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
              int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  constexpr int64_t kMax = std::numeric_limits<int>::max();
  QWASM_CHECK(M <= kMax && N <= kMax && K <= kMax, "GEMM dimensions too large: ", M, "x", N, "x", K);
  if (M == 0 || N == 0) return;
  if (K == 0) {  // no products: C = beta * C (the kernel would scale an empty sum)
    for (int64_t i = 0; i < M; ++i) {
      float* c = C + i * ldc;
      if (beta == 0) std::fill(c, c + N, 0.0f);
      else for (int64_t j = 0; j < N; ++j) c[j] *= beta;
    }
    return;
  }
  kernels::GemmF32Args g;
  g.M = int(M);
  g.N = int(N);
  g.K = int(K);
  g.A = A;
  g.a_rs = trans_a ? 1 : lda;
  g.a_cs = trans_a ? lda : 1;
  g.B = B;
  g.b_rs = trans_b ? 1 : ldb;
  g.b_cs = trans_b ? ldb : 1;
  g.alpha = alpha;
  g.beta = beta;
  g.C = C;
  g.ldc = ldc;
  gemm_f32_parallel(par, g);
}

PackedGemmA pack_gemm_a(int64_t M, int64_t K, const float* A, int64_t lda) {
  PackedGemmA pa;
  const kernels::GemmF32Kernel& k = kernels::best_gemm_f32();
  constexpr int64_t kMax = std::numeric_limits<int>::max();
  if (!k.pack_a || M < 2 || K < 1 || M > kMax || K > kMax) return pa;
  kernels::GemmF32Args g;
  g.M = int(M), g.K = int(K), g.A = A, g.a_rs = lda, g.a_cs = 1;
  pa.data.resize(k.pack_a_floats(g.M, g.K));
  k.pack_a(g, pa.data.data());
  pa.M = M, pa.K = K;
  return pa;
}

void gemm_f32_a(Parallel& par, const PackedGemmA& pa, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda,
                const float* B, int64_t ldb, float* C, int64_t ldc) {
  if (pa.empty() || N == 0) return gemm_f32(par, false, false, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, ldc);
  QWASM_CHECK(pa.M == M && pa.K == K && N <= std::numeric_limits<int>::max(), "packed GEMM operand is ", pa.M, "x",
              pa.K, ", the product needs ", M, "x", K);
  kernels::GemmF32Args g;
  g.M = int(M), g.N = int(N), g.K = int(K);
  g.A = A, g.a_rs = lda, g.a_cs = 1;
  g.B = B, g.b_rs = ldb, g.b_cs = 1;
  g.C = C, g.ldc = ldc;
  g.packed_a = pa.data.data();
  gemm_f32_parallel(par, g);
}

int gemm_f32_panel_cols() {
  const kernels::GemmF32Kernel& k = kernels::best_gemm_f32();
  return k.pack_a && k.packed_tile ? k.info.nr : 0;
}

void gemm_f32_panels(const PackedGemmA& pa, int64_t N, const float* panels, float* C, int64_t ldc) {
  const kernels::GemmF32Kernel& k = kernels::best_gemm_f32();
  QWASM_CHECK(!pa.empty() && k.packed_tile && N <= std::numeric_limits<int>::max(), "panel GEMM without a packed path");
  const int mr = k.info.mr, nr = k.info.nr, K = int(pa.K);
  const int64_t M = pa.M, tiles = (M + mr - 1) / mr;
  // The tiles' sums for one panel: rows are consecutive across tiles (tile t, row r is
  // row t mr + r), so row m is at out + m nr.
  thread_local std::vector<float> out;
  out.resize(size_t(tiles * mr * nr));
  for (int64_t n0 = 0, p = 0; n0 < N; n0 += nr, ++p) {
    const float* b = panels + p * K * nr;
    for (int64_t t = 0; t < tiles; ++t) k.packed_tile(K, pa.data.data() + t * K * mr, b, out.data() + t * mr * nr);
    const int64_t nc = std::min<int64_t>(nr, N - n0);
    // alpha 1, beta 0: the driver's c = 1 * t is t itself. (Whole panels of the wasm
    // kernels' 8 columns as fixed-size moves: a memcpy call per row cost a tenth of a
    // K = 72 product.)
    const float* t = out.data();
    if (nc == 8)
      for (int64_t m = 0; m < M; ++m) std::memcpy(C + m * ldc + n0, t + m * nr, 8 * sizeof(float));
    else
      for (int64_t m = 0; m < M; ++m)
        for (int64_t j = 0; j < nc; ++j) C[m * ldc + n0 + j] = t[m * nr + j];
  }
}

}  // namespace qwasm
