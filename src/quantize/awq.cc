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

namespace {

// D = diag(s)^-1 Q(ws) - W [K, N] for scaled weights ws (= diag(s) W, possibly clipped), block
// by block as quantize_nbits pads them.
std::vector<double> deviation(const float* ws, const float* w, int64_t K, int64_t N, const std::vector<float>& s,
                              int bits, int block_size, bool symmetric) {
  std::vector<float> v(static_cast<size_t>(block_size));
  std::vector<double> d(static_cast<size_t>(K * N));
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k0 = 0; k0 < K; k0 += block_size) {
      for (int64_t i = 0; i < block_size; ++i) v[size_t(i)] = k0 + i < K ? ws[(k0 + i) * N + n] : 0.0f;
      const NBitsBlock p = nbits_block(v.data(), block_size, bits, symmetric);
      for (int64_t i = 0; i < block_size && k0 + i < K; ++i) {
        const float deq = float(nbits_round(v[size_t(i)], p, bits) - p.zero_point) * p.scale;
        d[size_t((k0 + i) * N + n)] = double(deq) / double(s[size_t(k0 + i)]) - double(w[(k0 + i) * N + n]);
      }
    }
  return d;
}

// tr(D^T H D) = sum_ij H[i][j] <D row i, D row j>; H is symmetric, so the upper triangle twice
// plus the diagonal (dot products of contiguous rows).
double weighted_error(const std::vector<double>& d, int64_t K, int64_t N, const std::vector<double>& h) {
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

std::vector<float> scaled(const float* w, int64_t K, int64_t N, const std::vector<float>& s) {
  std::vector<float> ws(static_cast<size_t>(K * N));
  for (int64_t k = 0; k < K; ++k)
    for (int64_t n = 0; n < N; ++n) ws[size_t(k * N + n)] = w[k * N + n] * s[size_t(k)];
  return ws;
}

}  // namespace

double awq_error(const float* w, int64_t K, int64_t N, const std::vector<double>& h, const std::vector<float>& s,
                 int bits, int block_size, bool symmetric) {
  QWASM_CHECK(int64_t(h.size()) == K * K && int64_t(s.size()) == K, "quantize: awq: ", h.size(), " Hessian values and ",
              s.size(), " scales for K = ", K);
  const std::vector<float> ws = scaled(w, K, N, s);
  return weighted_error(deviation(ws.data(), w, K, N, s, bits, block_size, symmetric), K, N, h);
}

double awq_scaled_error(const float* ws, const float* w, int64_t K, int64_t N, const std::vector<double>& h,
                        const std::vector<float>& s, int bits, int block_size, bool symmetric) {
  QWASM_CHECK(int64_t(h.size()) == K * K && int64_t(s.size()) == K, "quantize: awq: ", h.size(), " Hessian values and ",
              s.size(), " scales for K = ", K);
  return weighted_error(deviation(ws, w, K, N, s, bits, block_size, symmetric), K, N, h);
}

