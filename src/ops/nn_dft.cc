// DFT and STFT (opset 17): direct O(n^2) discrete Fourier transforms of a real
// ([..., 1]) or complex ([..., 2]) signal, computed in double. DFT: along one axis,
// with dft_length (zero-pad or truncate), inverse (1/n) and onesided; STFT: of
// windowed frames every frame_step samples.
#include <cmath>
#include <vector>

#include "ops/dtype_switch.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

// Not M_PI: <cmath> defines it only as an extension, which the wasm toolchain may lack.
constexpr double kPi = 3.14159265358979323846;

// Bin k of the length-`len` transform of the `count` (<= len; the rest zero) complex
// samples at re[t * stride], im[t * stride].
void dft_bin(const double* re, const double* im, int64_t stride, int64_t count, int64_t len, int64_t k,
             double sign, double* out) {
  double r = 0, i = 0;
  for (int64_t t = 0; t < count; ++t) {
    const double a = sign * 2.0 * kPi * double((k * t) % len) / double(len);
    const double xr = re[t * stride], xi = im[t * stride];
    r += xr * std::cos(a) - xi * std::sin(a);
    i += xr * std::sin(a) + xi * std::cos(a);
  }
  out[0] = r, out[1] = i;
}

// The signal as separate double re/im arrays (im zero for a real signal).
void split_complex(const Tensor& x, std::vector<double>& re, std::vector<double>& im) {
  const int64_t comp = x.dim(x.rank() - 1), count = x.size() / comp;
  re.resize(size_t(count)), im.assign(size_t(count), 0.0);
  for (int64_t e = 0; e < count; ++e) {
    re[size_t(e)] = x.get_f64(e * comp);
    if (comp == 2) im[size_t(e)] = x.get_f64(e * comp + 1);
  }
}

void store_f(Tensor& y, int64_t at, const double* v, double scale) {
  if (y.dtype() == DType::Float64) y.data<double>()[at] = v[0] * scale, y.data<double>()[at + 1] = v[1] * scale;
  else y.data<float>()[at] = float(v[0] * scale), y.data<float>()[at + 1] = float(v[1] * scale);
}

void check_signal(const Node& n, const Tensor& x, int64_t min_rank) {
  QWASM_CHECK(x.dtype() == DType::Float32 || x.dtype() == DType::Float64, n.label(), ": float input required");
  QWASM_CHECK(x.rank() >= min_rank && (x.dim(x.rank() - 1) == 1 || x.dim(x.rank() - 1) == 2), n.label(),
              ": signal must be [..., 1] (real) or [..., 2] (complex), got ", shape_str(x.shape()));
}

void emit(OpContext& ctx, const Tensor& y, DType dtype) {
  Tensor& out = ctx.output(0, dtype, y.shape());
  if (is_half(dtype)) narrow_half(y, out);
  else std::copy_n(static_cast<const char*>(y.raw()), y.bytes(), static_cast<char*>(out.raw()));
}

void dft(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x0 = ctx.in(0);
  Tensor x = widen_half(x0);
  check_signal(n, x, 2);
  // Negative axes count from the back of the full rank; the last (component) axis is excluded.
  const int64_t axis_attr = n.attr_i("axis", 1), axis = axis_attr < 0 ? axis_attr + x.rank() : axis_attr;
  QWASM_CHECK(axis >= 0 && axis < x.rank() - 1, n.label(), ": axis ", axis_attr, " is not a signal axis of rank ",
              x.rank());
  const bool inverse = n.attr_i("inverse", 0) != 0, onesided = n.attr_i("onesided", 0) != 0;
  const int64_t in_len = x.dim(axis);
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
  Tensor y(x.dtype(), s);
  std::vector<double> re, im;
  split_complex(x, re, im);
  const double sign = inverse ? 1.0 : -1.0, scale = inverse ? 1.0 / double(len) : 1.0;
  double v[2];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i)
      for (int64_t k = 0; k < out_len; ++k) {
        const size_t first = size_t(o * in_len * inner + i);
        dft_bin(re.data() + first, im.data() + first, inner, std::min(len, in_len), len, k, sign, v);
        store_f(y, ((o * out_len + k) * inner + i) * 2, v, scale);
      }
  emit(ctx, y, x0.dtype());
}

// STFT: signal [batch, length, 1|2], frame_step, optional window and frame_length;
// output [batch, frames, bins, 2] with bins = frame_length / 2 + 1 when onesided.
void stft(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x0 = ctx.in(0);
  Tensor x = widen_half(x0);
  check_signal(n, x, 3);
  QWASM_CHECK(x.rank() == 3, n.label(), ": signal must be [batch, length, 1|2]");
  const int64_t step = ctx.in(1).get_i64(0);
  const Tensor* win = ctx.input(2);
  const Tensor* fl = ctx.input(3);
  const int64_t frame = fl && fl->size() > 0 ? fl->get_i64(0) : (win ? win->size() : 0);
  const int64_t B = x.dim(0), L = x.dim(1);
  QWASM_CHECK(step > 0 && frame > 0 && frame <= L && (!win || win->size() == frame), n.label(),
              ": need frame_step > 0 and a frame_length (or window) of 1..", L, " samples");
  const bool onesided = n.attr_i("onesided", 1) != 0;
  const int64_t frames = 1 + (L - frame) / step, bins = onesided ? frame / 2 + 1 : frame;
  Tensor y(x.dtype(), {B, frames, bins, 2});
  std::vector<double> re, im;
  split_complex(x, re, im);
  std::vector<double> fr(static_cast<size_t>(frame)), fi(static_cast<size_t>(frame));
  double v[2];
  for (int64_t b = 0; b < B; ++b)
    for (int64_t f = 0; f < frames; ++f) {
      for (int64_t t = 0; t < frame; ++t) {
        const double w = win ? win->get_f64(t) : 1.0;
        const size_t at = size_t(b * L + f * step + t);
        fr[size_t(t)] = re[at] * w, fi[size_t(t)] = im[at] * w;
      }
      for (int64_t k = 0; k < bins; ++k) {
        dft_bin(fr.data(), fi.data(), 1, frame, frame, k, -1.0, v);
        store_f(y, ((b * frames + f) * bins + k) * 2, v, 1.0);
      }
    }
  emit(ctx, y, x0.dtype());
}

}  // namespace

void register_nn_dft_ops(OpRegistry& r) {
  r.add_fn("", "DFT", 17, dft);
  r.add_fn("", "STFT", 17, stft);
}

}  // namespace qwasm
