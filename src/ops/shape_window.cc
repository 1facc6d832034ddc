// Signal-processing constants (opset 17), computed in double: HannWindow,
// HammingWindow, BlackmanWindow (a 1-D window of `size` points, periodic: denominator
// size, or symmetric: size - 1) and MelWeightMatrix (triangular mel filter bank).
#include <climits>
#include <cmath>
#include <vector>

#include "ops/dtype_switch.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

// Not M_PI: <cmath> defines it only as an extension, which the wasm toolchain may lack.
constexpr double kPi = 3.14159265358979323846;

DType output_dtype(const Node& n) {
  const int64_t odt = n.attr_i("output_datatype", 1);
  QWASM_CHECK(odt >= 0 && odt <= INT32_MAX && dtype_is_valid(int32_t(odt)), n.label(), ": output_datatype ", odt,
              " is not an ONNX data type");
  return DType(odt);
}

// Writes double values into `out` of dtype dt (float16/bfloat16 through float32).
void store(const Node& n, const std::vector<double>& v, Tensor& out) {
  const DType dt = out.dtype();
  if (is_half(dt)) {
    Tensor f(DType::Float32, out.shape());
    for (size_t i = 0; i < v.size(); ++i) f.data<float>()[i] = float(v[i]);
    narrow_half(f, out);
    return;
  }
  visit_numeric(dt, n.label(), [&](auto tag) {
    using T = decltype(tag);
    for (size_t i = 0; i < v.size(); ++i) out.data<T>()[i] = T(v[i]);
  });
}

enum class Window { Hann, Hamming, Blackman };

template <Window W>
void window(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& st = ctx.in(0);
  QWASM_CHECK(st.size() == 1, n.label(), ": size must be a scalar");
  const int64_t size = st.get_i64(0);
  QWASM_CHECK(size >= 0, n.label(), ": size ", size, " is negative");
  const double denom = double(n.attr_i("periodic", 1) != 0 ? size : size - 1);
  std::vector<double> y(static_cast<size_t>(size));
  for (int64_t i = 0; i < size; ++i) {
    const double a = denom > 0 ? 2.0 * kPi * double(i) / denom : 0.0;
    if (W == Window::Hann) y[size_t(i)] = 0.5 - 0.5 * std::cos(a);
    else if (W == Window::Hamming) y[size_t(i)] = 25.0 / 46.0 - 21.0 / 46.0 * std::cos(a);
    else y[size_t(i)] = 0.42 - 0.5 * std::cos(a) + 0.08 * std::cos(2.0 * a);
  }
  store(n, y, ctx.output(0, output_dtype(n), {size}));
}

// As the ONNX reference: num_mel_bins + 2 points evenly spaced in mel between the edge
// frequencies, mapped to DFT bins floor((dft_length + 1) * hz / sample_rate); filter i
// rises from point i to i + 1 and falls to i + 2. Output [dft_length / 2 + 1, num_mel_bins].
void mel_weight_matrix(OpContext& ctx) {
  const Node& n = ctx.node();
  const int64_t mels = ctx.in(0).get_i64(0), dft_len = ctx.in(1).get_i64(0), rate = ctx.in(2).get_i64(0);
  const double lo_hz = ctx.in(3).get_f64(0), hi_hz = ctx.in(4).get_f64(0);
  QWASM_CHECK(mels > 0 && dft_len > 0 && rate > 0 && lo_hz >= 0 && hi_hz > lo_hz, n.label(),
              ": need positive num_mel_bins, dft_length, sample_rate and 0 <= lower_edge < upper_edge");
  const int64_t bins = dft_len / 2 + 1;
  auto mel = [](double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); };
  const double lo = mel(lo_hz), step = (mel(hi_hz) - lo) / double(mels + 2);
  std::vector<int64_t> pt(static_cast<size_t>(mels + 2));
  for (int64_t i = 0; i < mels + 2; ++i) {
    const double hz = 700.0 * (std::pow(10.0, (double(i) * step + lo) / 2595.0) - 1.0);
    pt[size_t(i)] = int64_t(std::floor(double(dft_len + 1) * hz / double(rate)));
    QWASM_CHECK(pt[size_t(i)] >= 0 && pt[size_t(i)] < bins, n.label(), ": upper_edge_hertz maps past the last bin");
  }
  std::vector<double> w(size_t(bins * mels), 0.0);
  for (int64_t i = 0; i < mels; ++i) {
    const int64_t l = pt[size_t(i)], c = pt[size_t(i + 1)], h = pt[size_t(i + 2)];
    if (c == l) w[size_t(c * mels + i)] = 1.0;
    else for (int64_t j = l; j <= c; ++j) w[size_t(j * mels + i)] = double(j - l) / double(c - l);
    for (int64_t j = c; j < h; ++j) w[size_t(j * mels + i)] = double(h - j) / double(h - c);
  }
  store(n, w, ctx.output(0, output_dtype(n), {bins, mels}));
}

}  // namespace

void register_shape_window_ops(OpRegistry& r) {
  r.add_fn("", "HannWindow", 17, window<Window::Hann>);
  r.add_fn("", "HammingWindow", 17, window<Window::Hamming>);
  r.add_fn("", "BlackmanWindow", 17, window<Window::Blackman>);
  r.add_fn("", "MelWeightMatrix", 17, mel_weight_matrix);
}

}  // namespace qwasm
