// Normalisation contrib ops that transformer exports use:
// SimplifiedLayerNormalization (RMS; onnxruntime contrib op in the ONNX domain),
// com.microsoft SkipSimplifiedLayerNormalization and SkipLayerNormalization (residual
// add fused in). com.microsoft EmbedLayerNormalization is in ops/embed_layer_norm.cc.
#include <cmath>
#include <cstring>

#include "ops/dtype_switch.h"
#include "ops/embed_layer_norm.h"  // layer_norm_rows
#include "ops/half_via_float.h"
#include "ops/registry.h"
#include "ops/row_math.h"

namespace qwasm {
namespace {

// y = x / sqrt(mean(x^2) + eps) * gamma over the last `n` elements of each row.
void rms_rows(const float* x, const float* gamma, float* y, float* inv_std, int64_t rows, int64_t n, float eps) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * n;
    double ss = 0;
    for (int64_t i = 0; i < n; ++i) ss += double(xr[i]) * xr[i];
    const float inv = float(1.0 / std::sqrt(ss / double(n) + eps));
    float* yr = y + r * n;
    for (int64_t i = 0; i < n; ++i) yr[i] = xr[i] * inv * gamma[i];
    if (inv_std) inv_std[r] = inv;
  }
}

void check_f32(const OpContext& ctx, const Tensor& t, const char* what) {
  QWASM_CHECK(t.dtype() == DType::Float32, ctx.node().label(), ": ", what, " must be float32 or float16, got ",
              dtype_name(t.dtype()));
}

void simplified_layer_norm(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const Tensor& g = ctx.in(1);
  check_f32(ctx, x, "X");
  check_f32(ctx, g, "scale");
  const int64_t axis = normalize_axis(n.attr_i("axis", -1), x.rank(), n.label());
  int64_t inner = 1;
  for (int64_t i = axis; i < x.rank(); ++i) inner *= x.dim(i);
  QWASM_CHECK(g.size() == inner, n.label(), ": scale has ", g.size(), " elements, expected ", inner);
  const int64_t rows = inner ? x.size() / inner : 0;
  Tensor& y = ctx.output(0, DType::Float32, x.shape());
  float* inv = nullptr;
  if (ctx.output_wanted(1)) {
    Shape s = x.shape();
    for (int64_t i = axis; i < x.rank(); ++i) s[size_t(i)] = 1;
    inv = ctx.output(1, DType::Float32, s).data<float>();
  }
  rms_rows(x.data<float>(), g.data<float>(), y.data<float>(), inv, rows, inner, n.attr_f("epsilon", 1e-5f));
}

// The float32 sum input + skip (+ bias) of the Skip*LayerNormalization ops, checked: input
// [.., hidden]; skip the input's shape or its trailing dims ([1, S, H], [S, H]) repeated
// over the leading ones; bias [hidden]. Written into output 3 when it is wanted (in the
// input's type), else into a temporary. Returns the float32 sum.
Tensor skip_sum(OpContext& ctx, const Tensor* bias0) {
  const Node& n = ctx.node();
  const Tensor& x0 = ctx.in(0);
  const Tensor& skip0 = ctx.in(1);
  QWASM_CHECK(x0.rank() >= 1, n.label(), ": input must have rank >= 1");
  const int64_t h = x0.dim(x0.rank() - 1);
  for (const Tensor* t : {&skip0, bias0})
    QWASM_CHECK(!t || t->dtype() == x0.dtype(), n.label(), ": skip and bias must have the input's type ",
                dtype_name(x0.dtype()), ", got ", dtype_name(t->dtype()));
  // skip: leading 1s stripped, it must equal the input's trailing dims.
  Shape ss = skip0.shape();
  while (ss.size() > 1 && ss.front() == 1) ss.erase(ss.begin());
  bool skip_ok = ss.size() <= size_t(x0.rank()) && !ss.empty();
  for (size_t i = 0; skip_ok && i < ss.size(); ++i) skip_ok = ss[ss.size() - 1 - i] == x0.dim(x0.rank() - 1 - int64_t(i));
  QWASM_CHECK(skip_ok && skip0.rank() <= x0.rank(), n.label(), ": skip shape ", shape_str(skip0.shape()),
              " does not match input ", shape_str(x0.shape()));
  QWASM_CHECK(!bias0 || bias0->size() == h, n.label(), ": bias must have ", h, " elements, got ",
              shape_str(bias0->shape()));
  const Tensor x = widen_half(x0), skip = widen_half(skip0);
  QWASM_CHECK(x.dtype() == DType::Float32, n.label(), ": input must be float32 or float16, got ", dtype_name(x0.dtype()));
  const Tensor bias = bias0 ? widen_half(*bias0) : Tensor();
  const bool direct = x0.dtype() == DType::Float32 && ctx.output_wanted(3);
  Tensor sum = direct ? ctx.output(3, DType::Float32, x.shape()) : Tensor(DType::Float32, x.shape());
  const float* xs = x.data<float>();
  const float* sk = skip.data<float>();
  const float* bs = bias0 ? bias.data<float>() : nullptr;
  float* su = sum.data<float>();
  const int64_t period = skip.size();
  for (int64_t i = 0; i < x.size(); ++i) su[i] = xs[i] + sk[period ? i % period : 0] + (bs ? bs[i % h] : 0.0f);
  if (ctx.output_wanted(3) && !direct) narrow_half(sum, ctx.output(3, x0.dtype(), x.shape()));
  return sum;
}

