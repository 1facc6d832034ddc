// Conv (1-D/2-D/3-D, groups, dilations, pads, auto_pad, bias) via im2col and
// gemm_f32 (ConvTranspose, its adjoint via col2im, is in nn_conv_transpose.cc).
#include <cstring>
#include <vector>

#include "ops/conv_geometry.h"
#include "ops/dtype_switch.h"
#include "ops/gemm_f32.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

// cols[(c*K + k), o] = x[c, in position of output o under kernel offset k] (0 in padding).
void im2col(const float* x, int64_t channels, const ConvGeometry& g, float* cols) {
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

void conv(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x0 = ctx.in(0);
  Tensor x = widen_half(x0), w = widen_half(ctx.in(1));
  QWASM_CHECK(x.dtype() == DType::Float32 && w.dtype() == DType::Float32, n.label(), ": float inputs required");
  QWASM_CHECK(x.rank() >= 3 && w.rank() == x.rank(), n.label(), ": X and W must have the same rank >= 3");
  const int64_t N = x.dim(0), C = x.dim(1), M = w.dim(0), group = n.attr_i("group", 1);
  QWASM_CHECK(group > 0 && C % group == 0 && M % group == 0 && w.dim(1) == C / group, n.label(), ": W shape ",
              shape_str(w.shape()), " does not match ", C, " input channels in ", group, " groups");
  std::vector<int64_t> in(x.shape().begin() + 2, x.shape().end()), ks(w.shape().begin() + 2, w.shape().end());
  if (n.has_attr("kernel_shape")) QWASM_CHECK(n.attr_ints("kernel_shape") == ks, n.label(), ": kernel_shape disagrees with W");
  ConvGeometry g = ConvGeometry::make(n, in, ks);
  Shape out_shape = {N, M};
  out_shape.insert(out_shape.end(), g.out.begin(), g.out.end());
  Tensor y(DType::Float32, out_shape);
  const int64_t cg = C / group, mg = M / group, K = g.kernel_size(), O = g.out_size();
  int64_t in_size = 1;
  for (int64_t d : in) in_size *= d;
  std::vector<float> cols(static_cast<size_t>(cg * K * O));
  Tensor bias = ctx.input(2) ? widen_half(*ctx.input(2)) : Tensor();
  QWASM_CHECK(!bias.defined() || bias.size() == M, n.label(), ": bias must have ", M, " elements");
  for (int64_t b = 0; b < N; ++b)
    for (int64_t gi = 0; gi < group; ++gi) {
      im2col(x.data<float>() + (b * C + gi * cg) * in_size, cg, g, cols.data());
      float* yp = y.data<float>() + (b * M + gi * mg) * O;
      if (bias.defined())
        for (int64_t m = 0; m < mg; ++m) std::fill(yp + m * O, yp + (m + 1) * O, bias.data<float>()[gi * mg + m]);
      gemm_f32(ctx.parallel(), false, false, mg, O, cg * K, 1.0f, w.data<float>() + gi * mg * cg * K, cg * K,
               cols.data(), O, bias.defined() ? 1.0f : 0.0f, yp, O);
    }
  Tensor& out = ctx.output(0, x0.dtype(), out_shape);
  if (is_half(x0.dtype())) narrow_half(y, out);
  else std::memcpy(out.raw(), y.raw(), y.bytes());
}

}  // namespace

void register_nn_conv_ops(OpRegistry& r) { r.add_fn("", "Conv", 1, conv); }

}  // namespace qwasm
