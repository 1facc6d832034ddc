// Conv (1-D/2-D/3-D, groups, dilations, pads, auto_pad, bias). 1-D and 2-D go to the
// shape-class kernels of ops/conv_f32.h (depthwise direct, 1x1 GEMM, tiled im2col
// GEMM); 3-D keeps a plain im2col into gemm_f32. The epilogue a graph pass folded in
// (ops/conv_epilogue.h: residual Add, activation) is applied while the output is hot.
// ConvTranspose, the adjoint via col2im, is in nn_conv_transpose.cc.
#include <algorithm>
#include <cstring>
#include <vector>

#include "ops/broadcast.h"
#include "ops/conv_epilogue.h"
#include "ops/conv_f32.h"
#include "ops/conv_geometry.h"
#include "ops/dtype_switch.h"
#include "ops/gemm_f32.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

// cols[(c*K + k), o] = x[c, in position of output o under kernel offset k] (0 in padding).
// The N-D fallback (3-D convs); 1-D / 2-D use conv2d_f32.
void im2col_nd(const float* x, int64_t channels, const ConvGeometry& g, float* cols) {
  const size_t r = g.in.size();
  const int64_t K = g.kernel_size(), O = g.out_size();
  std::vector<int64_t> kidx(r), oidx(r);
  int64_t in_size = 1;
  for (int64_t d : g.in) in_size *= d;
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t k = 0; k < K; ++k) {
      int64_t rem = k;
      for (size_t d = r; d-- > 0;) kidx[d] = rem % g.kernel[d], rem /= g.kernel[d];
      float* row = cols + (c * K + k) * O;
      for (int64_t o = 0; o < O; ++o) {
        int64_t orem = o, off = 0, mul = 1;
        bool inside = true;
        for (size_t d = r; d-- > 0;) {
          oidx[d] = orem % g.out[d], orem /= g.out[d];
          const int64_t p = oidx[d] * g.stride[d] - g.pad_lo[d] + kidx[d] * g.dilation[d];
          if (p < 0 || p >= g.in[d]) { inside = false; break; }
          off += p * mul;
          mul *= g.in[d];
        }
        row[o] = inside ? x[c * in_size + off] : 0.0f;
      }
    }
}

void conv_nd(Parallel& par, const ConvGeometry& g, int64_t C, int64_t M, int64_t group, const float* x,
             const float* w, const float* bias, const float* res, const ConvEpilogue& ep, float* y) {
  const int64_t cg = C / group, mg = M / group, K = g.kernel_size(), O = g.out_size();
  int64_t in_size = 1;
  for (int64_t d : g.in) in_size *= d;
  std::vector<float> cols(static_cast<size_t>(cg * K * O));
  for (int64_t gi = 0; gi < group; ++gi) {
    im2col_nd(x + gi * cg * in_size, cg, g, cols.data());
    gemm_f32(par, false, false, mg, O, cg * K, 1.0f, w + gi * mg * cg * K, cg * K, cols.data(), O, 0.0f,
             y + gi * mg * O, O);
  }
  for (int64_t m = 0; m < M; ++m) ep.apply(y + m * O, O, bias ? bias[m] : 0.0f, res ? res + m * O : nullptr);
}

Conv2D conv2d_of(const ConvGeometry& g, int64_t C, int64_t M, int64_t group) {
  Conv2D s;
  const bool one_d = g.in.size() == 1;
  const size_t h = 0, w = one_d ? 0 : 1;
  s.C = C, s.M = M, s.group = group;
  s.H = one_d ? 1 : g.in[h], s.W = g.in[w];
  s.OH = one_d ? 1 : g.out[h], s.OW = g.out[w];
  s.KH = one_d ? 1 : g.kernel[h], s.KW = g.kernel[w];
  s.SH = one_d ? 1 : g.stride[h], s.SW = g.stride[w];
  s.DH = one_d ? 1 : g.dilation[h], s.DW = g.dilation[w];
  s.PT = one_d ? 0 : g.pad_lo[h], s.PL = g.pad_lo[w];
  return s;
}

