// Resize (opsets 10-19: nearest and N-linear, every coordinate transformation
// mode but half_pixel_symmetric, scales or sizes, axes) and Upsample.
#include <cmath>
#include <vector>

#include "ops/dtype_switch.h"
#include "ops/registry.h"
#include "ops/shape_util.h"

namespace qwasm {
namespace {

struct AxisMap {
  std::vector<int64_t> i0, i1;  // source indices per output index (i1 == -1: outside, extrapolate)
  std::vector<float> w;         // weight of i1
};

double to_source(const std::string& mode, double x, double scale, int64_t in, int64_t out, double roi_s, double roi_e) {
  if (mode == "half_pixel") return (x + 0.5) / scale - 0.5;
  if (mode == "pytorch_half_pixel") return out > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
  if (mode == "align_corners") return out == 1 ? 0.0 : x * double(in - 1) / double(out - 1);
  if (mode == "asymmetric") return x / scale;
  if (mode == "tf_half_pixel_for_nearest") return (x + 0.5) / scale;
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

// Output shape and, per dim, the scale and the tf_crop_and_resize region of interest.
struct ResizeGeometry {
  Shape out;
  std::vector<double> scales, roi_s, roi_e;
};

// Sizes given: the output dims are those, the scales follow from them.
void geometry_from_sizes(const Node& n, const Tensor& x, const std::vector<int64_t>& axes, const Tensor& sz,
                         ResizeGeometry& g) {
  auto v = ints_of(sz);
  QWASM_CHECK(v.size() == axes.size(), n.label(), ": sizes has ", v.size(), " entries for ", axes.size(), " axes");
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t a = normalize_axis(axes[i], x.rank(), n.label());
    g.out[size_t(a)] = v[i];
    g.scales[size_t(a)] = double(v[i]) / double(x.dim(a));
  }
}

// Scales given (input, or the attribute before opset 9): the output dims are floor(dim * scale).
void geometry_from_scales(const Node& n, const Tensor& x, const std::vector<int64_t>& axes, const Tensor* sc,
                          ResizeGeometry& g) {
  std::vector<float> v = sc ? std::vector<float>(sc->data<float>(), sc->data<float>() + sc->size()) : n.attr_floats("scales");
  QWASM_CHECK(v.size() == axes.size(), n.label(), ": scales has ", v.size(), " entries for ", axes.size(), " axes");
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t a = normalize_axis(axes[i], x.rank(), n.label());
    QWASM_CHECK(v[i] > 0, n.label(), ": scales must be positive");
    g.scales[size_t(a)] = v[i];
    g.out[size_t(a)] = int64_t(std::floor(double(x.dim(a)) * v[i]));
  }
}

// Sum over the 2^r corners of the source cell of output index `idx` (only dims
// with a non-zero weight branch; nearest and identity dims have weight 0).
double interpolate_at(const std::vector<AxisMap>& maps, const std::vector<int64_t>& idx,
                      const std::vector<int64_t>& xs, const float* xp) {
  const int64_t r = int64_t(maps.size());
  double acc = 0;
  std::vector<int> corner(static_cast<size_t>(r), 0);
  for (;;) {
    double w = 1;
    int64_t off = 0;
    for (int64_t d = 0; d < r; ++d) {
      const AxisMap& m = maps[size_t(d)];
      const size_t k = size_t(idx[size_t(d)]);
      const float wd = m.w[k];
      w *= corner[size_t(d)] ? wd : 1.0f - wd;
      off += (corner[size_t(d)] ? m.i1[k] : m.i0[k]) * xs[size_t(d)];
    }
    acc += w * xp[off];
    int64_t d = r - 1;
    for (; d >= 0; --d) {
      if (!corner[size_t(d)] && maps[size_t(d)].w[size_t(idx[size_t(d)])] != 0) {
        corner[size_t(d)] = 1;
        break;
      }
      corner[size_t(d)] = 0;
    }
    if (d < 0) return acc;
  }
}

// y[o] for every output index: the extrapolation value where a dim falls outside
// the crop, else the interpolation of x through the per-dim maps.
void resample(const Tensor& x, const std::vector<AxisMap>& maps, float extrapolation, Tensor& y) {
  const int64_t r = x.rank();
  auto xs = shape_strides(x.shape()), os = shape_strides(y.shape());
  const float* xp = x.data<float>();
  std::vector<int64_t> idx(static_cast<size_t>(r));
  for (int64_t o = 0; o < y.size(); ++o) {
    int64_t rem = o;
    bool outside = false;
    for (int64_t d = 0; d < r; ++d) {
      idx[size_t(d)] = rem / os[size_t(d)], rem %= os[size_t(d)];
      if (maps[size_t(d)].i1[size_t(idx[size_t(d)])] < 0) outside = true;
    }
    y.data<float>()[o] = outside ? extrapolation : float(interpolate_at(maps, idx, xs, xp));
  }
}

class Resize : public OpKernel {
 public:
  explicit Resize(const Node& n, bool upsample) : upsample_(upsample) {
    mode_ = n.attr_s("mode", "nearest");
    coord_ = n.attr_s("coordinate_transformation_mode", n.opset < 11 || upsample ? "asymmetric" : "half_pixel");
    nearest_mode_ = n.opset < 11 || upsample ? "floor" : n.attr_s("nearest_mode", "round_prefer_floor");
    QWASM_CHECK(mode_ == "nearest" || mode_ == "linear" || mode_ == "bilinear", n.label(), ": mode '", mode_,
                "' is not supported (nearest, linear)");
    QWASM_CHECK(n.attr_i("antialias", 0) == 0, n.label(), ": antialias is not supported");
    extrapolation_ = n.attr_f("extrapolation_value", 0.0f);
  }

