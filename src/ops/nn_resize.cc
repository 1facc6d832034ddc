// Resize (opsets 10-19: nearest, N-linear and cubic, every coordinate transformation
// mode but half_pixel_symmetric, scales or sizes, axes) and Upsample. Each output index
// of each axis maps to taps (source index, weight); a point sums the products of taps.
#include <cmath>
#include <vector>

#include "ops/dtype_switch.h"
#include "ops/registry.h"
#include "ops/shape_util.h"

namespace qwasm {
namespace {

struct Tap {
  int64_t index;
  float weight;
};

struct AxisMap {
  std::vector<std::vector<Tap>> taps;  // per output index; empty: outside (tf_crop_and_resize), extrapolate
};

// Keys' cubic convolution weights for the 4 taps around a point `ratio` in (0, 1] past tap 1.
void cubic_weights(double ratio, double a, double c[4]) {
  const double r1 = ratio + 1, r2 = 1 - ratio, r3 = 2 - ratio;
  c[0] = ((a * r1 - 5 * a) * r1 + 8 * a) * r1 - 4 * a;
  c[1] = ((a + 2) * ratio - (a + 3)) * ratio * ratio + 1;
  c[2] = ((a + 2) * r2 - (a + 3)) * r2 * r2 + 1;
  c[3] = ((a * r3 - 5 * a) * r3 + 8 * a) * r3 - 4 * a;
}

// As the ONNX reference: taps ceil(s) - 2 .. ceil(s) + 1 read edge-clamped; with
// exclude_outside the weights of taps outside the input are dropped and the rest renormalised.
std::vector<Tap> cubic_taps(double s, int64_t in, double a, bool exclude_outside) {
  const int64_t base = int64_t(std::ceil(s)) - 2;
  double c[4], sum = 0;
  cubic_weights(s - double(base + 1), a, c);
  for (int j = 0; j < 4; ++j) {
    if (exclude_outside && (base + j < 0 || base + j >= in)) c[j] = 0;
    sum += c[j];
  }
  std::vector<Tap> t;
  for (int j = 0; j < 4; ++j)
    t.push_back({std::min(std::max<int64_t>(base + j, 0), in - 1), float(exclude_outside ? c[j] / sum : c[j])});
  return t;
}

// `resized` is the output length before rounding (in * scale; == out when sizes are given),
// which align_corners divides by as the ONNX reference does.
double to_source(const std::string& mode, double x, double scale, int64_t in, int64_t out, double resized,
                 double roi_s, double roi_e) {
  if (mode == "half_pixel") return (x + 0.5) / scale - 0.5;
  if (mode == "pytorch_half_pixel") return out > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
  if (mode == "align_corners") return resized == 1 ? 0.0 : x * double(in - 1) / (resized - 1);
  if (mode == "asymmetric") return x / scale;
  if (mode == "tf_half_pixel_for_nearest" || mode == "tf_half_pixel_for_nn") return (x + 0.5) / scale;  // _nn: opset-10 name
  if (mode == "tf_crop_and_resize")
    return out > 1 ? roi_s * double(in - 1) + x * (roi_e - roi_s) * double(in - 1) / double(out - 1)
                   : 0.5 * (roi_s + roi_e) * double(in - 1);
  fail("Resize: coordinate_transformation_mode '", mode, "' is not supported");
}

int64_t nearest(const std::string& m, double x) {
  if (m == "floor") return int64_t(std::floor(x));
  if (m == "ceil") return int64_t(std::ceil(x));
  const double f = std::floor(x);
  if (x - f == 0.5) return int64_t(m == "round_prefer_ceil" ? f + 1 : f);
  return int64_t(std::round(x));
}

class Resize : public OpKernel {
 public:
  explicit Resize(const Node& n, bool upsample) : upsample_(upsample) {
    mode_ = n.attr_s("mode", "nearest");
    coord_ = n.attr_s("coordinate_transformation_mode", n.opset < 11 || upsample ? "asymmetric" : "half_pixel");
    nearest_mode_ = n.opset < 11 || upsample ? "floor" : n.attr_s("nearest_mode", "round_prefer_floor");
    QWASM_CHECK(mode_ == "nearest" || mode_ == "linear" || mode_ == "bilinear" || mode_ == "cubic", n.label(),
                ": mode '", mode_, "' is not supported (nearest, linear, cubic)");
    QWASM_CHECK(n.attr_i("antialias", 0) == 0, n.label(), ": antialias is not supported");
    extrapolation_ = n.attr_f("extrapolation_value", 0.0f);
    cubic_a_ = n.attr_f("cubic_coeff_a", -0.75f);
    exclude_outside_ = n.attr_i("exclude_outside", 0) != 0;
  }

