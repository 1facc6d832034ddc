// HannWindow, HammingWindow, BlackmanWindow (opset 17): a 1-D window of `size`
// points, periodic (denominator size) or symmetric (size - 1), computed in double.
#include <climits>
#include <cmath>

#include "ops/dtype_switch.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

enum class Window { Hann, Hamming, Blackman };

template <Window W>
void window(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& st = ctx.in(0);
  QWASM_CHECK(st.size() == 1, n.label(), ": size must be a scalar");
  const int64_t size = st.get_i64(0);
  QWASM_CHECK(size >= 0, n.label(), ": size ", size, " is negative");
  const int64_t odt = n.attr_i("output_datatype", 1);
  QWASM_CHECK(odt >= 0 && odt <= INT32_MAX && dtype_is_valid(int32_t(odt)), n.label(), ": output_datatype ", odt,
              " is not an ONNX data type");
  const DType dt = DType(odt);
  const double denom = double(n.attr_i("periodic", 1) != 0 ? size : size - 1);
  Tensor y(DType::Float64, {size});
  for (int64_t i = 0; i < size; ++i) {
    const double a = denom > 0 ? 2.0 * M_PI * double(i) / denom : 0.0;
    double v;
    if (W == Window::Hann) v = 0.5 - 0.5 * std::cos(a);
    else if (W == Window::Hamming) v = 25.0 / 46.0 - 21.0 / 46.0 * std::cos(a);
    else v = 0.42 - 0.5 * std::cos(a) + 0.08 * std::cos(2.0 * a);
    y.data<double>()[i] = v;
  }
  Tensor& out = ctx.output(0, dt, {size});
  Tensor f(DType::Float32, {size});
  for (int64_t i = 0; i < size; ++i) f.data<float>()[i] = float(y.data<double>()[i]);
  if (is_half(dt)) {
    narrow_half(f, out);
    return;
  }
  visit_numeric(dt, n.label(), [&](auto tag) {
    using T = decltype(tag);
    for (int64_t i = 0; i < size; ++i)
      out.data<T>()[i] = T(y.data<double>()[i]);
  });
}

}  // namespace

void register_shape_window_ops(OpRegistry& r) {
  r.add_fn("", "HannWindow", 17, window<Window::Hann>);
  r.add_fn("", "HammingWindow", 17, window<Window::Hamming>);
  r.add_fn("", "BlackmanWindow", 17, window<Window::Blackman>);
}

}  // namespace qwasm