  void compute(OpContext& ctx) override {
    const Tensor& x0 = ctx.in(0);
    Tensor x = widen_half(x0);
    QWASM_CHECK(x.dtype() == DType::Float32, ctx.node().label(), ": float input required");
    const ResizeGeometry g = geometry(ctx, x);
    std::vector<AxisMap> maps(static_cast<size_t>(x.rank()));
    for (size_t d = 0; d < maps.size(); ++d)
      maps[d] = axis_map(x.dim(int64_t(d)), g.out[d], g.scales[d], g.roi_s[d], g.roi_e[d]);
    Tensor y(DType::Float32, g.out);
    resample(x, maps, extrapolation_, y);
    Tensor& yo = ctx.output(0, x0.dtype(), g.out);
    if (is_half(x0.dtype())) narrow_half(y, yo);
    else std::copy_n(y.data<float>(), y.size(), yo.data<float>());
  }

 private:
  // The inputs by opset: Upsample-7 scales attribute, Upsample-9 / Resize-10 (x,
  // scales), Resize-11+ (x, roi, scales, sizes).
  ResizeGeometry geometry(OpContext& ctx, const Tensor& x) const {
    const Node& n = ctx.node();
    const int64_t r = x.rank();
    ResizeGeometry g{x.shape(), std::vector<double>(size_t(r), 1.0), std::vector<double>(size_t(r), 0.0),
                     std::vector<double>(size_t(r), 1.0)};
    std::vector<int64_t> axes = n.attr_ints("axes");
    if (axes.empty()) for (int64_t i = 0; i < r; ++i) axes.push_back(i);
    const Tensor* sc = upsample_ ? (n.opset < 9 ? nullptr : ctx.input(1)) : (n.opset < 11 ? ctx.input(1) : ctx.input(2));
    const Tensor* sz = upsample_ || n.opset < 11 ? nullptr : ctx.input(3);
    const Tensor* roi = upsample_ || n.opset < 11 ? nullptr : ctx.input(1);
    if (sz && sz->size() > 0) geometry_from_sizes(n, x, axes, *sz, g);
    else geometry_from_scales(n, x, axes, sc, g);
    if (roi && roi->size() == int64_t(2 * axes.size())) {
      for (size_t i = 0; i < axes.size(); ++i) {
        const int64_t a = normalize_axis(axes[i], r, n.label());
        g.roi_s[size_t(a)] = roi->get_f64(int64_t(i));
        g.roi_e[size_t(a)] = roi->get_f64(int64_t(i + axes.size()));
      }
    }
    return g;
  }

  // Source indices and weight for each output index along one dim of `in` -> `on`.
  AxisMap axis_map(int64_t in, int64_t on, double scale, double roi_s, double roi_e) const {
    AxisMap m;
    const bool linear = mode_ != "nearest";
    for (int64_t o = 0; o < on; ++o) {
      if (in == on && scale == 1.0 && coord_ != "tf_crop_and_resize") {
        m.i0.push_back(o), m.i1.push_back(o), m.w.push_back(0);
        continue;
      }
      const double s = to_source(coord_, double(o), scale, in, on, roi_s, roi_e);
      if (coord_ == "tf_crop_and_resize" && (s < 0 || s > double(in - 1))) {
        m.i0.push_back(0), m.i1.push_back(-1), m.w.push_back(0);
        continue;
      }
      if (!linear) {
        int64_t k = nearest(nearest_mode_, s);
        k = std::min(std::max<int64_t>(k, 0), in - 1);
        m.i0.push_back(k), m.i1.push_back(k), m.w.push_back(0);
      } else {
        const double c = std::min(std::max(s, 0.0), double(in - 1));
        const int64_t k0 = int64_t(std::floor(c));
        m.i0.push_back(k0), m.i1.push_back(std::min(k0 + 1, in - 1)), m.w.push_back(float(c - double(k0)));
      }
    }
    return m;
  }

  bool upsample_;
  std::string mode_, coord_, nearest_mode_;
  float extrapolation_ = 0;
};

}  // namespace

void register_nn_resize_ops(OpRegistry& r) {
  r.add("", "Resize", 10, [](const BuildContext& bc) { return std::make_unique<Resize>(bc.node, false); });
  r.add("", "Upsample", 7, [](const BuildContext& bc) { return std::make_unique<Resize>(bc.node, true); });
}

}  // namespace qwasm
