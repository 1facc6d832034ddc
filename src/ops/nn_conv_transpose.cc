// ConvTranspose (1-D/2-D/3-D, groups, dilations, pads, output_padding, output_shape,
// auto_pad, bias): per group, cols = W^T * X through gemm_f32, then col2im scatters
// each column back onto the output grid (the adjoint of Conv's im2col).
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "ops/gemm_f32.h"
#include "ops/half_via_float.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

struct TransposeGeometry {
  std::vector<int64_t> in, kernel, stride, dilation, pad_lo, out;
  int64_t in_size = 1, out_size = 1, kernel_size = 1;
};

int64_t floor_half(int64_t v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); }

// Output sizes and begin pads as the ONNX spec defines them: output_shape (when given)
// or auto_pad SAME_* fix the output and the pads follow; otherwise the pads fix the output.
TransposeGeometry make_geometry(const Node& n, const std::vector<int64_t>& in, const std::vector<int64_t>& kernel) {
  const size_t r = in.size();
  TransposeGeometry g;
  g.in = in;
  g.kernel = kernel;
  g.stride = n.attr_ints("strides", std::vector<int64_t>(r, 1));
  g.dilation = n.attr_ints("dilations", std::vector<int64_t>(r, 1));
  std::vector<int64_t> pads = n.attr_ints("pads", std::vector<int64_t>(2 * r, 0));
  std::vector<int64_t> out_pad = n.attr_ints("output_padding", std::vector<int64_t>(r, 0));
  std::vector<int64_t> out_shape = n.attr_ints("output_shape");
  if (out_shape.size() == r + 2) out_shape.erase(out_shape.begin(), out_shape.begin() + 2);
  QWASM_CHECK(g.stride.size() == r && g.dilation.size() == r && pads.size() == 2 * r && out_pad.size() == r &&
                  (out_shape.empty() || out_shape.size() == r),
              n.label(), ": strides/dilations/pads/output_padding/output_shape do not match ", r, " spatial dims");
  const std::string auto_pad = n.attr_s("auto_pad", "NOTSET");
  QWASM_CHECK(auto_pad == "NOTSET" || auto_pad == "VALID" || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER",
              n.label(), ": unknown auto_pad '", auto_pad, "'");
  const bool same = auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER";
  for (size_t i = 0; i < r; ++i) {
    QWASM_CHECK(g.stride[i] > 0 && g.dilation[i] > 0 && kernel[i] > 0 && out_pad[i] >= 0, n.label(),
                ": invalid kernel/stride/dilation/output_padding");
    const int64_t full = g.stride[i] * (in[i] - 1) + out_pad[i] + (kernel[i] - 1) * g.dilation[i] + 1;
    int64_t o;
    if (!out_shape.empty() || same) {
      o = out_shape.empty() ? in[i] * g.stride[i] : out_shape[i];
      const int64_t total = full - o;
      g.pad_lo.push_back(auto_pad == "SAME_UPPER" ? floor_half(total) : total - floor_half(total));
    } else {
      const bool valid = auto_pad == "VALID";
      g.pad_lo.push_back(valid ? 0 : pads[i]);
      o = full - (valid ? 0 : pads[i] + pads[i + r]);
    }
    QWASM_CHECK(o > 0, n.label(), ": output size ", o, " along spatial dim ", i, " is not positive");
    g.out.push_back(o);
    g.in_size *= in[i];
    g.out_size *= o;
    g.kernel_size *= kernel[i];
  }
  return g;
}

// y[m, p] += cols[(m*K + k), i] where p = i*stride - pad + k*dilation lies inside the output.
void col2im(const float* cols, int64_t channels, const TransposeGeometry& g, float* y) {
  const size_t r = g.in.size();
  const int64_t K = g.kernel_size, I = g.in_size;
  std::vector<int64_t> kidx(r), iidx(r);
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t k = 0; k < K; ++k) {
      int64_t rem = k;
      for (size_t d = r; d-- > 0;) kidx[d] = rem % g.kernel[d], rem /= g.kernel[d];
      const float* row = cols + (c * K + k) * I;
      for (int64_t i = 0; i < I; ++i) {
        int64_t irem = i, off = 0, mul = 1;
        bool inside = true;
        for (size_t d = r; d-- > 0;) {
          iidx[d] = irem % g.in[d], irem /= g.in[d];
          const int64_t p = iidx[d] * g.stride[d] - g.pad_lo[d] + kidx[d] * g.dilation[d];
          if (p < 0 || p >= g.out[d]) { inside = false; break; }
          off += p * mul;
          mul *= g.out[d];
        }
        if (inside) y[c * g.out_size + off] += row[i];
      }
    }
}

