// Integer convolutions over the int32 qgemm (1-D/2-D/3-D, groups, strides,
// dilations, pads, auto_pad):
//  ConvInteger (ai.onnx 10): Y int32 = conv(X - x_zp, W - w_zp); X and W each uint8 or int8.
//  QLinearConv (ai.onnx 10): y = saturate(round((conv(X - x_zp, W - w_zp) + B) * x_scale * w_scale[m] / y_scale) + y_zp)
// x_zp is per tensor, w_zp / w_scale per tensor or per output channel. W rows are
// already K-contiguous panels ([M, C/group * kernel]); X is unfolded into one
// panel row per output position, padding with x_zp so padded taps contribute 0.
// When W is constant it is packed once per group for the dispatched int8 GEMM
// (kernels/): the unfolded X is the kernel's A (x_zp per tensor) and W^T its B
// (w_zp per column); otherwise the portable qgemm runs on prepared panels.
#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>

#include "ops/conv_geometry.h"
#include "ops/dispatch.h"
#include "ops/quant_depthwise.h"
#include "ops/quant_common.h"
#include "ops/quant_gemm.h"
#include "ops/registry.h"
#include "qwasm_kernels.h"

namespace qwasm {
namespace {

// rows[o, c * kk + k] = x[c, input position of output o under kernel tap k], `pad` outside.
void im2row(const uint8_t* x, int64_t channels, const ConvGeometry& g, uint8_t pad, uint8_t* rows) {
  const size_t r = g.in.size();
  const int64_t kk = g.kernel_size(), O = g.out_size(), K = channels * kk;
  int64_t in_size = 1;
  for (int64_t d : g.in) in_size *= d;
  std::vector<int64_t> off(static_cast<size_t>(kk)), oidx(r), kidx(r);
  for (int64_t o = 0; o < O; ++o) {
    int64_t rem = o;
    for (size_t d = r; d-- > 0;) oidx[d] = rem % g.out[d], rem /= g.out[d];
    for (int64_t k = 0; k < kk; ++k) {
      int64_t krem = k, pos = 0, mul = 1;
      for (size_t d = r; d-- > 0;) kidx[d] = krem % g.kernel[d], krem /= g.kernel[d];
      for (size_t d = r; d-- > 0;) {
        const int64_t p = oidx[d] * g.stride[d] - g.pad_lo[d] + kidx[d] * g.dilation[d];
        if (p < 0 || p >= g.in[d]) { pos = -1; break; }
        pos += p * mul;
        mul *= g.in[d];
      }
      off[size_t(k)] = pos;
    }
    uint8_t* row = rows + o * K;
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t k = 0; k < kk; ++k) row[c * kk + k] = off[size_t(k)] < 0 ? pad : x[c * in_size + off[size_t(k)]];
  }
}

struct Slots {
  int x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, bias;
};
constexpr Slots kConvInteger{0, -1, 2, 1, -1, 3, -1, -1, -1};
constexpr Slots kQLinearConv{0, 1, 2, 3, 4, 5, 6, 7, 8};

class IntConv : public OpKernel {
 public:
  IntConv(const BuildContext& bc, bool qlinear) : n_(bc.node), q_(qlinear), s_(qlinear ? kQLinearConv : kConvInteger) {
    group_ = n_.attr_i("group", 1);
    QWASM_CHECK(group_ > 0, n_.label(), ": group must be positive, got ", group_);
    const Tensor* w = bc.const_input(size_t(s_.w));
    const Tensor* wz = bc.const_input(size_t(s_.w_zp));
    if (w && (wz || absent(s_.w_zp))) {
      check_weights(*w, wz);
      w_ = *w;
      panels_ = weight_panels(w_, wz);
      if (w->rank() == 4 && w->dim(1) == 1 && w->dim(0) == group_) {
        // Depthwise: the direct path (quant_depthwise.cc), no GEMM packing needed.
        std::vector<int32_t> z;
        for (int64_t i = 0; wz && i < wz->size(); ++i) z.push_back(byte_at(*wz, i));
        dw_ = depthwise_weights(static_cast<const uint8_t*>(w->raw()), w->dtype() == DType::Int8, group_,
                                w->dim(2) * w->dim(3), z.data(), int64_t(z.size()));
      } else {
        pack_for_kernel(w_, wz);
      }
    }
    if (const Tensor* xz = bc.const_input(size_t(s_.x_zp)))
      QWASM_CHECK(xz->size() == 1 && is_byte(xz->dtype()), n_.label(), ": x_zero_point must be a uint8 or int8 scalar, got ",
                  dtype_name(xz->dtype()), " ", shape_str(xz->shape()));
    if (q_ && w)
      if (const Tensor* ws = bc.const_input(size_t(s_.w_scale))) check_scale("w_scale", *ws, w->dim(0));
    if (q_)
      if (const Tensor* ys = bc.const_input(size_t(s_.y_scale))) check_scale("y_scale", *ys, 1);
  }

