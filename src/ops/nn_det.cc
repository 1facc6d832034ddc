// Det: the determinant of each trailing [M, M] matrix, by LU decomposition with
// partial pivoting in double precision.
#include <cmath>
#include <utility>
#include <vector>

#include "ops/half_via_float.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

double determinant(std::vector<double>& a, int64_t m) {
  double det = 1.0;
  for (int64_t c = 0; c < m; ++c) {
    int64_t piv = c;
    for (int64_t r = c + 1; r < m; ++r)
      if (std::fabs(a[size_t(r * m + c)]) > std::fabs(a[size_t(piv * m + c)])) piv = r;
    if (a[size_t(piv * m + c)] == 0.0) return 0.0;
    if (piv != c) {
      for (int64_t k = 0; k < m; ++k) std::swap(a[size_t(c * m + k)], a[size_t(piv * m + k)]);
      det = -det;
    }
    const double d = a[size_t(c * m + c)];
    det *= d;
    for (int64_t r = c + 1; r < m; ++r) {
      const double f = a[size_t(r * m + c)] / d;
      for (int64_t k = c + 1; k < m; ++k) a[size_t(r * m + k)] -= f * a[size_t(c * m + k)];
    }
  }
  return det;
}

void det(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  QWASM_CHECK(x.dtype() == DType::Float32 || x.dtype() == DType::Float64, n.label(), ": float input required");
  QWASM_CHECK(x.rank() >= 2 && x.dim(x.rank() - 1) == x.dim(x.rank() - 2), n.label(),
              ": input must be [..., M, M], got ", shape_str(x.shape()));
  const int64_t m = x.dim(x.rank() - 1);
  const Shape s(x.shape().begin(), x.shape().end() - 2);
  Tensor& y = ctx.output(0, x.dtype(), s);
  std::vector<double> a(size_t(m * m));
  for (int64_t b = 0; b < y.size(); ++b) {
    for (int64_t i = 0; i < m * m; ++i) a[size_t(i)] = x.get_f64(b * m * m + i);
    const double d = determinant(a, m);
    if (y.dtype() == DType::Float64) y.data<double>()[b] = d;
    else y.data<float>()[b] = float(d);
  }
}

}  // namespace

void register_nn_det_ops(OpRegistry& r) { r.add("", "Det", 11, half_via_float(det)); }

}  // namespace qwasm
