// LRN (cross-channel local response normalisation) and MeanVarianceNormalization.
// float16 via float32 (ops/half_via_float.h).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "graph/shape.h"
#include "ops/half_via_float.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

// y = x / (bias + alpha / size * sum of x^2 over channels [c - (size-1)/2, c + ceil((size-1)/2)])^beta
void lrn(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  QWASM_CHECK(x.dtype() == DType::Float32 && x.rank() >= 3, n.label(), ": float input of rank >= 3 required");
  const int64_t size = n.attr_i("size");
  QWASM_CHECK(size > 0, n.label(), ": size must be positive");
  const float alpha = n.attr_f("alpha", 1e-4f), beta = n.attr_f("beta", 0.75f), bias = n.attr_f("bias", 1.0f);
  const int64_t N = x.dim(0), C = x.dim(1), inner = C ? x.size() / (N * C) : 0;
  const int64_t lo = (size - 1) / 2, hi = size - 1 - lo;
  const float* xd = x.data<float>();
  float* yd = ctx.output(0, DType::Float32, x.shape()).data<float>();
  for (int64_t b = 0; b < N; ++b)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < inner; ++i) {
        float sq = 0.0f;
        for (int64_t j = std::max<int64_t>(0, c - lo); j <= std::min(C - 1, c + hi); ++j) {
          const float v = xd[(b * C + j) * inner + i];
          sq += v * v;
        }
        const int64_t at = (b * C + c) * inner + i;
        yd[at] = xd[at] / std::pow(bias + alpha / float(size) * sq, beta);
      }
}

// y = (x - mean) / (sqrt(E[x^2] - mean^2) + 1e-9), moments over `axes` (default N, H, W).
void mean_variance_norm(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  QWASM_CHECK(x.dtype() == DType::Float32, n.label(), ": float input required");
  std::vector<bool> reduced(size_t(x.rank()), false);
  for (int64_t a : n.attr_ints("axes", {0, 2, 3})) reduced[size_t(normalize_axis(a, x.rank(), n.label()))] = true;
  // Kept dims index a group; reduced dims index a member of it.
  const Shape& s = x.shape();
  int64_t groups = 1;
  for (int64_t d = 0; d < x.rank(); ++d)
    if (!reduced[size_t(d)]) groups *= s[size_t(d)];
  std::vector<int64_t> group_of(size_t(x.size()));
  std::vector<int64_t> coord(s.size(), 0);
  for (int64_t e = 0; e < x.size(); ++e) {
    int64_t g = 0;
    for (size_t d = 0; d < s.size(); ++d)
      if (!reduced[d]) g = g * s[d] + coord[d];
    group_of[size_t(e)] = g;
    for (size_t d = s.size(); d-- > 0;) {
      if (++coord[d] < s[d]) break;
      coord[d] = 0;
    }
  }
  std::vector<double> sum(size_t(groups), 0.0), sum_sq(size_t(groups), 0.0), count(size_t(groups), 0.0);
  const float* xd = x.data<float>();
  for (int64_t e = 0; e < x.size(); ++e) {
    const size_t g = size_t(group_of[size_t(e)]);
    sum[g] += xd[e], sum_sq[g] += double(xd[e]) * xd[e], count[g] += 1;
  }
  Tensor& y = ctx.output(0, DType::Float32, s);
  for (int64_t e = 0; e < x.size(); ++e) {
    const size_t g = size_t(group_of[size_t(e)]);
    const double mean = sum[g] / count[g], var = std::max(0.0, sum_sq[g] / count[g] - mean * mean);
    y.data<float>()[e] = float((xd[e] - mean) / (std::sqrt(var) + 1e-9));
  }
}

}  // namespace

void register_nn_norm_local_ops(OpRegistry& r) {
  r.add("", "LRN", 1, half_via_float(lrn));
  r.add("", "MeanVarianceNormalization", 1, half_via_float(mean_variance_norm));
}

}  // namespace qwasm
