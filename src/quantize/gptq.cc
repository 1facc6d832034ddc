#include "quantize/gptq.h"

#include <algorithm>
#include <cmath>

#include "graph/error.h"

namespace qwasm {
namespace {

// In place: a (n x n, row-major, symmetric positive definite) -> its lower Cholesky factor L
// (a = L L^T), the upper triangle zeroed.
void cholesky_lower(std::vector<double>& a, int64_t n) {
  for (int64_t j = 0; j < n; ++j) {
    double d = a[size_t(j * n + j)];
    for (int64_t p = 0; p < j; ++p) d -= a[size_t(j * n + p)] * a[size_t(j * n + p)];
    QWASM_CHECK(d > 0 && std::isfinite(d), "quantize: gptq: the dampened Hessian is not positive definite at row ", j,
                " (NaN or infinite calibration data?)");
    const double l = std::sqrt(d);
    a[size_t(j * n + j)] = l;
    for (int64_t i = j + 1; i < n; ++i) {
      double s = a[size_t(i * n + j)];
      for (int64_t p = 0; p < j; ++p) s -= a[size_t(i * n + p)] * a[size_t(j * n + p)];
      a[size_t(i * n + j)] = s / l;
    }
    for (int64_t i = 0; i < j; ++i) a[size_t(i * n + j)] = 0;
  }
}

// H (SPD) -> upper U with H^-1 = U^T U. H^-1 = L^-T L^-1 from H's Cholesky factor, then the
// Cholesky factor of H^-1, transposed.
std::vector<double> inverse_cholesky_upper(std::vector<double> h, int64_t n) {
  cholesky_lower(h, n);
  // Linv = L^-1 (lower), column by column by forward substitution.
  std::vector<double> li(size_t(n * n), 0.0);
  for (int64_t c = 0; c < n; ++c) {
    for (int64_t i = c; i < n; ++i) {
      double s = i == c ? 1.0 : 0.0;
      for (int64_t p = c; p < i; ++p) s -= h[size_t(i * n + p)] * li[size_t(p * n + c)];
      li[size_t(i * n + c)] = s / h[size_t(i * n + i)];
    }
  }
  // Hinv = Linv^T Linv
  std::vector<double> hi(size_t(n * n), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j <= i; ++j) {
      double s = 0;
      for (int64_t p = std::max(i, j); p < n; ++p) s += li[size_t(p * n + i)] * li[size_t(p * n + j)];
      hi[size_t(i * n + j)] = hi[size_t(j * n + i)] = s;
    }
  cholesky_lower(hi, n);
  std::vector<double> u(size_t(n * n), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j <= i; ++j) u[size_t(j * n + i)] = hi[size_t(i * n + j)];
  return u;
}

}  // namespace

void accumulate_hessian(const float* x, int64_t rows, int64_t K, std::vector<double>& h) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * K;
    for (int64_t i = 0; i < K; ++i) {
      const double xi = xr[i];
      if (xi == 0) continue;
      for (int64_t j = 0; j < K; ++j) h[size_t(i * K + j)] += xi * double(xr[j]);
    }
  }
}

NBitsWeight quantize_nbits_gptq(const float* w_in, int64_t K, int64_t N, const std::vector<double>& h_in, int bits,
                                int block_size, bool symmetric) {
  QWASM_CHECK(int64_t(h_in.size()) == K * K, "quantize: gptq: the Hessian has ", h_in.size(), " values, not ", K * K);
  std::vector<double> h = h_in;
  std::vector<double> w(size_t(K * N));
  for (size_t i = 0; i < w.size(); ++i) w[i] = w_in[i];
  for (int64_t k = 0; k < K; ++k)
    if (h[size_t(k * K + k)] == 0) {  // an input that is always 0: its weights do not matter
      h[size_t(k * K + k)] = 1;
      for (int64_t n = 0; n < N; ++n) w[size_t(k * N + n)] = 0;
    }
  double mean_diag = 0;
  for (int64_t k = 0; k < K; ++k) mean_diag += h[size_t(k * K + k)];
  mean_diag /= double(K);
  for (int64_t k = 0; k < K; ++k) h[size_t(k * K + k)] += 0.01 * mean_diag;
  const std::vector<double> u = inverse_cholesky_upper(std::move(h), K);

  const int qmax = (1 << bits) - 1;
  NBitsWeight out = nbits_zeros(K, N, bits, block_size, symmetric);
  std::vector<double> scale(static_cast<size_t>(N));
  std::vector<int> zp(static_cast<size_t>(N));
  std::vector<double> err(static_cast<size_t>(N));
  std::vector<float> block(static_cast<size_t>(block_size));
  for (int64_t k = 0; k < K; ++k) {
    const int64_t blk = k / block_size, i = k % block_size;
    if (i == 0) {
      // quantize_nbits's rule on the block's current (error-compensated) weights, in float as
      // there (rounding to float keeps the order, so the block's min / max / max|w| are the same).
      const int64_t rows = std::min(K, k + block_size) - k;
      for (int64_t n = 0; n < N; ++n) {
        for (int64_t r = 0; r < rows; ++r) block[size_t(r)] = float(w[size_t((k + r) * N + n)]);
        const NBitsBlock p = nbits_block(block.data(), rows, bits, symmetric);
        scale[size_t(n)] = p.scale;
        zp[size_t(n)] = p.zero_point;
        set_nbits_block(out, n, blk, p, bits, symmetric);
      }
    }
    const double d = u[size_t(k * K + k)];
    for (int64_t n = 0; n < N; ++n) {
      const double v = w[size_t(k * N + n)], s = scale[size_t(n)];
      const int q = int(std::clamp(std::nearbyint(v / s) + zp[size_t(n)], 0.0, double(qmax)));
      err[size_t(n)] = (v - double(q - zp[size_t(n)]) * s) / d;
      set_nbits_value(out, n, blk, i, q, bits, block_size);
    }
    for (int64_t j = k + 1; j < K; ++j) {
      const double f = u[size_t(k * K + j)];
      if (f == 0) continue;
      double* wj = &w[size_t(j * N)];
      for (int64_t n = 0; n < N; ++n) wj[n] -= err[size_t(n)] * f;
    }
  }
  return out;
}

}  // namespace qwasm
