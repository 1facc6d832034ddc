#include "quantize/calibrate.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qwasm {

void Histogram::add(const float* x, size_t n, bool absolute) {
  if (counts.empty()) return;
  const int bins = int(counts.size());
  const double span = double(hi) - double(lo);
  for (size_t i = 0; i < n; ++i) {
    double v = x[i];
    if (std::isnan(v)) continue;
    if (absolute) v = std::fabs(v);
    int b = span > 0 ? int(std::floor((v - lo) / span * bins)) : 0;
    b = std::min(std::max(b, 0), bins - 1);
    counts[size_t(b)] += 1;
  }
}

double Histogram::total() const {
  double t = 0;
  for (double c : counts) t += c;
  return t;
}

Range percentile_range(const Histogram& h, double p) {
  Range r{h.lo, h.hi};
  const double total = h.total();
  if (total <= 0 || h.counts.empty()) return r;
  const double keep = total * std::min(std::max(p, 0.0), 100.0) / 100.0;
  const size_t bins = h.counts.size();
  const double w = (double(h.hi) - double(h.lo)) / double(bins);
  double c = 0;
  for (size_t i = 0; i < bins; ++i) {
    c += h.counts[i];
    if (c >= keep) {
      r.hi = float(double(h.lo) + double(i + 1) * w);
      break;
    }
  }
  c = 0;
  for (size_t i = bins; i-- > 0;) {
    c += h.counts[i];
    if (c >= keep) {
      r.lo = float(double(h.lo) + double(i) * w);
      break;
    }
  }
  r.hi = std::min(r.hi, h.hi), r.lo = std::max(r.lo, h.lo);
  return r;
}

int entropy_bins(const std::vector<double>& hist, int levels) {
  const int n = int(hist.size());
  if (n <= levels) return n;
  std::vector<double> suffix(size_t(n) + 1, 0.0);  // suffix[i] = sum of bins [i, n)
  for (int i = n; i-- > 0;) suffix[size_t(i)] = suffix[size_t(i) + 1] + hist[size_t(i)];
  int best = n;
  double best_kl = std::numeric_limits<double>::infinity();
  std::vector<double> p, q;
  for (int i = levels; i <= n; ++i) {
    p.assign(hist.begin(), hist.begin() + i);
    p[size_t(i) - 1] += suffix[size_t(i)];
    q.assign(size_t(i), 0.0);
    for (int l = 0; l < levels; ++l) {
      const int b0 = int(int64_t(l) * i / levels), b1 = int(int64_t(l + 1) * i / levels);
      double sum = 0;
      int nonzero = 0;
      for (int b = b0; b < b1; ++b) sum += hist[size_t(b)], nonzero += hist[size_t(b)] != 0;
      if (nonzero == 0) continue;
      for (int b = b0; b < b1; ++b)
        if (hist[size_t(b)] != 0) q[size_t(b)] = sum / nonzero;
    }
    double ps = 0, qs = 0;
    for (int b = 0; b < i; ++b) ps += p[size_t(b)], qs += q[size_t(b)];
    if (ps <= 0 || qs <= 0) continue;
    double kl = 0;
    for (int b = 0; b < i && std::isfinite(kl); ++b) {
      if (p[size_t(b)] == 0) continue;
      const double pb = p[size_t(b)] / ps, qb = q[size_t(b)] / qs;
      kl = qb == 0 ? std::numeric_limits<double>::infinity() : kl + pb * std::log(pb / qb);
    }
    if (kl < best_kl) best_kl = kl, best = i;
  }
  return best;
}

QParams affine_params(Range r, int32_t qmin, int32_t qmax) {
  const float lo = std::min(r.lo, 0.0f), hi = std::max(r.hi, 0.0f);
  QParams q;
  if (!(hi > lo) || !std::isfinite(hi - lo)) {
    q.scale = 1;
    q.zero_point = std::min(std::max(0, qmin), qmax);
    return q;
  }
  q.scale = (hi - lo) / float(qmax - qmin);
  const float z = std::nearbyint(float(qmin) - lo / q.scale);
  q.zero_point = int32_t(std::min(std::max(z, float(qmin)), float(qmax)));
  return q;
}

}  // namespace qwasm
