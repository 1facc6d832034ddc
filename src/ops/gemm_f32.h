// The one f32 GEMM entry point every float op (MatMul, Gemm, Conv) goes through,
// so a faster kernel can be swapped in at one place.
#pragma once
#include <cstdint>

#include "ops/parallel.h"

namespace qwasm {

// C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C, row-major with leading dims;
// split across `par` (ops/parallel_gemm.h: the same bits on any thread count).
void gemm_f32(Parallel& par, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
              int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

}  // namespace qwasm