  void compute(OpContext& ctx) override {
    const Tensor& x = ctx.in(size_t(s_.x));
    const Tensor& w = ctx.in(size_t(s_.w));
    const Tensor* xz = ctx.input(size_t(s_.x_zp));
    const Tensor* wz = ctx.input(size_t(s_.w_zp));
    QWASM_CHECK(is_byte(x.dtype()), n_.label(), ": x must be uint8 or int8, got ", dtype_name(x.dtype()));
    check_weights(w, wz);
    QWASM_CHECK(x.rank() >= 3 && w.rank() == x.rank(), n_.label(), ": x ", shape_str(x.shape()), " and w ",
                shape_str(w.shape()), " must have the same rank >= 3");
    const int64_t N = x.dim(0), C = x.dim(1), M = w.dim(0);
    QWASM_CHECK(C % group_ == 0 && w.dim(1) == C / group_, n_.label(), ": w shape ", shape_str(w.shape()),
                " does not match ", C, " input channels in ", group_, " groups");
    if (xz)
      QWASM_CHECK(xz->size() == 1 && xz->dtype() == x.dtype(), n_.label(), ": x_zero_point must be a ",
                  dtype_name(x.dtype()), " scalar, got ", dtype_name(xz->dtype()), " ", shape_str(xz->shape()));
    std::vector<int64_t> in(x.shape().begin() + 2, x.shape().end()), ks(w.shape().begin() + 2, w.shape().end());
    if (n_.has_attr("kernel_shape"))
      QWASM_CHECK(n_.attr_ints("kernel_shape") == ks, n_.label(), ": kernel_shape disagrees with w ", shape_str(w.shape()));
    const ConvGeometry g = ConvGeometry::make(n_, in, ks);
    Shape out_shape = {N, M};
    out_shape.insert(out_shape.end(), g.out.begin(), g.out.end());

    std::vector<QPanel> local;
    const std::vector<QPanel>* wp = &panels_;
    if (panels_.empty()) {
      local = weight_panels(w, wz);
      wp = &local;
    }
    const int64_t cg = C / group_, mg = M / group_, kk = g.kernel_size(), O = g.out_size(), K = cg * kk;
    int64_t in_size = 1;
    for (int64_t d : in) in_size *= d;
    const int32_t xzv = xz ? byte_at(*xz, 0) : 0;
    Tensor acc = q_ ? Tensor(DType::Int32, out_shape) : Tensor();
    int32_t* yp = q_ ? acc.data<int32_t>() : ctx.output(0, DType::Int32, out_shape).data<int32_t>();
    const uint8_t* xb = static_cast<const uint8_t*>(x.raw());
    if (dw_.channels == C && M == C && cg == 1 && g.in.size() == 2) {
      for (int64_t b = 0; b < N; ++b) depthwise_conv(xb + b * C * in_size, x.dtype() == DType::Int8, xzv, dw_, g, yp + b * M * O);
      if (q_) requantize_out(ctx, x, M, O, acc, out_shape);
      return;
    }
    std::vector<uint8_t> rows(static_cast<size_t>(O * K));
    if (kernel_ && !kpacked_.empty() && O < (int64_t(1) << 30)) {
      std::vector<int32_t> tmp(static_cast<size_t>(O * mg));
      kernels::GemmI8Args ga;
      ga.M = int(O), ga.A = rows.data(), ga.lda = K, ga.a_signed = x.dtype() == DType::Int8, ga.za = xzv;
      ga.C = tmp.data(), ga.ldc = mg;
      for (int64_t b = 0; b < N; ++b)
        for (int64_t gi = 0; gi < group_; ++gi) {
          im2row(xb + (b * C + gi * cg) * in_size, cg, g, uint8_t(xzv), rows.data());
          ga.packed_b = kpacked_[size_t(gi)]->data;
          if (O > 0) kernel_->run(ga);
          int32_t* yg = yp + (b * M + gi * mg) * O;  // C is [O, mg]: transpose into [mg, O]
          for (int64_t o = 0; o < O; ++o)
            for (int64_t m = 0; m < mg; ++m) yg[m * O + o] = tmp[size_t(o * mg + m)];
        }
      if (q_) requantize_out(ctx, x, M, O, acc, out_shape);
      return;
    }
    for (int64_t b = 0; b < N; ++b)
      for (int64_t gi = 0; gi < group_; ++gi) {
        im2row(xb + (b * C + gi * cg) * in_size, cg, g, uint8_t(xzv), rows.data());
        QPanel xp = QPanel::view(rows.data(), x.dtype() == DType::Int8, O, K);
        if (xzv) xp.zp.assign(size_t(O), xzv);
        xp.finish();
        qgemm((*wp)[size_t(gi)], xp, yp + (b * M + gi * mg) * O, O);
      }
    if (q_) requantize_out(ctx, x, M, O, acc, out_shape);
  }