// A constant float32 W of a 1-D / 2-D Conv that goes through the GEMM, prepared once at
// model load (ops/conv_f32.h ConvWeights): packed for the GEMM kernel, which on every call
// cost about as much as the product for few output positions (openWakeWord's STFT Convs,
// PP-OCR's 1x1 Convs over 5x7 maps), and without its all-zero taps. Empty where it does
// not apply.
ConvWeights conv_weights(const BuildContext& bc) {
  const Tensor* w = bc.const_input(1);
  const int64_t group = bc.node.attr_i("group", 1);
  if (!w || w->dtype() != DType::Float32 || (w->rank() != 3 && w->rank() != 4) || group < 1 || w->dim(0) % group != 0)
    return {};
  Conv2D s;
  s.group = group, s.M = w->dim(0), s.C = w->dim(1) * group;
  s.KH = w->rank() == 4 ? w->dim(2) : 1, s.KW = w->dim(w->rank() - 1);
  // pointwise() also asks for stride 1 and no padding: read them, so a strided 1x1 conv
  // (im2col) may drop zero taps and a plain one is packed per group.
  const std::vector<int64_t> st = bc.node.attr_ints("strides"), pads = bc.node.attr_ints("pads");
  const bool unit = std::all_of(st.begin(), st.end(), [](int64_t v) { return v == 1; }) &&
                    std::all_of(pads.begin(), pads.end(), [](int64_t v) { return v == 0; }) &&
                    bc.node.attr_s("auto_pad", "NOTSET") == "NOTSET";
  if (!unit) s.SW = 2;  // any stride other than 1: not pointwise
  s.H = s.OH = s.W = s.OW = 1;
  return prepare_conv_weights(s, w->data<float>());
}

// What a Conv node's attributes give, read once when its kernel is built (a small Conv
// spent about as long reading them by name on every call as computing), and the geometry
// of the last input and kernel shape seen (the same shapes on every run of most models).
struct ConvState {
  int64_t group = 1;
  bool has_kernel_shape = false;
  std::vector<int64_t> kernel_shape;
  ConvEpilogue ep;
  std::vector<int64_t> last_in, last_ks;
  ConvGeometry last_g;
  bool have_g = false;

  explicit ConvState(const Node& n)
      : group(n.attr_i("group", 1)), has_kernel_shape(n.has_attr("kernel_shape")), ep(ConvEpilogue::of(n)) {
    if (has_kernel_shape) kernel_shape = n.attr_ints("kernel_shape");
  }
  const ConvGeometry& geometry(const Node& n, const std::vector<int64_t>& in, const std::vector<int64_t>& ks) {
    if (!have_g || in != last_in || ks != last_ks) {
      last_g = ConvGeometry::make(n, in, ks);
      last_in = in, last_ks = ks, have_g = true;
    }
    return last_g;
  }
};

