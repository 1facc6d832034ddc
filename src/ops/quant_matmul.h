// Batched integer MatMul shared by MatMulInteger, MatMulIntegerToFloat,
// DynamicQuantizeMatMul and QLinearMatMul: numpy batch broadcasting of
// A [..., M, K] x B [..., K, N] onto the int8 GEMM kernels (ops/int8_gemm.h), with
// B packed once per batch (at build time when it is a constant).
#pragma once
#include <memory>
#include <vector>

#include "graph/graph.h"
#include "ops/int8_gemm.h"

namespace qwasm {

struct IntMatMulShape {
  Shape out;                 // numpy matmul output shape
  int64_t M = 0, K = 0, N = 0;
  std::vector<int64_t> a_batch, b_batch;  // for each output batch: which A / B batch
};
IntMatMulShape int_matmul_shape(const Node& n, const Shape& a, const Shape& b);

// B [..., K, N] packed once per batch, with its zero point, for the dispatched kernel.
struct PackedB {
  Shape shape;  // B's shape (to check later calls against)
  I8PackedB b;  // one packed matrix per batch
};
std::shared_ptr<PackedB> pack_b(const Node& n, const Tensor& b, const Tensor* zb);

// out[batch, m, n] = sum_k (A - za) (B - zb). za: nullptr, scalar or per row of A (M). Split across `par`.
void int_matmul(Parallel& par, const Tensor& a, const Tensor* za, const PackedB& b, const IntMatMulShape& s,
                int32_t* out);

// Checks a zero point: same type as its data, scalar or `len` elements along the named dim.
void check_zero_point(const Node& n, const char* name, const Tensor* zp, DType data, int64_t len, const char* dim);

}  // namespace qwasm
