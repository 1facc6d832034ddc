#include "ops/gemm_f32.h"

#include <algorithm>
#include <vector>

namespace qwasm {

void gemm_f32(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
              const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  for (int64_t i = 0; i < M; ++i) {
    float* c = C + i * ldc;
    if (beta == 0) std::fill(c, c + N, 0.0f);
    else if (beta != 1) for (int64_t j = 0; j < N; ++j) c[j] *= beta;
  }
  if (K == 0 || N == 0) return;
  // B with K rows of N contiguous floats, so the inner loop is a vectorisable axpy.
  std::vector<float> bt;
  if (trans_b) {
    bt.resize(size_t(K * N));
    for (int64_t j = 0; j < N; ++j)
      for (int64_t k = 0; k < K; ++k) bt[size_t(k * N + j)] = B[j * ldb + k];
    B = bt.data();
    ldb = N;
  }
  constexpr int64_t KB = 256, NB = 512;  // keep a B panel in cache
  for (int64_t j0 = 0; j0 < N; j0 += NB) {
    const int64_t jn = std::min(NB, N - j0);
    for (int64_t k0 = 0; k0 < K; k0 += KB) {
      const int64_t kn = std::min(KB, K - k0);
      for (int64_t i = 0; i < M; ++i) {
        float* c = C + i * ldc + j0;
        for (int64_t k = k0; k < k0 + kn; ++k) {
          const float a = alpha * (trans_a ? A[k * lda + i] : A[i * lda + k]);
          if (a == 0) continue;
          const float* b = B + k * ldb + j0;
          for (int64_t j = 0; j < jn; ++j) c[j] += a * b[j];
        }
      }
    }
  }
}

}  // namespace qwasm