void conv(OpContext& ctx, const ConvWeights& cw, ConvState& st) {
  const Node& n = ctx.node();
  const Tensor& x0 = ctx.in(0);
  Tensor x = widen_half(x0), w = widen_half(ctx.in(1));
  QWASM_CHECK(x.dtype() == DType::Float32 && w.dtype() == DType::Float32, n.label(), ": float inputs required");
  QWASM_CHECK(x.rank() >= 3 && w.rank() == x.rank(), n.label(), ": X and W must have the same rank >= 3");
  const int64_t N = x.dim(0), C = x.dim(1), M = w.dim(0), group = st.group;
  QWASM_CHECK(group > 0 && C % group == 0 && M % group == 0 && w.dim(1) == C / group, n.label(), ": W shape ",
              shape_str(w.shape()), " does not match ", C, " input channels in ", group, " groups");
  std::vector<int64_t> in(x.shape().begin() + 2, x.shape().end()), ks(w.shape().begin() + 2, w.shape().end());
  if (st.has_kernel_shape) QWASM_CHECK(st.kernel_shape == ks, n.label(), ": kernel_shape disagrees with W");
  const ConvGeometry& g = st.geometry(n, in, ks);
  Shape out_shape = {N, M};
  out_shape.insert(out_shape.end(), g.out.begin(), g.out.end());
  Tensor bias = ctx.input(2) ? widen_half(*ctx.input(2)) : Tensor();
  QWASM_CHECK(!bias.defined() || (bias.dtype() == DType::Float32 && bias.size() == M), n.label(), ": bias must have ",
              M, " elements");
  const ConvEpilogue& ep = st.ep;
  Tensor res;
  if (ep.residual) {
    QWASM_CHECK(ctx.input(3), n.label(), ": the fused residual input is missing");
    res = widen_half(*ctx.input(3));
    QWASM_CHECK(res.dtype() == DType::Float32, n.label(), ": the fused residual must be float");
  }
  // A residual of another shape (the Add broadcast it): the conv first, then the Add
  // with broadcasting and the activation over the Add's shape.
  const bool res_inline = res.defined() && res.shape() == out_shape;
  const ConvEpilogue first = res.defined() && !res_inline ? ep.bias_only() : ep;
  const Shape final_shape = res.defined() && !res_inline ? broadcast_shapes(out_shape, res.shape(), n.label()) : out_shape;
  // Float32 without a broadcast residual: computed straight into the output.
  const bool direct = !is_half(x0.dtype()) && (!res.defined() || res_inline);
  Tensor y = direct ? Tensor() : Tensor(DType::Float32, out_shape);
  float* yp = direct ? ctx.output(0, DType::Float32, out_shape).data<float>() : y.data<float>();
  const int64_t O = g.out_size();
  int64_t in_size = 1;
  for (int64_t d : in) in_size *= d;
  const float* bp = bias.defined() ? bias.data<float>() : nullptr;
  for (int64_t b = 0; b < N; ++b) {
    const float* xb = x.data<float>() + b * C * in_size;
    const float* rb = res_inline ? res.data<float>() + b * M * O : nullptr;
    float* yb = yp + b * M * O;
    // cw was made from this W (a constant), for this node's groups and kernel.
    const bool prepared = !cw.packed.empty() || !cw.slot.empty();
    if (g.in.size() <= 2)
      conv2d_f32(ctx.parallel(), conv2d_of(g, C, M, group), xb, w.data<float>(), prepared ? &cw : nullptr, bp, rb,
                 first, yb);
    else conv_nd(ctx.parallel(), g, C, M, group, xb, w.data<float>(), bp, rb, first, yb);
  }
  if (direct) return;
  if (res.defined() && !res_inline) {
    Tensor sum(DType::Float32, final_shape);
    broadcast_binary(y.data<float>(), out_shape, res.data<float>(), res.shape(), sum.data<float>(), final_shape,
                     [](float a, float r) { return a + r; });
    ep.activate(sum.data<float>(), sum.size());
    y = sum;
  }
  Tensor& out = ctx.output(0, x0.dtype(), final_shape);
  if (is_half(x0.dtype())) narrow_half(y, out);
  else std::memcpy(out.raw(), y.raw(), y.bytes());
}

class ConvKernel : public OpKernel {
 public:
  ConvKernel(const Node& n, ConvWeights cw) : cw_(std::move(cw)), st_(n) {}
  void compute(OpContext& ctx) override { conv(ctx, cw_, st_); }

 private:
  ConvWeights cw_;  // empty: W packed on each call, every tap
  ConvState st_;
};

}  // namespace

void register_nn_conv_ops(OpRegistry& r) {
  r.add("", "Conv", 1, [](const BuildContext& bc) { return std::make_unique<ConvKernel>(bc.node, conv_weights(bc)); });
}

}  // namespace qwasm