 private:
  bool absent(int i) const { return i >= int(n_.inputs.size()) || n_.inputs[size_t(i)].empty(); }

  void check_weights(const Tensor& w, const Tensor* wz) const {
    QWASM_CHECK(is_byte(w.dtype()), n_.label(), ": w must be uint8 or int8, got ", dtype_name(w.dtype()));
    QWASM_CHECK(w.rank() >= 3, n_.label(), ": w must have rank >= 3, got ", shape_str(w.shape()));
    QWASM_CHECK(w.dim(0) % group_ == 0, n_.label(), ": ", w.dim(0), " output channels do not divide into ", group_,
                " groups");
    if (wz) {
      QWASM_CHECK(wz->dtype() == w.dtype(), n_.label(), ": w_zero_point has type ", dtype_name(wz->dtype()),
                  ", expected ", dtype_name(w.dtype()), " (the type of w)");
      QWASM_CHECK(scalar_or_len(*wz, w.dim(0)), n_.label(), ": w_zero_point has shape ", shape_str(wz->shape()),
                  ", expected a scalar or one per output channel (", w.dim(0), ")");
    }
  }

  void check_scale(const char* name, const Tensor& t, int64_t n) const {
    QWASM_CHECK(t.dtype() == DType::Float32 || is_half(t.dtype()), n_.label(), ": ", name, " must be float, got ",
                dtype_name(t.dtype()));
    QWASM_CHECK(n == 1 ? t.size() == 1 : scalar_or_len(t, n), n_.label(), ": ", name, " has shape ", shape_str(t.shape()),
                n == 1 ? ", expected a scalar" : ", expected a scalar or one per output channel (",
                n == 1 ? "" : std::to_string(n) + ")");
  }

  // One panel per group: rows = that group's output channels, K = C/group * kernel taps.
  std::vector<QPanel> weight_panels(const Tensor& w, const Tensor* wz) const {
    const int64_t M = w.dim(0), mg = M / group_, K = M ? w.size() / M : 0;
    std::vector<QPanel> out;
    for (int64_t gi = 0; gi < group_; ++gi) {
      QPanel p = QPanel::view(static_cast<const uint8_t*>(w.raw()) + gi * mg * K, w.dtype() == DType::Int8, mg, K);
      if (wz) {
        p.zp.resize(size_t(mg));
        for (int64_t m = 0; m < mg; ++m) p.zp[size_t(m)] = byte_at(*wz, wz->size() == 1 ? 0 : gi * mg + m);
      }
      p.finish();
      out.push_back(std::move(p));
    }
    return out;
  }

