// com.microsoft QLinearGlobalAveragePool and QLinearAveragePool.
//
// QLinearGlobalAveragePool (X, x_scale, x_zero_point, y_scale, y_zero_point),
// per-tensor parameters, attribute channels_last (0: X is [N, C, d1..dk], Y [N, C, 1..1];
// 1: X is [N, d1..dk, C], Y [N, 1..1, C]). Y has X's type. As onnxruntime computes it:
// the integer sum over the image, less zx * image_size, times the float multiplier
// sx / (sy * image_size), rounded half to even, plus zy, saturated.
//
// QLinearAveragePool (same inputs), attributes kernel_shape, strides, pads, auto_pad,
// ceil_mode, count_include_pad, channels_last; no dilations. As onnxruntime computes it:
// each x is dequantized to float, (x - zx) * sx; a window [o*stride - pad, +kernel) clipped
// to the image is summed in row-major order and divided by its element count (the whole
// kernel's when count_include_pad, even past the padding); then
// y = saturate(round_half_even(avg / sy + zy)).
#include <cmath>
#include <memory>
#include <vector>

#include "ops/conv_geometry.h"
#include "ops/quant_qlinear_params.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

enum In { kX, kXScale, kXZp, kYScale, kYZp };

// The X / Y parameters both pools read per run, checked naming the node.
struct PoolParams {
  DType t;
  float sx, sy;
  int32_t zx, zy;
  QRange r;
};
PoolParams pool_params(OpContext& ctx, const Node& n) {
  const Tensor& x = ctx.in(kX);
  PoolParams p;
  p.t = x.dtype();
  QWASM_CHECK(is_byte(p.t), n.label(), ": X must be uint8 or int8, got ", dtype_name(p.t));
  QWASM_CHECK(x.rank() >= 3, n.label(), ": X must have rank 3 or more, got ", shape_str(x.shape()));
  p.sx = qlinear_scale(ctx.in(kXScale), n, "x_scale");
  p.sy = qlinear_scale(ctx.in(kYScale), n, "y_scale");
  p.zx = qlinear_zero_point(ctx.input(kXZp), p.t, n, "x_zero_point");
  p.zy = qlinear_zero_point(ctx.input(kYZp), p.t, n, "y_zero_point");
  p.r = qrange(p.t, n.label());
  return p;
}

// The attribute both pools take, checked, and their constant scales checked at build time.
int64_t channels_last_checked(const BuildContext& bc) {
  const Node& n = bc.node;
  const int64_t channels_last = n.attr_i("channels_last", 0);
  QWASM_CHECK(channels_last == 0 || channels_last == 1, n.label(), ": channels_last must be 0 or 1, got ",
              channels_last);
  if (const Tensor* s = bc.const_input(kXScale)) qlinear_scale(*s, n, "x_scale");
  if (const Tensor* s = bc.const_input(kYScale)) qlinear_scale(*s, n, "y_scale");
  return channels_last;
}

class QLinearGlobalAveragePool : public OpKernel {
 public:
  explicit QLinearGlobalAveragePool(const BuildContext& bc) : n_(bc.node), channels_last_(channels_last_checked(bc)) {}

  void compute(OpContext& ctx) override {
    const Tensor& x = ctx.in(kX);
    const PoolParams pp = pool_params(ctx, n_);
    const DType t = pp.t;
    const float sx = pp.sx, sy = pp.sy;
    const int32_t zx = pp.zx, zy = pp.zy;
    const QRange r = pp.r;

    const Shape& xs = x.shape();
    const size_t rank = xs.size();
    const int64_t n = xs[0], c = channels_last_ ? xs[rank - 1] : xs[1];
    int64_t image = 1;
    for (size_t i = channels_last_ ? 1 : 2; i < (channels_last_ ? rank - 1 : rank); ++i) image *= xs[i];
    QWASM_CHECK(image > 0 && image <= (int64_t(1) << 23), n_.label(), ": image size ", image,
                " must be between 1 and 2^23 (an int32 sum of bytes)");
    Shape ys(rank, 1);
    ys[0] = n;
    ys[channels_last_ ? rank - 1 : 1] = c;
    Tensor& y = ctx.output(0, t, ys);

    const float mult = sx / (sy * float(image));
    const int32_t bias = -zx * int32_t(image);
    const bool s8 = t == DType::Int8;
    const uint8_t* xp = static_cast<const uint8_t*>(x.raw());
    uint8_t* yp = static_cast<uint8_t*>(y.raw());
    auto value = [s8](uint8_t b) { return s8 ? int32_t(int8_t(b)) : int32_t(b); };
    auto out = [&](int32_t sum) {
      const float q = std::nearbyint(float(sum + bias) * mult) + float(zy);
      return byte_of(q <= float(r.lo) ? r.lo : q >= float(r.hi) ? r.hi : int32_t(q));
    };
    for (int64_t b = 0; b < n; ++b) {
      const uint8_t* img = xp + b * c * image;
      for (int64_t ch = 0; ch < c; ++ch) {
        int32_t sum = 0;
        if (channels_last_)
          for (int64_t i = 0; i < image; ++i) sum += value(img[i * c + ch]);
        else
          for (int64_t i = 0; i < image; ++i) sum += value(img[ch * image + i]);
        yp[b * c + ch] = out(sum);
      }
    }
  }

