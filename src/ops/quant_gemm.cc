#include "ops/quant_gemm.h"

#include <algorithm>
#include <cstring>

#include "ops/quant_common.h"

namespace qwasm {

QPanel QPanel::view(const void* data, bool is_signed, int64_t rows, int64_t K) {
  QPanel p;
  p.rows = rows, p.K = K, p.is_signed = is_signed, p.data = data;
  return p;
}

QPanel QPanel::transpose_of(const void* b, bool is_signed, int64_t K, int64_t N, int64_t ld) {
  QPanel p;
  p.rows = N, p.K = K, p.is_signed = is_signed;
  p.own.resize(size_t(N * K));
  const uint8_t* src = static_cast<const uint8_t*>(b);
  // Tiles of 16 x 16 keep both sides in cache for large matrices.
  for (int64_t k0 = 0; k0 < K; k0 += 16)
    for (int64_t n0 = 0; n0 < N; n0 += 16)
      for (int64_t k = k0; k < std::min(K, k0 + 16); ++k)
        for (int64_t n = n0; n < std::min(N, n0 + 16); ++n) p.own[size_t(n * K + k)] = src[k * ld + n];
  p.data = p.own.data();
  return p;
}

QPanel QPanel::columns_of(const void* b, bool is_signed, int64_t K, int64_t N) {
  QPanel p = view(b, is_signed, N, K);
  p.k_major = true;
  return p;
}

void QPanel::set_zero_points(const Tensor* z) {
  zp.clear();
  if (!z) return;
  zp.resize(size_t(rows));
  for (int64_t r = 0; r < rows; ++r) zp[size_t(r)] = byte_at(*z, z->size() == 1 ? 0 : r);
}

namespace {

template <typename T>
int32_t sum_row(const T* p, int64_t K) {
  int32_t s = 0;
  for (int64_t k = 0; k < K; ++k) s += int32_t(p[k]);
  return s;
}

// The inner loop: widening multiply-accumulate over contiguous k.
template <typename TA, typename TB>
inline int32_t dot(const TA* a, const TB* b, int64_t K) {
  int32_t s = 0;
  for (int64_t k = 0; k < K; ++k) s += int32_t(a[k]) * int32_t(b[k]);
  return s;
}

template <typename TA, typename TB>
void qgemm_t(const QPanel& A, const QPanel& B, int32_t* C, int64_t ldc) {
  const int64_t K = A.K;
  for (int64_t m = 0; m < A.rows; ++m) {
    const TA* a = reinterpret_cast<const TA*>(A.row(m));
    const int64_t za = A.zp.empty() ? 0 : A.zp[size_t(m)];
    const int64_t sa = A.row_sums[size_t(m)];
    int32_t* c = C + m * ldc;
    for (int64_t n = 0; n < B.rows; ++n) {
      const int64_t zb = B.zp.empty() ? 0 : B.zp[size_t(n)];
      const int32_t d = dot(a, reinterpret_cast<const TB*>(B.row(n)), K);
      // Corrections in int64, wrapped back: exact whenever the true result fits int32.
      const int64_t v = int64_t(d) - zb * sa - za * int64_t(B.row_sums[size_t(n)]) + K * za * zb;
      c[n] = int32_t(uint32_t(uint64_t(v)));
    }
  }
}

// B k-major ([K, N]): accumulate a[m, k] * B[k, :] into an int32 row over contiguous n.
template <typename TA, typename TB>
void qgemm_kmajor(const QPanel& A, const QPanel& B, int32_t* C, int64_t ldc) {
  const int64_t K = A.K, N = B.rows;
  const TB* b = static_cast<const TB*>(B.data);
  std::vector<int32_t> acc(static_cast<size_t>(N));
  for (int64_t m = 0; m < A.rows; ++m) {
    const TA* a = reinterpret_cast<const TA*>(A.row(m));
    std::fill(acc.begin(), acc.end(), 0);
    int32_t* c = acc.data();
    for (int64_t k = 0; k < K; ++k) {
      const int32_t av = a[k];
      const TB* bk = b + k * N;
      for (int64_t n = 0; n < N; ++n) c[n] += av * int32_t(bk[n]);
    }
    const int64_t za = A.zp.empty() ? 0 : A.zp[size_t(m)];
    const int64_t sa = A.row_sums[size_t(m)];
    for (int64_t n = 0; n < N; ++n) {
      const int64_t zb = B.zp.empty() ? 0 : B.zp[size_t(n)];
      const int64_t v = int64_t(c[n]) - zb * sa - za * int64_t(B.row_sums[size_t(n)]) + K * za * zb;
      C[m * ldc + n] = int32_t(uint32_t(uint64_t(v)));
    }
  }
}

template <typename TA, typename TB>
void qgemm_any(const QPanel& A, const QPanel& B, int32_t* C, int64_t ldc) {
  if (B.k_major) qgemm_kmajor<TA, TB>(A, B, C, ldc);
  else qgemm_t<TA, TB>(A, B, C, ldc);
}

template <typename T>
void column_sums(const T* b, int64_t K, int64_t N, int32_t* sums) {
  std::fill(sums, sums + N, 0);
  for (int64_t k = 0; k < K; ++k)
    for (int64_t n = 0; n < N; ++n) sums[n] += int32_t(b[k * N + n]);
}

}  // namespace

void QPanel::finish() {
  row_sums.resize(size_t(rows));
  if (k_major) {
    if (is_signed) column_sums(static_cast<const int8_t*>(data), K, rows, row_sums.data());
    else column_sums(static_cast<const uint8_t*>(data), K, rows, row_sums.data());
    return;
  }
  for (int64_t r = 0; r < rows; ++r)
    row_sums[size_t(r)] = is_signed ? sum_row(reinterpret_cast<const int8_t*>(row(r)), K) : sum_row(row(r), K);
}

void qgemm(const QPanel& A, const QPanel& Bt, int32_t* C, int64_t ldc) {
  if (A.is_signed) {
    if (Bt.is_signed) qgemm_any<int8_t, int8_t>(A, Bt, C, ldc);
    else qgemm_any<int8_t, uint8_t>(A, Bt, C, ldc);
  } else {
    if (Bt.is_signed) qgemm_any<uint8_t, int8_t>(A, Bt, C, ldc);
    else qgemm_any<uint8_t, uint8_t>(A, Bt, C, ldc);
  }
}

}  // namespace qwasm