AwqClip awq_clip(const float* w, int64_t K, int64_t N, const std::vector<double>& h, const std::vector<float>& s,
                 int bits, int block_size, bool symmetric, int grid, double max_shrink) {
  QWASM_CHECK(int64_t(h.size()) == K * K && int64_t(s.size()) == K && grid >= 1 && max_shrink >= 0 && max_shrink < 1,
              "quantize: awq clip: ", h.size(), " Hessian values and ", s.size(), " scales for K = ", K);
  AwqClip out;
  out.weights = scaled(w, K, N, s);
  const std::vector<double> d0 = deviation(out.weights.data(), w, K, N, s, bits, block_size, symmetric);
  out.unclipped_error = out.error = weighted_error(d0, K, N, h);
  const int steps = int(std::floor(max_shrink * grid + 1e-9));
  if (steps == 0) return out;
  std::vector<float> clipped = out.weights;
  std::vector<float> v(static_cast<size_t>(block_size)), c(static_cast<size_t>(block_size));
  std::vector<double> dv(static_cast<size_t>(block_size));
  int64_t changed = 0;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k0 = 0; k0 < K; k0 += block_size) {
      const int64_t len = std::min<int64_t>(block_size, K - k0);
      for (int64_t i = 0; i < block_size; ++i) v[size_t(i)] = i < len ? out.weights[size_t((k0 + i) * N + n)] : 0.0f;
      // The block's range as nbits_block takes it (0 included; symmetric: +-max|v|).
      float lo = 0, hi = 0;
      for (int64_t i = 0; i < len; ++i) lo = std::min(lo, v[size_t(i)]), hi = std::max(hi, v[size_t(i)]);
      if (symmetric) hi = std::max(hi, -lo), lo = -hi;
      // d_b^T H_bb d_b of this block alone for range shrink r = 1 - g / grid.
      auto block_error = [&](float r, bool keep) {
        const float l = lo * r, u = hi * r;
        for (int64_t i = 0; i < block_size; ++i) c[size_t(i)] = std::clamp(v[size_t(i)], l, u);
        const NBitsBlock p = nbits_block(c.data(), block_size, bits, symmetric);
        for (int64_t i = 0; i < len; ++i) {
          const float deq = float(nbits_round(c[size_t(i)], p, bits) - p.zero_point) * p.scale;
          dv[size_t(i)] = double(deq) / double(s[size_t(k0 + i)]) - double(w[(k0 + i) * N + n]);
        }
        double e = 0;
        for (int64_t i = 0; i < len; ++i) {
          const double* hi_row = &h[size_t((k0 + i) * K + k0)];
          double row = 0;
          for (int64_t j = 0; j < len; ++j) row += hi_row[j] * dv[size_t(j)];
          e += dv[size_t(i)] * row;
        }
        if (keep)
          for (int64_t i = 0; i < len; ++i) clipped[size_t((k0 + i) * N + n)] = c[size_t(i)];
        return e;
      };
      double best = block_error(1.0f, false);
      int best_g = 0;
      for (int g = 1; g <= steps; ++g) {
        const double e = block_error(float(1.0 - double(g) / grid), false);
        if (e < best) best = e, best_g = g;
      }
      if (best_g > 0) block_error(float(1.0 - double(best_g) / grid), true), ++changed;
    }
  if (changed == 0) return out;
  // The per-block choice ignores the cross-block terms of H: kept only when the whole layer's
  // error goes down.
  const double e = weighted_error(deviation(clipped.data(), w, K, N, s, bits, block_size, symmetric), K, N, h);
  if (e < out.error) out.error = e, out.weights.swap(clipped), out.clipped_blocks = changed;
  return out;
}

std::vector<float> awq_scales(const std::vector<double>& mean_abs, double alpha) {
  std::vector<double> t(mean_abs.size());
  for (size_t k = 0; k < t.size(); ++k) t[k] = std::max(std::pow(mean_abs[k], alpha), 1e-4);
  const double lo = *std::min_element(t.begin(), t.end()), hi = *std::max_element(t.begin(), t.end());
  const double norm = std::sqrt(lo * hi);
  std::vector<float> s(t.size());
  for (size_t k = 0; k < t.size(); ++k) s[k] = float(t[k] / norm);
  return s;
}

AwqScales awq_search(const float* w, int64_t K, int64_t N, const std::vector<double>& h,
                     const std::vector<double>& mean_abs, int bits, int block_size, bool symmetric, int grid) {
  QWASM_CHECK(int64_t(mean_abs.size()) == K && grid >= 1, "quantize: awq: ", mean_abs.size(), " channel means for K = ", K);
  AwqScales best;
  for (int g = 0; g <= grid; ++g) {
    const double alpha = double(g) / double(grid);
    const std::vector<float> s = awq_scales(mean_abs, alpha);
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
