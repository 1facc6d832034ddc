// The one f32 GEMM entry point every float op (MatMul, Gemm, Conv) goes through,
// so a faster kernel can be swapped in at one place.
#pragma once
#include <cstdint>
#include <vector>

#include "ops/parallel.h"

namespace qwasm {

// C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C, row-major with leading dims;
// split across `par` (ops/parallel_gemm.h: the same bits on any thread count).
void gemm_f32(Parallel& par, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
              int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// A constant left operand [M, K] (row-major, leading dim lda) packed once for the chosen
// kernel, for products C = A * B that reuse it (a Conv's weights). Empty (and gemm_f32_a
// then packs as usual) when the kernel has no packed-A path or M < 2 (one-row products
// take the GEMV path).
struct PackedGemmA {
  std::vector<float> data;
  int64_t M = 0, K = 0;
  bool empty() const { return data.empty(); }
};
PackedGemmA pack_gemm_a(int64_t M, int64_t K, const float* A, int64_t lda);

// C[M,N] = A[M,K] * B[K,N] (beta 0): through the packed A when pa is not empty (the same
// bits as gemm_f32 with A itself), else gemm_f32.
void gemm_f32_a(Parallel& par, const PackedGemmA& pa, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda,
                const float* B, int64_t ldb, float* C, int64_t ldc);

// The packed path for callers that write B in the kernel's panel layout themselves (a
// Conv's im2col: ops/conv_f32.cc): panels of gemm_f32_panel_cols() columns, panel p of
// [K][cols] floats at panels + p * K * cols (element (k, j) at k * cols + j). 0: the kernel
// has none (then pack_gemm_a returns empty too).
int gemm_f32_panel_cols();
// C[M, N] = A * B over B in that layout (ceil(N / cols) panels; the columns past N in the
// last one may hold anything) and A packed by pack_gemm_a (not empty): the same bits as
// gemm_f32_a over the same B, on the calling thread.
void gemm_f32_panels(const PackedGemmA& pa, int64_t N, const float* panels, float* C, int64_t ldc);

}  // namespace qwasm