 private:
  const Node& n_;
  int64_t channels_last_;
};

class QLinearAveragePool : public OpKernel {
 public:
  explicit QLinearAveragePool(const BuildContext& bc)
      : n_(bc.node),
        channels_last_(channels_last_checked(bc)),
        include_pad_(bc.node.attr_i("count_include_pad", 0) != 0) {
    for (int64_t d : n_.attr_ints("dilations", {}))
      QWASM_CHECK(d == 1, n_.label(), ": dilations are not supported (onnxruntime ignores them), got ", d);
  }

  void compute(OpContext& ctx) override {
    const Tensor& x = ctx.in(kX);
    const PoolParams pp = pool_params(ctx, n_);
    const DType t = pp.t;
    const float sx = pp.sx, sy = pp.sy, zy = float(pp.zy);
    const int32_t zx = pp.zx;
    const QRange r = pp.r;

    const Shape& xs = x.shape();
    const size_t rank = xs.size(), sr = rank - 2;
    const int64_t n = xs[0], c = channels_last_ ? xs[rank - 1] : xs[1];
    const std::vector<int64_t> in(xs.begin() + (channels_last_ ? 1 : 2), xs.end() - (channels_last_ ? 1 : 0));
    const std::vector<int64_t> kernel = n_.attr_ints("kernel_shape");
    QWASM_CHECK(kernel.size() == sr, n_.label(), ": kernel_shape has ", kernel.size(), " dims, X has ", sr,
                " spatial dims");
    const ConvGeometry g = ConvGeometry::make(n_, in, kernel, n_.attr_i("ceil_mode", 0) != 0);
    Shape ys = {n};
    if (!channels_last_) ys.push_back(c);
    ys.insert(ys.end(), g.out.begin(), g.out.end());
    if (channels_last_) ys.push_back(c);
    Tensor& y = ctx.output(0, t, ys);

    float deq[256];
    for (int v = 0; v < 256; ++v) deq[v] = sx * float(byte_value(t, v) - zx);
    const int64_t in_size = [&] { int64_t p = 1; for (int64_t d : in) p *= d; return p; }();
    const int64_t out_size = g.out_size(), kernel_size = g.kernel_size();
    // Element strides: a spatial step moves `step` bytes, a channel `cstep`.
    const int64_t step = channels_last_ ? c : 1, cstep = channels_last_ ? 1 : in_size;
    const uint8_t* xp = static_cast<const uint8_t*>(x.raw());
    uint8_t* yp = static_cast<uint8_t*>(y.raw());
    std::vector<int64_t> oi(sr), lo(sr), hi(sr), pos(sr), dim_stride(sr);
    for (size_t d = sr; d-- > 0;) dim_stride[d] = d + 1 == sr ? step : dim_stride[d + 1] * in[d + 1];
    for (int64_t b = 0; b < n; ++b) {
      for (int64_t o = 0; o < out_size; ++o) {
        int64_t rem = o, count = 1;
        bool empty = false;
        for (size_t d = sr; d-- > 0;) {
          oi[d] = rem % g.out[d], rem /= g.out[d];
          const int64_t start = oi[d] * g.stride[d] - g.pad_lo[d];
          lo[d] = std::max<int64_t>(start, 0);
          hi[d] = std::min(start + g.kernel[d], in[d]);
          if (hi[d] <= lo[d]) empty = true;
          count *= hi[d] - lo[d];
        }
        if (include_pad_) count = kernel_size;
        for (int64_t ch = 0; ch < c; ++ch) {
          const uint8_t* img = xp + b * c * in_size + ch * cstep;
          float sum = 0.f;
          if (!empty) {
            pos = lo;
            for (;;) {  // row-major over the clipped window
              int64_t off = 0;
              for (size_t d = 0; d < sr; ++d) off += pos[d] * dim_stride[d];
              sum += deq[img[off]];
              size_t d = sr;
              while (d-- > 0 && ++pos[d] == hi[d]) pos[d] = lo[d];
              if (d == size_t(-1)) break;
            }
          }
          const float avg = sum / float(count);
          const float q = std::nearbyint(avg / sy + zy);
          const int64_t yi = channels_last_ ? (b * out_size + o) * c + ch : (b * c + ch) * out_size + o;
          yp[yi] = byte_of(std::isnan(q) ? r.lo : q <= float(r.lo) ? r.lo : q >= float(r.hi) ? r.hi : int32_t(q));
        }
      }
    }
  }

 private:
  const Node& n_;
  int64_t channels_last_;
  bool include_pad_;
};

}  // namespace

void register_quant_qlinear_pool_ops(OpRegistry& r) {
  r.add("com.microsoft", "QLinearGlobalAveragePool", 1,
        [](const BuildContext& bc) { return std::make_unique<QLinearGlobalAveragePool>(bc); });
  r.add("com.microsoft", "QLinearAveragePool", 1,
        [](const BuildContext& bc) { return std::make_unique<QLinearAveragePool>(bc); });
}

}  // namespace qwasm