// Output `i` as a float32 [.., 1] statistics tensor (one value per row) when wanted.
float* stat_output(OpContext& ctx, size_t i, const Shape& x_shape) {
  if (!ctx.output_wanted(i)) return nullptr;
  Shape s = x_shape;
  s.back() = 1;
  return ctx.output(i, DType::Float32, s).data<float>();
}

// Writes y (float32, x's shape) to output 0 in the input's type.
void write_y(OpContext& ctx, const Tensor& y, DType out_t) {
  if (out_t == DType::Float32) return;
  narrow_half(y, ctx.output(0, out_t, y.shape()));
}

void skip_simplified_layer_norm(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x0 = ctx.in(0);
  const Tensor g = widen_half(ctx.in(2));
  const Tensor sum = skip_sum(ctx, ctx.input(3));
  const int64_t h = x0.dim(x0.rank() - 1);
  QWASM_CHECK(g.dtype() == DType::Float32 && g.size() == h, n.label(), ": gamma must be float with ", h,
              " elements, got ", shape_str(g.shape()));
  const bool f32 = x0.dtype() == DType::Float32;
  Tensor y = f32 ? ctx.output(0, DType::Float32, x0.shape()) : Tensor(DType::Float32, x0.shape());
  float* inv = stat_output(ctx, 2, x0.shape());
  rms_rows(sum.data<float>(), g.data<float>(), y.data<float>(), inv, h ? x0.size() / h : 0, h, n.attr_f("epsilon", 1e-12f));
  write_y(ctx, y, x0.dtype());
}

// com.microsoft SkipLayerNormalization (input, skip, gamma, beta?, bias?) ->
// (output, mean?, inv_std_var?, input_skip_bias_sum?).
void skip_layer_norm(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x0 = ctx.in(0);
  const Tensor sum = skip_sum(ctx, ctx.input(4));
  const int64_t h = x0.dim(x0.rank() - 1);
  const Tensor g = widen_half(ctx.in(2));
  const Tensor b = ctx.input(3) ? widen_half(*ctx.input(3)) : Tensor();
  QWASM_CHECK(g.dtype() == DType::Float32 && g.size() == h, n.label(), ": gamma must be float with ", h,
              " elements, got ", shape_str(g.shape()));
  QWASM_CHECK(!ctx.input(3) || (b.dtype() == DType::Float32 && b.size() == h), n.label(), ": beta must be float with ",
              h, " elements, got ", shape_str(b.shape()));
  const bool f32 = x0.dtype() == DType::Float32;
  Tensor y = f32 ? ctx.output(0, DType::Float32, x0.shape()) : Tensor(DType::Float32, x0.shape());
  float* mean = stat_output(ctx, 1, x0.shape());
  float* inv = stat_output(ctx, 2, x0.shape());
  layer_norm_rows(sum.data<float>(), g.data<float>(), ctx.input(3) ? b.data<float>() : nullptr, y.data<float>(), mean,
                  inv, h ? x0.size() / h : 0, h, n.attr_f("epsilon", 1e-12f));
  write_y(ctx, y, x0.dtype());
}

}  // namespace

// y = (sum - mean) * inv_std * gamma (+ beta) per row of `h`; mean / inv_std written when asked.
void layer_norm_rows(const float* x, const float* gamma, const float* beta, float* y, float* mean_out, float* inv_out,
                     int64_t rows, int64_t h, float eps) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * h;
    float* yr = y + r * h;
    float mean, inv;
    row_mean_inv_std(xr, h, eps, mean, inv);
    for (int64_t i = 0; i < h; ++i) yr[i] = (xr[i] - mean) * inv * gamma[i] + (beta ? beta[i] : 0.0f);
    if (mean_out) mean_out[r] = mean;
    if (inv_out) inv_out[r] = inv;
  }
}

void register_llm_norm_ops(OpRegistry& r) {
  // float16 through float32 (ops/half_via_float.h); inv_std_var stays float32, typed
  // U = float in onnxruntime's schemas. The Skip forms widen and narrow float16
  // themselves (their sums and statistics have types of their own).
  r.add("", "SimplifiedLayerNormalization", 1, half_via_float(simplified_layer_norm, HalfOutputs::except({1})));
  r.add_fn("com.microsoft", "SkipSimplifiedLayerNormalization", 1, skip_simplified_layer_norm);
  r.add_fn("com.microsoft", "SkipLayerNormalization", 1, skip_layer_norm);
}

}  // namespace qwasm
