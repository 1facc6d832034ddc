// The one way integer ops (MatMulInteger, MatMulIntegerToFloat, DynamicQuantizeMatMul,
// QLinearMatMul, ConvInteger, QLinearConv) reach the int8 GEMM: the dispatched kernels
// of kernels/ (qwasm_kernels.h, GemmI8Kernel), whose contract is
//
//   C[m, n] = sum_k (A[m, k] - za[m]) * (B[k, n] - zb[n])      (int32, exact)
//
// with za per tensor or per row of A and zb per tensor or per column of B. This file
// packs B operands for one kernel chosen for all of them and runs calls whose sizes
// exceed the kernel arguments' int range in pieces.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "graph/tensor.h"
#include "ops/parallel.h"
#include "qwasm_kernels.h"

namespace qwasm {

// Several B matrices of one shape (batches of a MatMul, groups of a convolution), packed
// into the layout of one kernel.
struct I8PackedB {
  const kernels::GemmI8Kernel* kernel = nullptr;
  int K = 0, N = 0;
  std::vector<std::shared_ptr<Buffer>> packed;  // one per B, in kernel's layout
};

// Packs every B described by `bs` (all with the same K and N) for the best kernel that is
// exact for all of them (the 7-bit caveat is checked over every B). `what` names the
// node in errors (K or N past the kernels' int range).
I8PackedB pack_i8_b(const std::vector<kernels::GemmI8PackArgs>& bs, const std::string& what);

// A zero-point tensor's values as int32 in the tensor's own range (empty for nullptr).
std::vector<int32_t> zero_point_values(const Tensor* zp);

// C = (A - za) x (B_i - zb) for the M rows of A described by g (g.M and g.packed_b are
// set here; za_rows, when set, has M entries). Row blocks are split across `par`'s
// threads (bit-identical for any split; pass serial() from inside a parallel piece).
void gemm_i8_rows(Parallel& par, const I8PackedB& b, size_t i, int64_t M, kernels::GemmI8Args g);

}  // namespace qwasm
