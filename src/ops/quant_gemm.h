// The portable int8 GEMM every integer op goes through (MatMulInteger,
// MatMulIntegerToFloat, DynamicQuantizeMatMul, QLinearMatMul, ConvInteger,
// QLinearConv), so SIMD kernels from kernels/ can be swapped in at one place.
//
//   C[m, n] = sum_k (A[m, k] - za[m]) * (Bt[n, k] - zb[n])      (int32, exact)
//
// Operands are "row panels": rows of K contiguous bytes (uint8 or int8), so the
// inner loop is a widening dot product over contiguous k that compilers
// vectorise. B may instead stay in its MatMul layout [K, N] ("k-major", no copy:
// a constant weight matrix is not duplicated in memory); the inner loop then runs
// over contiguous n into int32 accumulator rows. Zero points are folded in with
// row sums:  sum a*b - zb*sum(a) - za*sum(b) + K*za*zb.
#pragma once
#include <cstdint>
#include <vector>

#include "graph/tensor.h"

namespace qwasm {

struct QPanel {
  int64_t rows = 0, K = 0;
  bool is_signed = false;
  bool k_major = false;           // data is [K, rows] (stride rows) instead of [rows, K]
  const void* data = nullptr;     // rows x K bytes, row stride K (points into `own` or caller memory)
  std::vector<uint8_t> own;       // storage when the panel was packed
  std::vector<int32_t> zp;        // per row (size rows), or empty for all-zero
  std::vector<int32_t> row_sums;  // sum_k of each row (raw values), filled by finish()

  // Panel over caller memory (rows x K, row-major, contiguous).
  static QPanel view(const void* data, bool is_signed, int64_t rows, int64_t K);
  // Packs a [K, N] row-major byte matrix (leading dimension ld) transposed into an N x K panel.
  static QPanel transpose_of(const void* b, bool is_signed, int64_t K, int64_t N, int64_t ld);
  // A [K, N] row-major byte matrix used in place as N rows of K (k-major).
  static QPanel columns_of(const void* b, bool is_signed, int64_t K, int64_t N);
  // Zero point per row from a scalar or per-row byte tensor (nullptr = 0).
  void set_zero_points(const Tensor* zp_tensor);
  // Computes row sums; call after the data is final.
  void finish();
  const uint8_t* row(int64_t r) const { return static_cast<const uint8_t*>(data) + r * K; }
};

// C (M x N, leading dimension ldc) = (A - za) x (Bt - zb)^T. A.K must equal Bt.K;
// A must be row-major (not k-major).
void qgemm(const QPanel& A, const QPanel& Bt, int32_t* C, int64_t ldc);

}  // namespace qwasm
