// RMS normalisation ops that decoder exports use:
// SimplifiedLayerNormalization (onnxruntime contrib op in the ONNX domain) and
// com.microsoft SkipSimplifiedLayerNormalization (residual add fused in).
#include <cmath>
#include <cstring>

#include "ops/half_via_float.h"
#include "ops/registry.h"

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

void skip_simplified_layer_norm(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const Tensor& skip = ctx.in(1);
  const Tensor& g = ctx.in(2);
  const Tensor* bias = ctx.input(3);
  for (auto* t : {&x, &skip, &g}) check_f32(ctx, *t, "inputs");
  const int64_t h = x.dim(x.rank() - 1);
  QWASM_CHECK(g.size() == h, n.label(), ": gamma has ", g.size(), " elements, expected ", h);
  QWASM_CHECK(skip.size() == x.size() || skip.size() == h, n.label(), ": skip shape ", shape_str(skip.shape()),
              " does not match input ", shape_str(x.shape()));
  QWASM_CHECK(!bias || bias->size() == h, n.label(), ": bias must have ", h, " elements");
  // input + skip (+ bias) is output 3; it is also the normalised value's source.
  Tensor sum = ctx.output_wanted(3) ? ctx.output(3, DType::Float32, x.shape()) : Tensor(DType::Float32, x.shape());
  const float* xs = x.data<float>();
  const float* ss = skip.data<float>();
  float* su = sum.data<float>();
  const bool skip_row = skip.size() == h;
  for (int64_t i = 0; i < x.size(); ++i)
    su[i] = xs[i] + ss[skip_row ? i % h : i] + (bias ? bias->data<float>()[i % h] : 0.0f);
  Tensor& y = ctx.output(0, DType::Float32, x.shape());
  float* inv = nullptr;
  if (ctx.output_wanted(2)) {
    Shape s = x.shape();
    s.back() = 1;
    inv = ctx.output(2, DType::Float32, s).data<float>();
  }
  rms_rows(su, g.data<float>(), y.data<float>(), inv, h ? x.size() / h : 0, h, n.attr_f("epsilon", 1e-12f));
}

}  // namespace

void register_llm_norm_ops(OpRegistry& r) {
  // float16 through float32 (ops/half_via_float.h); inv_std_var (and the unused mean) stay
  // float32, typed U = float in onnxruntime's schemas.
  r.add("", "SimplifiedLayerNormalization", 1, half_via_float(simplified_layer_norm, HalfOutputs::except({1})));
  r.add("com.microsoft", "SkipSimplifiedLayerNormalization", 1,
        half_via_float(skip_simplified_layer_norm, HalfOutputs::except({1, 2})));
}

}  // namespace qwasm
