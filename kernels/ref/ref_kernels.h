// Scalar reference ("oracle") for every kernel family. Readable, unpacked inputs,
// double precision for float results; never dispatched, only the tests link it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "qwasm_kernels.h"

namespace qwasm {
namespace kernels {
namespace ref {

// The int8 GEMM contract with B unpacked: B, its layout and zb from b; M, A, za (or
// za_rows), C from g (g.packed_b unused). C[m,n] = sum_k (A[m,k] - za[m]) * (B[k,n] - zb[n]),
// int64 accumulate, stored as int32.
void gemm_i8(const GemmI8PackArgs& b, const GemmI8Args& g);

// MatMulNBits straight from the file layout. Y = exact result in double (for level 4
// after the same int8 quantization of A as the contract); bound = sum of |terms|
// that a float implementation may round, used for the tolerance (docs/kernels.md).
void qblock(const QBlockShape& s, const QBlockWeights& w, int accuracy_level, int M, const float* A,
            ptrdiff_t lda, double* Y, double* bound);

// f32 GEMM in double: C_out = alpha * A * B + beta * C_in; bound = |alpha| sum|a b| + |beta c|.
void gemm_f32(const GemmF32Args& g, const float* C_in, double* C_out, double* bound);

}  // namespace ref
}  // namespace kernels
}  // namespace qwasm