  void compute(OpContext& ctx) override {
    const Node& n = ctx.node();
    const Tensor& x0 = ctx.in(0);
    Tensor x = widen_half(x0);
    QWASM_CHECK(x.dtype() == DType::Float32, n.label(), ": float input required");
    const int64_t r = x.rank();
    std::vector<double> scales(size_t(r), 1.0), roi_s(size_t(r), 0.0), roi_e(size_t(r), 1.0);
    Shape out = x.shape();
    std::vector<int64_t> axes = n.attr_ints("axes");
    if (axes.empty()) for (int64_t i = 0; i < r; ++i) axes.push_back(i);
    const Tensor* sc = upsample_ ? (n.opset < 9 ? nullptr : ctx.input(1)) : (n.opset < 11 ? ctx.input(1) : ctx.input(2));
    const Tensor* sz = upsample_ || n.opset < 11 ? nullptr : ctx.input(3);
    const Tensor* roi = upsample_ || n.opset < 11 ? nullptr : ctx.input(1);
    const bool by_sizes = sz && sz->size() > 0;
    if (by_sizes) {
      auto v = ints_of(*sz);
      QWASM_CHECK(v.size() == axes.size(), n.label(), ": sizes has ", v.size(), " entries for ", axes.size(), " axes");
      for (size_t i = 0; i < axes.size(); ++i) {
        const int64_t a = normalize_axis(axes[i], r, n.label());
        out[size_t(a)] = v[i];
        scales[size_t(a)] = double(v[i]) / double(x.dim(a));
      }
    } else {
      std::vector<float> v = sc ? std::vector<float>(sc->data<float>(), sc->data<float>() + sc->size()) : n.attr_floats("scales");
      QWASM_CHECK(v.size() == axes.size(), n.label(), ": scales has ", v.size(), " entries for ", axes.size(), " axes");
      for (size_t i = 0; i < axes.size(); ++i) {
        const int64_t a = normalize_axis(axes[i], r, n.label());
        QWASM_CHECK(v[i] > 0, n.label(), ": scales must be positive");
        scales[size_t(a)] = v[i];
        out[size_t(a)] = int64_t(std::floor(double(x.dim(a)) * v[i]));
      }
    }
    if (roi && roi->size() == int64_t(2 * axes.size())) {
      for (size_t i = 0; i < axes.size(); ++i) {
        const int64_t a = normalize_axis(axes[i], r, n.label());
        roi_s[size_t(a)] = roi->get_f64(int64_t(i));
        roi_e[size_t(a)] = roi->get_f64(int64_t(i + axes.size()));
      }
    }
    std::vector<AxisMap> maps(static_cast<size_t>(r));
    for (int64_t d = 0; d < r; ++d) {
      AxisMap& m = maps[size_t(d)];
      const int64_t in = x.dim(d), on = out[size_t(d)];
      for (int64_t o = 0; o < on; ++o) {
        if (in == on && scales[size_t(d)] == 1.0 && coord_ != "tf_crop_and_resize") {
          m.taps.push_back({{o, 1.0f}});
          continue;
        }
        const double resized = by_sizes ? double(on) : double(in) * scales[size_t(d)];
        const double s = to_source(coord_, double(o), scales[size_t(d)], in, on, resized, roi_s[size_t(d)],
                                   roi_e[size_t(d)]);
        if (coord_ == "tf_crop_and_resize" && (s < 0 || s > double(in - 1))) {
          m.taps.emplace_back();
          continue;
        }
        m.taps.push_back(taps_at(s, in));
      }
    }
    Tensor y(DType::Float32, out);
    auto xs = shape_strides(x.shape()), os = shape_strides(out);
    const float* xp = x.data<float>();
    if (gather_only(maps)) {
      gather(maps, xs, out, xp, y.data<float>());
    } else {
      general(maps, xs, os, r, xp, y);
    }
    Tensor& yo = ctx.output(0, x0.dtype(), out);
    if (is_half(x0.dtype())) narrow_half(y, yo);
    else std::copy_n(y.data<float>(), y.size(), yo.data<float>());
  }

 private:
  // Every output value is one input value (nearest, or axes left alone): no sums.
  static bool gather_only(const std::vector<AxisMap>& maps) {
    for (const AxisMap& m : maps)
      for (const auto& t : m.taps)
        if (t.size() != 1 || t[0].weight != 1.0f) return false;
    return true;
  }

