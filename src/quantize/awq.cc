#include "quantize/awq.h"

#include <algorithm>
#include <cmath>

#include "graph/error.h"
#include "quantize/block_quant.h"

namespace qwasm {

double awq_error(const float* w, int64_t K, int64_t N, const std::vector<double>& h, const std::vector<float>& s,
                 int bits, int block_size, bool symmetric) {
  QWASM_CHECK(int64_t(h.size()) == K * K && int64_t(s.size()) == K, "quantize: awq: ", h.size(), " Hessian values and ",
              s.size(), " scales for K = ", K);
  std::vector<float> v(static_cast<size_t>(block_size));
  std::vector<double> d(static_cast<size_t>(K)), hd(static_cast<size_t>(K));
  double err = 0;
  for (int64_t n = 0; n < N; ++n) {
    // D[:, n] = diag(s)^-1 Q(diag(s) W[:, n]) - W[:, n], block by block as quantize_nbits pads them.
    for (int64_t k0 = 0; k0 < K; k0 += block_size) {
      for (int64_t i = 0; i < block_size; ++i) v[size_t(i)] = k0 + i < K ? w[(k0 + i) * N + n] * s[size_t(k0 + i)] : 0.0f;
      const NBitsBlock p = nbits_block(v.data(), block_size, bits, symmetric);
      for (int64_t i = 0; i < block_size && k0 + i < K; ++i) {
        const float deq = float(nbits_round(v[size_t(i)], p, bits) - p.zero_point) * p.scale;
        d[size_t(k0 + i)] = double(deq) / double(s[size_t(k0 + i)]) - double(w[(k0 + i) * N + n]);
      }
    }
    for (int64_t i = 0; i < K; ++i) {
      double acc = 0;
      const double* hi = &h[size_t(i * K)];
      for (int64_t j = 0; j < K; ++j) acc += hi[j] * d[size_t(j)];
      hd[size_t(i)] = acc;
    }
    for (int64_t i = 0; i < K; ++i) err += d[size_t(i)] * hd[size_t(i)];
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