// The same for 2-D with each kernel offset's valid input columns worked out once per
// row (no index arithmetic or bounds test per element); the same sums in the same order.
void col2im_2d(const float* cols, int64_t channels, const TransposeGeometry& g, float* y) {
  const int64_t IH = g.in[0], IW = g.in[1], OH = g.out[0], OW = g.out[1], KH = g.kernel[0], KW = g.kernel[1];
  const int64_t SW = g.stride[1];
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t kh = 0; kh < KH; ++kh)
      for (int64_t kw = 0; kw < KW; ++kw) {
        const float* row = cols + ((c * KH + kh) * KW + kw) * IH * IW;
        // Output column of input column iw: iw*SW + o0; inside for iw in [i0, i1).
        const int64_t o0 = kw * g.dilation[1] - g.pad_lo[1];
        const int64_t i0 = o0 >= 0 ? 0 : (-o0 + SW - 1) / SW;
        const int64_t i1 = std::max(i0, std::min(IW, OW - o0 > 0 ? (OW - o0 + SW - 1) / SW : 0));
        for (int64_t ih = 0; ih < IH; ++ih) {
          const int64_t oh = ih * g.stride[0] - g.pad_lo[0] + kh * g.dilation[0];
          if (oh < 0 || oh >= OH) continue;
          float* yr = y + c * g.out_size + oh * OW;
          const float* src = row + ih * IW;
          for (int64_t iw = i0; iw < i1; ++iw) yr[o0 + iw * SW] += src[iw];
        }
      }
}

void conv_transpose(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const Tensor& w = ctx.in(1);
  QWASM_CHECK(x.dtype() == DType::Float32 && w.dtype() == DType::Float32, n.label(), ": float inputs required");
  QWASM_CHECK(x.rank() >= 3 && w.rank() == x.rank(), n.label(), ": X and W must have the same rank >= 3, got ",
              shape_str(x.shape()), " and ", shape_str(w.shape()));
  const int64_t N = x.dim(0), C = x.dim(1), group = n.attr_i("group", 1);
  QWASM_CHECK(group > 0 && C % group == 0 && w.dim(0) == C, n.label(), ": W shape ", shape_str(w.shape()),
              " does not match ", C, " input channels in ", group, " groups");
  const int64_t mg = w.dim(1), M = mg * group, cg = C / group;
  std::vector<int64_t> in(x.shape().begin() + 2, x.shape().end()), ks(w.shape().begin() + 2, w.shape().end());
  if (n.has_attr("kernel_shape"))
    QWASM_CHECK(n.attr_ints("kernel_shape") == ks, n.label(), ": kernel_shape disagrees with W");
  const TransposeGeometry g = make_geometry(n, in, ks);
  Shape out_shape = {N, M};
  out_shape.insert(out_shape.end(), g.out.begin(), g.out.end());
  const Tensor bias = ctx.input(2) ? *ctx.input(2) : Tensor();
  QWASM_CHECK(!bias.defined() || (bias.dtype() == DType::Float32 && bias.size() == M), n.label(),
              ": bias must have ", M, " float elements");
  float* yd = ctx.output(0, DType::Float32, out_shape).data<float>();
  for (int64_t c = 0; c < N * M; ++c)
    std::fill(yd + c * g.out_size, yd + (c + 1) * g.out_size, bias.defined() ? bias.data<float>()[c % M] : 0.0f);
  const int64_t rows = mg * g.kernel_size;
  std::vector<float> cols(static_cast<size_t>(rows * g.in_size));
  for (int64_t b = 0; b < N; ++b)
    for (int64_t gi = 0; gi < group; ++gi) {
      // W_g is [cg, mg*K] row-major; cols[mg*K, I] = W_g^T * X_g[cg, I].
      gemm_f32(ctx.parallel(), true, false, rows, g.in_size, cg, 1.0f, w.data<float>() + gi * cg * rows, rows,
               x.data<float>() + (b * C + gi * cg) * g.in_size, g.in_size, 0.0f, cols.data(), g.in_size);
      if (g.in.size() == 2) col2im_2d(cols.data(), mg, g, yd + (b * M + gi * mg) * g.out_size);
      else col2im(cols.data(), mg, g, yd + (b * M + gi * mg) * g.out_size);
    }
}

}  // namespace

void register_nn_conv_transpose_ops(OpRegistry& r) { r.add("", "ConvTranspose", 1, half_via_float(conv_transpose)); }

}  // namespace qwasm
