#include "quantize/awq.h"

#include <algorithm>
#include <cmath>

#include "graph/error.h"
#include "quantize/block_quant.h"

namespace qwasm {
namespace {

// Four independent sums (a fixed order, so every build gives the same value) that the
// compiler can keep in SIMD lanes without reassociating.
double dot(const double* a, const double* b, int64_t n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; ++i) s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

}  // namespace

double awq_error(const float* w, int64_t K, int64_t N, const std::vector<double>& h, const std::vector<float>& s,
                 int bits, int block_size, bool symmetric) {
  QWASM_CHECK(int64_t(h.size()) == K * K && int64_t(s.size()) == K, "quantize: awq: ", h.size(), " Hessian values and ",
              s.size(), " scales for K = ", K);
  // D = diag(s)^-1 Q(diag(s) W) - W [K, N], block by block as quantize_nbits pads them.
  std::vector<float> v(static_cast<size_t>(block_size));
  std::vector<double> d(static_cast<size_t>(K * N));
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k0 = 0; k0 < K; k0 += block_size) {
      for (int64_t i = 0; i < block_size; ++i) v[size_t(i)] = k0 + i < K ? w[(k0 + i) * N + n] * s[size_t(k0 + i)] : 0.0f;
      const NBitsBlock p = nbits_block(v.data(), block_size, bits, symmetric);
      for (int64_t i = 0; i < block_size && k0 + i < K; ++i) {
        const float deq = float(nbits_round(v[size_t(i)], p, bits) - p.zero_point) * p.scale;
        d[size_t((k0 + i) * N + n)] = double(deq) / double(s[size_t(k0 + i)]) - double(w[(k0 + i) * N + n]);
      }
    }
  // tr(D^T H D) = sum_ij H[i][j] <D row i, D row j>; H is symmetric, so the upper triangle twice
  // plus the diagonal (dot products of contiguous rows).
  double err = 0;
  for (int64_t i = 0; i < K; ++i) {
    const double* di = &d[size_t(i * N)];
    double row = 0;
    for (int64_t j = i; j < K; ++j) {
      const double hij = h[size_t(i * K + j)];
      if (hij == 0) continue;
      row += (j == i ? 1.0 : 2.0) * hij * dot(di, &d[size_t(j * N)], N);
    }
    err += row;
  }
  return err;
}

AwqScales awq_search(const float* w, int64_t K, int64_t N, const std::vector<double>& h,
                     const std::vector<double>& mean_abs, int bits, int block_size, bool symmetric, int grid) {
  QWASM_CHECK(int64_t(mean_abs.size()) == K && grid >= 1, "quantize: awq: ", mean_abs.size(), " channel means for K = ", K);
  AwqScales best;
  std::vector<float> s(static_cast<size_t>(K));
  for (int g = 0; g <= grid; ++g) {
    const double alpha = double(g) / double(grid);
    std::vector<double> t(static_cast<size_t>(K));
    for (int64_t k = 0; k < K; ++k) t[size_t(k)] = std::max(std::pow(mean_abs[size_t(k)], alpha), 1e-4);
    const double lo = *std::min_element(t.begin(), t.end()), hi = *std::max_element(t.begin(), t.end());
    const double norm = std::sqrt(lo * hi);
    for (int64_t k = 0; k < K; ++k) s[size_t(k)] = float(t[size_t(k)] / norm);
    const double e = awq_error(w, K, N, h, s, bits, block_size, symmetric);
    if (g == 0) best.rtn_error = e;
    if (g == 0 || e < best.error) best.error = e, best.alpha = alpha, best.scales = s;
  }
  return best;
}

std::vector<float> smoothquant_scales(const std::vector<double>& max_abs_x, const std::vector<double>& max_abs_w,
                                      double alpha) {
  QWASM_CHECK(max_abs_x.size() == max_abs_w.size(), "quantize: smoothQuant: ", max_abs_x.size(), " activation and ",
              max_abs_w.size(), " weight channel maxima");
  std::vector<float> s(max_abs_x.size(), 1.0f);
  for (size_t k = 0; k < s.size(); ++k) {
    const double x = max_abs_x[k], wm = max_abs_w[k];
    if (!(x > 0) || !(wm > 0) || !std::isfinite(x)) continue;
    s[k] = float(std::clamp(std::pow(x, alpha) / std::pow(wm, 1 - alpha), 1e-5, 1e5));
  }
  return s;
}

}  // namespace qwasm
