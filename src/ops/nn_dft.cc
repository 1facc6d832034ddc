// DFT (opset 17): a direct O(n^2) discrete Fourier transform along one axis of a real
// ([..., 1]) or complex ([..., 2]) signal, with dft_length (zero-pad or truncate),
// inverse (1/n scaling) and onesided output; computed in double.
#include <cmath>
#include <vector>

#include "ops/dtype_switch.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

void dft(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x0 = ctx.in(0);
  Tensor x = widen_half(x0);
  QWASM_CHECK(x.dtype() == DType::Float32 || x.dtype() == DType::Float64, n.label(), ": float input required");
  QWASM_CHECK(x.rank() >= 2 && (x.dim(x.rank() - 1) == 1 || x.dim(x.rank() - 1) == 2), n.label(),
              ": input must be [..., 1] (real) or [..., 2] (complex), got ", shape_str(x.shape()));
  // Negative axes count from the back of the full rank; the last (component) axis is excluded.
  const int64_t axis_attr = n.attr_i("axis", 1), axis = axis_attr < 0 ? axis_attr + x.rank() : axis_attr;
  QWASM_CHECK(axis >= 0 && axis < x.rank() - 1, n.label(), ": axis ", axis_attr, " is not a signal axis of rank ",
              x.rank());
  const bool inverse = n.attr_i("inverse", 0) != 0, onesided = n.attr_i("onesided", 0) != 0;
  const int64_t in_len = x.dim(axis), comp = x.dim(x.rank() - 1);
  const Tensor* lt = ctx.input(1);
  const int64_t len = lt && lt->size() > 0 ? lt->get_i64(0) : in_len;
  QWASM_CHECK(len > 0, n.label(), ": dft_length must be positive");
  const int64_t out_len = onesided ? len / 2 + 1 : len;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.dim(d);
  for (int64_t d = axis + 1; d < x.rank() - 1; ++d) inner *= x.dim(d);
  Shape s = x.shape();
  s[size_t(axis)] = out_len;
  s.back() = 2;
  Tensor& out = ctx.output(0, x0.dtype(), s);
  Tensor y(x.dtype(), s);
  const double sign = inverse ? 1.0 : -1.0, scale = inverse ? 1.0 / double(len) : 1.0;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i)
      for (int64_t k = 0; k < out_len; ++k) {
        double re = 0, im = 0;
        for (int64_t t = 0; t < std::min(len, in_len); ++t) {
          const int64_t at = ((o * in_len + t) * inner + i) * comp;
          const double xr = x.get_f64(at), xi = comp == 2 ? x.get_f64(at + 1) : 0.0;
          const double a = sign * 2.0 * M_PI * double((k * t) % len) / double(len);
          re += xr * std::cos(a) - xi * std::sin(a);
          im += xr * std::sin(a) + xi * std::cos(a);
        }
        const int64_t at = ((o * out_len + k) * inner + i) * 2;
        if (y.dtype() == DType::Float64) y.data<double>()[at] = re * scale, y.data<double>()[at + 1] = im * scale;
        else y.data<float>()[at] = float(re * scale), y.data<float>()[at + 1] = float(im * scale);
      }
  if (is_half(x0.dtype())) narrow_half(y, out);
  else std::copy_n(static_cast<const char*>(y.raw()), y.bytes(), static_cast<char*>(out.raw()));
}

}  // namespace

void register_nn_dft_ops(OpRegistry& r) { r.add_fn("", "DFT", 17, dft); }

}  // namespace qwasm
