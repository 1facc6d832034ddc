// Batched integer MatMul shared by MatMulInteger, MatMulIntegerToFloat,
// DynamicQuantizeMatMul and QLinearMatMul: numpy batch broadcasting of
// A [..., M, K] x B [..., K, N] onto the int32 qgemm, with B packed once (at
// build time when it is a constant) into one panel per batch.
#pragma once
#include <memory>
#include <vector>

#include "graph/graph.h"
#include "ops/parallel.h"
#include "ops/quant_gemm.h"
#include "qwasm_kernels.h"

namespace qwasm {

struct IntMatMulShape {
  Shape out;                 // numpy matmul output shape
  int64_t M = 0, K = 0, N = 0;
  std::vector<int64_t> a_batch, b_batch;  // for each output batch: which A / B batch
  int64_t a_batches = 1, b_batches = 1;
};
IntMatMulShape int_matmul_shape(const Node& n, const Shape& a, const Shape& b);

// B [..., K, N] prepared once per batch:
//  - packed into the dispatched SIMD kernel's own layout (kernels/, qwasm_kernels.h),
//    used whenever A's zero point is per tensor;
//  - a portable panel over B's bytes in place (k-major: column sums only, no copy),
//    the fallback for per-row A zero points.
struct PackedB {
  Shape shape;  // B's shape (to check later calls against)
  Tensor keep;  // owns the bytes the panels point into
  std::vector<QPanel> panels;
  const kernels::GemmI8Kernel* kernel = nullptr;
  std::vector<std::shared_ptr<Buffer>> kpacked;  // one per batch, in the kernel's layout
};
std::shared_ptr<PackedB> pack_b(const Node& n, const Tensor& b, const Tensor* zb);

// out[batch, m, n] = sum_k (A - za) (B - zb). za: nullptr, scalar or per row of A (M). Split across `par`.
void int_matmul(Parallel& par, const Tensor& a, const Tensor* za, const PackedB& b, const IntMatMulShape& s,
                int32_t* out);

// Checks a zero point: same type as its data, scalar or `len` elements along the named dim.
void check_zero_point(const Node& n, const char* name, const Tensor* zp, DType data, int64_t len, const char* dim);

}  // namespace qwasm