  // W [M, C/group, k...] per group as the kernel's B: element (k, n) = W[gi*mg + n, k].
  void pack_for_kernel(const Tensor& w, const Tensor* wz) {
    const int64_t M = w.dim(0), mg = M / group_, K = M ? w.size() / M : 0;
    if (mg == 0 || K == 0 || K >= (int64_t(1) << 30) || mg >= (int64_t(1) << 30)) return;
    const uint8_t* base = static_cast<const uint8_t*>(w.raw());
    std::vector<std::vector<int32_t>> zps(static_cast<size_t>(group_));
    std::vector<kernels::GemmI8PackArgs> args(static_cast<size_t>(group_));
    bool fits7 = true;
    for (int64_t gi = 0; gi < group_; ++gi) {
      kernels::GemmI8PackArgs& pa = args[size_t(gi)];
      pa.K = int(K), pa.N = int(mg), pa.B = base + gi * mg * K, pa.stride_k = 1, pa.stride_n = K;
      pa.b_signed = w.dtype() == DType::Int8;
      if (wz) {
        for (int64_t m = 0; m < (wz->size() == 1 ? 1 : mg); ++m)
          zps[size_t(gi)].push_back(byte_at(*wz, wz->size() == 1 ? 0 : gi * mg + m));
        pa.zb = zps[size_t(gi)].data();
        pa.zb_per_column = wz->size() > 1;
      }
      fits7 = fits7 && kernels::b_fits_7bit(pa);
    }
    kernel_ = &kernels::best_gemm_i8(fits7);
    for (const auto& pa : args) {
      auto buf = heap_buffer(kernel_->packed_size(pa.K, pa.N), false);
      kernel_->pack_b(pa, buf->data);
      kpacked_.push_back(std::move(buf));
    }
  }

  void requantize_out(OpContext& ctx, const Tensor& x, int64_t M, int64_t O, const Tensor& acc, const Shape& shape) {
    const Tensor xs = widen_half(ctx.in(size_t(s_.x_scale))), ws = widen_half(ctx.in(size_t(s_.w_scale))),
                 ys = widen_half(ctx.in(size_t(s_.y_scale)));
    check_scale("x_scale", xs, 1);
    check_scale("w_scale", ws, M);
    check_scale("y_scale", ys, 1);
    const Tensor* zy = ctx.input(size_t(s_.y_zp));
    const DType yt = zy ? zy->dtype() : x.dtype();
    QWASM_CHECK(is_byte(yt) && (!zy || zy->size() == 1), n_.label(), ": y_zero_point must be a uint8 or int8 scalar");
    const Tensor* bias = ctx.input(size_t(s_.bias));
    QWASM_CHECK(!bias || (bias->dtype() == DType::Int32 && bias->size() == M), n_.label(),
                ": B (bias) must be int32 with one value per output channel (", M, ")");
    QRange r = qrange(yt, n_.label());
    // Set by the QDQ pass when it folds a Relu / Clip into the output quantization.
    r.lo = std::max<int32_t>(r.lo, int32_t(n_.attr_i("qwasm_act_lo", r.lo)));
    r.hi = std::min<int32_t>(r.hi, int32_t(n_.attr_i("qwasm_act_hi", r.hi)));
    const int32_t y_zp = zy ? byte_at(*zy, 0) : 0;
    std::vector<float> mult(static_cast<size_t>(M));
    for (int64_t m = 0; m < M; ++m)
      mult[size_t(m)] = xs.data<float>()[0] * ws.data<float>()[ws.size() == 1 ? 0 : m] / ys.data<float>()[0];
    Tensor& y = ctx.output(0, yt, shape);
    const int32_t* c = acc.data<int32_t>();
    uint8_t* out = static_cast<uint8_t*>(y.raw());
    for (int64_t row = 0; row * O < acc.size(); ++row) {
      const int64_t m = row % M;
      requantize_row(c + row * O, O, bias ? bias->data<int32_t>()[m] : 0, mult[size_t(m)], y_zp, r, out + row * O);
    }
  }