  // y[o] = x[sum over axes of index_d(o_d) * stride_d]: the per-axis offsets computed once,
  // the last axis walked as a run.
  static void gather(const std::vector<AxisMap>& maps, const std::vector<int64_t>& xs, const Shape& out,
                     const float* xp, float* yp) {
    const size_t r = maps.size();
    std::vector<std::vector<int64_t>> off(r);
    for (size_t d = 0; d < r; ++d)
      for (const auto& t : maps[d].taps) off[d].push_back(t[0].index * xs[d]);
    const int64_t inner = r ? out[r - 1] : 1;
    int64_t outer = 1;
    for (size_t d = 0; d + 1 < r; ++d) outer *= out[d];
    if (inner == 0) return;
    std::vector<int64_t> idx(r, 0);
    const int64_t* last = r ? off[r - 1].data() : nullptr;
    for (int64_t o = 0; o < outer; ++o) {
      int64_t base = 0;
      for (size_t d = 0; d + 1 < r; ++d) base += off[d][size_t(idx[d])];
      float* dst = yp + o * inner;
      if (r == 0) dst[0] = xp[0];
      else for (int64_t i = 0; i < inner; ++i) dst[i] = xp[base + last[i]];
      for (size_t d = r - 1; d-- > 0;) {
        if (++idx[d] < out[d]) break;
        idx[d] = 0;
      }
    }
  }

  void general(const std::vector<AxisMap>& maps, const std::vector<int64_t>& xs, const std::vector<int64_t>& os,
               int64_t r, const float* xp, Tensor& y) const {
    std::vector<int64_t> idx(static_cast<size_t>(r));
    std::vector<size_t> pick(static_cast<size_t>(r));
    std::vector<const std::vector<Tap>*> taps(static_cast<size_t>(r));
    for (int64_t o = 0; o < y.size(); ++o) {
      int64_t rem = o;
      bool outside = false;
      for (int64_t d = 0; d < r; ++d) {
        idx[size_t(d)] = rem / os[size_t(d)], rem %= os[size_t(d)];
        taps[size_t(d)] = &maps[size_t(d)].taps[size_t(idx[size_t(d)])];
        if (taps[size_t(d)]->empty()) outside = true;
      }
      y.data<float>()[o] = outside ? extrapolation_ : float(sum_taps(taps, xs, xp, pick));
    }
  }

  std::vector<Tap> taps_at(double s, int64_t in) const {
    if (mode_ == "nearest") return {{std::min(std::max<int64_t>(nearest(nearest_mode_, s), 0), in - 1), 1.0f}};
    if (mode_ == "cubic") return cubic_taps(s, in, cubic_a_, exclude_outside_);
    const double c = std::min(std::max(s, 0.0), double(in - 1));
    const int64_t k0 = int64_t(std::floor(c));
    const float w = float(c - double(k0));
    if (w == 0) return {{k0, 1.0f}};
    return {{k0, 1.0f - w}, {std::min(k0 + 1, in - 1), w}};
  }

  // Sum over every combination of one tap per axis, the last axis fastest.
  // `pick` is the caller's scratch of taps.size() entries (no allocation per output value).
  static double sum_taps(const std::vector<const std::vector<Tap>*>& taps, const std::vector<int64_t>& xs,
                         const float* xp, std::vector<size_t>& pick) {
    const size_t r = taps.size();
    std::fill(pick.begin(), pick.end(), size_t(0));
    double acc = 0;
    for (;;) {
      double w = 1;
      int64_t off = 0;
      for (size_t d = 0; d < r; ++d) {
        const Tap& t = (*taps[d])[pick[d]];
        w *= t.weight;
        off += t.index * xs[d];
      }
      acc += w * xp[off];
      size_t d = r;
      for (; d-- > 0;) {
        if (++pick[d] < taps[d]->size()) break;
        pick[d] = 0;
      }
      if (d == size_t(-1)) break;
    }
    return acc;
  }

  bool upsample_;
  std::string mode_, coord_, nearest_mode_;
  float extrapolation_ = 0, cubic_a_ = -0.75f;
  bool exclude_outside_ = false;
};

}  // namespace

void register_nn_resize_ops(OpRegistry& r) {
  r.add("", "Resize", 10, [](const BuildContext& bc) { return std::make_unique<Resize>(bc.node, false); });
  r.add("", "Upsample", 7, [](const BuildContext& bc) { return std::make_unique<Resize>(bc.node, true); });
}

}  // namespace qwasm