  // requantize() (quant_common.h) over one output channel, in a form compilers
  // vectorize (no float compares: those keep NaN semantics and stay scalar):
  //  - accumulators are first clamped, in int32, to [v_lo, v_hi], the nearest values
  //    past which the output saturates anyway, so the product below stays small;
  //  - adding and subtracting 1.5 * 2^52 rounds a small double to the nearest
  //    integer, ties to even, exactly as nearbyint does in the default rounding mode;
  //  - the final clamp is an int32 min/max.
  static void requantize_row(const int32_t* c, int64_t n, int32_t bias, float mult, int32_t zp, QRange r, uint8_t* out) {
    const double m = mult, k = 6755399441055744.0, z = zp;
    const int64_t lim = int64_t(1) << 33;
    if (!(m > 0 && m < 1e6)) {  // odd scales: the plain formula (products could be huge)
      for (int64_t i = 0; i < n; ++i) out[i] = uint8_t(requantize(c[i] + bias, mult, zp, r.lo, r.hi));
      return;
    }
    // Smallest v whose product reaches `t` (first v above when `above`, else the last below).
    auto edge = [&](double t, bool above) -> int64_t {
      if (!(m > 0)) return above ? lim : -lim;
      const double g = t / m;
      if (g > double(lim)) return lim;
      if (g < -double(lim)) return -lim;
      int64_t v = int64_t(g);
      if (above) {
        while (double(v) * m < t) ++v;
        while (double(v - 1) * m >= t) --v;
      } else {
        while (double(v) * m > t) --v;
        while (double(v + 1) * m <= t) ++v;
      }
      return v;
    };
    // At v_hi the product is >= hi - zp + 1: rounds to >= hi + 1 - zp, saturating at hi
    // like every larger v; likewise v_lo at lo.
    const int64_t v_hi = edge(double(r.hi) - z + 1.0, true), v_lo = edge(double(r.lo) - z - 1.0, false);
    auto to_i32 = [](int64_t v) { return int32_t(std::min<int64_t>(INT32_MAX, std::max<int64_t>(INT32_MIN, v))); };
    const int32_t c_lo = to_i32(v_lo - bias), c_hi = to_i32(v_hi - bias), lo = r.lo, hi = r.hi;
    const double b = bias;
    for (int64_t i = 0; i < n; ++i) {
      const int32_t a = std::min(c_hi, std::max(c_lo, c[i]));
      // Two statements: the product must round before k is added (clang contracts
      // a * m + k into one fused multiply-add only within an expression).
      const double p = (double(a) + b) * m;
      const int32_t q = int32_t((p + k) - k) + zp;
      out[i] = uint8_t(std::min(hi, std::max(lo, q)));  // int8 outputs: the two's complement byte
    }
  }

  const Node& n_;
  bool q_;
  Slots s_;
  int64_t group_ = 1;
  Tensor w_;                    // keeps a constant W's buffer alive for panels_
  std::vector<QPanel> panels_;  // prepared weight panels (constant W), else empty
  DepthwiseWeights dw_;         // constant depthwise W (channels == 0 otherwise)
  const kernels::GemmI8Kernel* kernel_ = nullptr;
  std::vector<std::shared_ptr<Buffer>> kpacked_;  // W per group in kernel_'s layout (constant W)
};

}  // namespace

void register_quant_conv_integer_ops(OpRegistry& r) {
  r.add("", "ConvInteger", 10, [](const BuildContext& bc) { return std::make_unique<IntConv>(bc, false); });
  r.add("", "QLinearConv", 10, [](const BuildContext& bc) { return std::make_unique<IntConv>(bc, true); });
}

}  // namespace qwasm
