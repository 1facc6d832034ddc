// Unary elementwise ops: math (Sqrt, Exp, Log, trig, rounding ...) and
// activations (Relu, Sigmoid, Gelu, Elu, Selu, HardSwish ...), plus Clip.
// Each op is a functor over the compute type (float32 for float16/bfloat16);
// attributes are read once when the kernel is built. Abs, Neg, Sign, Relu and
// Shrink also take integer types. float16 / bfloat16 are computed in float32
// (via_float32); rare types run plain loops (is_fast_elem_v).
#include <cmath>
#include <limits>
#include <type_traits>

#include "ops/dtype_switch.h"
#include "ops/elementwise_types.h"
#include "ops/fast_math.h"
#include "ops/parallel_ranges.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

// ---- functors without attributes -------------------------------------------
struct AbsOp {
  template <typename T> T operator()(T x) const {
    if constexpr (std::is_unsigned_v<T>) return x;
    else if constexpr (std::is_floating_point_v<T>) return std::fabs(x);
    else return x < 0 ? T(0 - std::make_unsigned_t<T>(x)) : x;
  }
};
struct NegOp {
  template <typename T> T operator()(T x) const {
    if constexpr (std::is_integral_v<T>) return T(std::make_unsigned_t<T>(0) - std::make_unsigned_t<T>(x));
    else return -x;
  }
};
struct SignOp {  // NaN stays NaN
  template <typename T> T operator()(T x) const { return x > T(0) ? T(1) : x < T(0) ? T(-1) : x; }
};
struct ReluOp {
  template <typename T> T operator()(T x) const { return x > T(0) ? x : T(0); }
};
struct SqrtOp { template <typename F> F operator()(F x) const { return std::sqrt(x); } };
// float32 Exp / Sigmoid use fast_expf (vectorisable, ~1.4 ulp); double uses libm.
struct ExpOp {
  template <typename F> F operator()(F x) const {
    if constexpr (std::is_same_v<F, float>) return fast_expf(x);
    else return std::exp(x);
  }
};
struct LogOp { template <typename F> F operator()(F x) const { return std::log(x); } };
struct ReciprocalOp { template <typename F> F operator()(F x) const { return F(1) / x; } };
template <typename F> F erf_of(F x) {
  if constexpr (std::is_same_v<F, float>) return fast_erff(x);  // vectorises; libm's erff does not
  else return std::erf(x);
}
struct ErfOp { template <typename F> F operator()(F x) const { return erf_of(x); } };
struct TanhOp { template <typename F> F operator()(F x) const { return std::tanh(x); } };
struct SigmoidOp {  // exp(-x) overflowing to inf gives 1/inf = 0: no special case needed
  template <typename F> F operator()(F x) const { return F(1) / (F(1) + ExpOp{}(-x)); }
};
struct FloorOp { template <typename F> F operator()(F x) const { return std::floor(x); } };
struct CeilOp { template <typename F> F operator()(F x) const { return std::ceil(x); } };
struct RoundOp {  // half to even, independent of the FP environment
  template <typename F> F operator()(F x) const {
    const F r = std::round(x);  // half away from zero
    return std::fabs(x - std::trunc(x)) == F(0.5) ? F(2) * std::round(x / F(2)) : r;
  }
};
struct SinOp { template <typename F> F operator()(F x) const { return std::sin(x); } };
struct CosOp { template <typename F> F operator()(F x) const { return std::cos(x); } };
struct TanOp { template <typename F> F operator()(F x) const { return std::tan(x); } };
struct AsinOp { template <typename F> F operator()(F x) const { return std::asin(x); } };
struct AcosOp { template <typename F> F operator()(F x) const { return std::acos(x); } };
struct AtanOp { template <typename F> F operator()(F x) const { return std::atan(x); } };
struct SinhOp { template <typename F> F operator()(F x) const { return std::sinh(x); } };
struct CoshOp { template <typename F> F operator()(F x) const { return std::cosh(x); } };
struct AsinhOp { template <typename F> F operator()(F x) const { return std::asinh(x); } };
struct AcoshOp { template <typename F> F operator()(F x) const { return std::acosh(x); } };
struct AtanhOp { template <typename F> F operator()(F x) const { return std::atanh(x); } };
struct SoftsignOp { template <typename F> F operator()(F x) const { return x / (F(1) + std::fabs(x)); } };
// log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|).
template <typename F> F softplus(F x) { return std::max(x, F(0)) + std::log1p(std::exp(-std::fabs(x))); }
struct SoftplusOp { template <typename F> F operator()(F x) const { return softplus(x); } };
struct MishOp { template <typename F> F operator()(F x) const { return x * std::tanh(softplus(x)); } };
struct HardSwishOp {  // x * HardSigmoid(x) with alpha = 1/6, beta = 0.5
  template <typename F> F operator()(F x) const { return x * std::max(F(0), std::min(F(1), x / F(6) + F(0.5))); }
};
struct GeluOp {
  template <typename F> F operator()(F x) const { return F(0.5) * x * (F(1) + erf_of(x * F(0.70710678118654752))); }
};
struct GeluTanhOp {
  template <typename F> F operator()(F x) const {
    const F k = F(0.7978845608028654);  // sqrt(2 / pi)
    return F(0.5) * x * (F(1) + std::tanh(k * (x + F(0.044715) * x * x * x)));
  }
};

// ---- functors with attributes (read from the node when the kernel is built) --
struct LeakyReluOp {
  float alpha;
  explicit LeakyReluOp(const Node& n) : alpha(n.attr_f("alpha", 0.01f)) {}
  template <typename F> F operator()(F x) const { return x >= F(0) ? x : F(alpha) * x; }
};
struct EluOp {
  float alpha;
  explicit EluOp(const Node& n) : alpha(n.attr_f("alpha", 1.0f)) {}
  template <typename F> F operator()(F x) const { return x >= F(0) ? x : F(alpha) * std::expm1(x); }
};
struct CeluOp {
  float alpha;
  explicit CeluOp(const Node& n) : alpha(n.attr_f("alpha", 1.0f)) {
    QWASM_CHECK(alpha != 0.0f, n.label(), ": alpha must be nonzero");
  }
  template <typename F> F operator()(F x) const { return x >= F(0) ? x : F(alpha) * std::expm1(x / F(alpha)); }
};
struct SeluOp {
  float alpha, gamma;
  explicit SeluOp(const Node& n)
      : alpha(n.attr_f("alpha", 1.67326319217681884765625f)), gamma(n.attr_f("gamma", 1.05070102214813232421875f)) {}
  template <typename F> F operator()(F x) const { return F(gamma) * (x > F(0) ? x : F(alpha) * std::expm1(x)); }
};
struct HardSigmoidOp {
  float alpha, beta;
  explicit HardSigmoidOp(const Node& n) : alpha(n.attr_f("alpha", 0.2f)), beta(n.attr_f("beta", 0.5f)) {}
  template <typename F> F operator()(F x) const { return std::max(F(0), std::min(F(1), F(alpha) * x + F(beta))); }
};
struct ThresholdedReluOp {
  float alpha;
  explicit ThresholdedReluOp(const Node& n) : alpha(n.attr_f("alpha", 1.0f)) {}
  template <typename F> F operator()(F x) const { return x > F(alpha) ? x : F(0); }
};
struct ShrinkOp {  // integers too: compared and shifted in double, then converted back
  float lambd, bias;
  explicit ShrinkOp(const Node& n) : lambd(n.attr_f("lambd", 0.5f)), bias(n.attr_f("bias", 0.0f)) {}
  template <typename T> T operator()(T x) const {
    using F = std::conditional_t<std::is_floating_point_v<T>, T, double>;
    const F v = F(x);
    return v < -F(lambd) ? T(v + F(bias)) : v > F(lambd) ? T(v - F(bias)) : T(0);
  }
};

struct QuickGeluOp {  // x * sigmoid(alpha x): com.microsoft QuickGelu (CLIP-style exports)
  float alpha;
  explicit QuickGeluOp(const Node& n) : alpha(n.attr_f("alpha", 1.702f)) {}
  template <typename F> F operator()(F x) const { return x * SigmoidOp{}(F(alpha) * x); }
};

// ---- the kernel --------------------------------------------------------------
// The dtype dispatch, the float16 / bfloat16 widening and the type errors, compiled once
// for every unary op; each op only supplies its loops (float32 vectorised, float64 and
// the rare integer types as plain loops).
class UnaryBase : public OpKernel {
 public:
  void compute(OpContext& ctx) override;

 protected:
  explicit UnaryBase(bool int_ok) : int_ok_(int_ok) {}
  virtual void run_f32(const float* s, float* d, int64_t n) const = 0;
  virtual void run_f64(const double* s, double* d, int64_t n) const = 0;
  virtual void run_int(DType t, const void* s, void* d, int64_t n) const = 0;  // only when int_ok_

 private:
  bool int_ok_;
};

bool is_int_dtype(DType t) {
  switch (t) {
    case DType::Int8: case DType::UInt8: case DType::Int16: case DType::UInt16:
    case DType::Int32: case DType::UInt32: case DType::Int64: case DType::UInt64:
      return true;
    default:
      return false;
  }
}

// Float32 elements below which a unary op stays on one thread (a GELU over BERT's
// [128, 3072] FFN activations splits; waking workers for a few thousand costs more).
constexpr int64_t kUnaryMinPiece = 16 * 1024;

void UnaryBase::compute(OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  const int64_t n = x.size();
  if (is_half(x.dtype())) {
    via_float32(ctx, x.dtype(), x.shape(), [&](Tensor& f) { run_f32(widen_half(x).data<float>(), f.data<float>(), n); });
    return;
  }
  if (x.dtype() != DType::Float32 && x.dtype() != DType::Float64 && !(int_ok_ && is_int_dtype(x.dtype())))
    fail_type(ctx.node().label(), x.dtype(), int_ok_ ? "a numeric type" : "a float type");
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  if (x.dtype() == DType::Float32) {
    // Elementwise, so any split gives the same bits (ranges are multiples of 64 elements).
    const float* s = x.data<float>();
    float* d = y.data<float>();
    parallel_ranges(ctx.parallel(), n, kUnaryMinPiece, 64, [&](int64_t b, int64_t e) { run_f32(s + b, d + b, e - b); });
  }
  else if (x.dtype() == DType::Float64) run_f64(x.data<double>(), y.data<double>(), n);
  else run_int(x.dtype(), x.raw(), y.raw(), n);
}

template <typename Op, bool IntOk>
class UnaryKernel final : public UnaryBase {
 public:
  explicit UnaryKernel(Op op) : UnaryBase(IntOk), op_(op) {}

 private:
  void run_f32(const float* s, float* d, int64_t n) const override { map_elems<true>(s, d, n, op_); }
  void run_f64(const double* s, double* d, int64_t n) const override { map_elems<false>(s, d, n, op_); }
  void run_int(DType t, const void* s, void* d, int64_t n) const override {
    if constexpr (IntOk) {
      visit_numeric(t, "unary op", [&](auto tag) {
        using T = decltype(tag);
        if constexpr (is_int_tag_v<T>)
          map_elems<is_fast_elem_v<T>>(static_cast<const T*>(s), static_cast<T*>(d), n, op_);
      });
    }
  }
  Op op_;
};

template <typename Op, bool IntOk = false>
void add_unary(OpRegistry& r, const char* name, int since = 1) {
  r.add("", name, since, [](const BuildContext& bc) -> std::unique_ptr<OpKernel> {
    if constexpr (std::is_constructible_v<Op, const Node&>) return std::make_unique<UnaryKernel<Op, IntOk>>(Op(bc.node));
    else return std::make_unique<UnaryKernel<Op, IntOk>>(Op{});
  });
}

// Clip: bounds are attributes before opset 11 and optional scalar inputs (of
// X's type) from opset 11. min > max gives max everywhere (numpy.clip).
template <typename T> void clip_typed(OpContext& ctx, const Tensor& x, DType bound_type, Tensor& y) {
  const Node& n = ctx.node();
  T lo = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::lowest();
  T hi = std::numeric_limits<T>::has_infinity ? std::numeric_limits<T>::infinity() : std::numeric_limits<T>::max();
  if (n.opset < 11) {
    if (n.has_attr("min")) lo = T(n.attr_f("min", 0.0f));
    if (n.has_attr("max")) hi = T(n.attr_f("max", 0.0f));
  } else {
    auto bound = [&](size_t i, T& v) {
      const Tensor* t = ctx.input(i);
      if (!t) return;
      QWASM_CHECK(t->dtype() == bound_type && t->size() == 1, n.label(), ": input ", i == 1 ? "'min'" : "'max'",
                  " must be a single ", dtype_name(bound_type), " value, got ", dtype_name(t->dtype()), " of shape ",
                  shape_str(t->shape()));
      v = is_half(bound_type) ? T(t->get_f64(0)) : static_cast<const T*>(t->raw())[0];
    };
    bound(1, lo);
    bound(2, hi);
  }
  map_elems<is_fast_elem_v<T>>(static_cast<const T*>(x.raw()), static_cast<T*>(y.raw()), x.size(), [lo, hi](T v) {
    v = v < lo ? lo : v;
    return v > hi ? hi : v;
  });
}

void clip_fn(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  if (is_half(x.dtype())) {
    via_float32(ctx, x.dtype(), x.shape(), [&](Tensor& f) { clip_typed<float>(ctx, widen_half(x), x.dtype(), f); });
    return;
  }
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  visit_numeric(x.dtype(), n.label(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) fail_type(n.label(), x.dtype(), "a numeric type");
    else clip_typed<T>(ctx, x, x.dtype(), y);
  });
}

void gelu_register(OpRegistry& r) {
  r.add("", "Gelu", 20, [](const BuildContext& bc) -> std::unique_ptr<OpKernel> {
    const std::string a = bc.node.attr_s("approximate", "none");
    if (a == "none") return std::make_unique<UnaryKernel<GeluOp, false>>(GeluOp{});
    if (a == "tanh") return std::make_unique<UnaryKernel<GeluTanhOp, false>>(GeluTanhOp{});
    fail(bc.node.label(), ": attribute 'approximate' must be \"none\" or \"tanh\", got \"", a, "\"");
  });
  // onnxruntime's contrib Gelu (erf form, no attributes): what its optimizer writes into
  // saved models, and what the fuse_gelu pass makes of the exported Div/Erf/Add/Mul chain.
  r.add("com.microsoft", "Gelu", 1, [](const BuildContext&) -> std::unique_ptr<OpKernel> {
    return std::make_unique<UnaryKernel<GeluOp, false>>(GeluOp{});
  });
}

// com.microsoft activations with a bias fused in front, y = op(x + bias) with bias a 1-D
// tensor over x's last dimension: BiasGelu (bias required), FastGelu (bias optional),
// and QuickGelu (no bias). float32, or float16/bfloat16 computed in float32.
template <typename Op>
class BiasUnaryKernel : public OpKernel {
 public:
  BiasUnaryKernel(Op op, bool bias_required) : op_(op), bias_required_(bias_required) {}
  void compute(OpContext& ctx) override {
    const Node& n = ctx.node();
    const Tensor& x0 = ctx.in(0);
    const Tensor x = widen_half(x0);
    QWASM_CHECK(x.dtype() == DType::Float32, n.label(), ": input must be float32 or float16, got ", dtype_name(x0.dtype()));
    const Tensor* b0 = bias_required_ ? &ctx.in(1) : ctx.input(1);
    const Tensor b = b0 ? widen_half(*b0) : Tensor();
    const int64_t h = x.rank() ? x.dim(x.rank() - 1) : 1;
    if (b0)
      QWASM_CHECK(b0->dtype() == x0.dtype() && b.rank() == 1 && b.size() == h, n.label(), ": bias must be a 1-D ",
                  dtype_name(x0.dtype()), " tensor of ", h, " elements (the input's last dimension), got ",
                  dtype_name(b0->dtype()), " ", shape_str(b0->shape()));
    const bool f32 = x0.dtype() == DType::Float32;
    Tensor yf = f32 ? ctx.output(0, DType::Float32, x.shape()) : Tensor(DType::Float32, x.shape());
    const float* xs = x.data<float>();
    const float* bs = b0 ? b.data<float>() : nullptr;
    float* ys = yf.data<float>();
    if (bs) {
      for (int64_t r = 0, rows = h ? x.size() / h : 0; r < rows; ++r)
        for (int64_t i = 0; i < h; ++i) ys[r * h + i] = op_(xs[r * h + i] + bs[i]);
    } else {
      for (int64_t i = 0, cnt = x.size(); i < cnt; ++i) ys[i] = op_(xs[i]);
    }
    if (!f32) narrow_half(yf, ctx.output(0, x0.dtype(), x.shape()));
  }

 private:
  Op op_;
  bool bias_required_;
};

// com.microsoft BiasAdd (diffusion UNet exports): Y = X + bias + skip, X and skip [N, S, C], bias [C].
void bias_add(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x0 = ctx.in(0);
  const Tensor& b0 = ctx.in(1);
  const Tensor& s0 = ctx.in(2);
  QWASM_CHECK(x0.rank() == 3, n.label(), ": X must be 3-D [N, S, C], got ", shape_str(x0.shape()));
  for (const Tensor* t : {&b0, &s0})
    QWASM_CHECK(t->dtype() == x0.dtype(), n.label(), ": inputs must share X's type ", dtype_name(x0.dtype()), ", got ",
                dtype_name(t->dtype()));
  const int64_t c = x0.dim(2);
  QWASM_CHECK(b0.rank() == 1 && b0.size() == c, n.label(), ": bias must be [", c, "], got ", shape_str(b0.shape()));
  QWASM_CHECK(s0.shape() == x0.shape(), n.label(), ": skip must be ", shape_str(x0.shape()), ", got ", shape_str(s0.shape()));
  const Tensor x = widen_half(x0), b = widen_half(b0), s = widen_half(s0);
  QWASM_CHECK(x.dtype() == DType::Float32, n.label(), ": X must be float32 or float16, got ", dtype_name(x0.dtype()));
  const bool f32 = x0.dtype() == DType::Float32;
  Tensor yf = f32 ? ctx.output(0, DType::Float32, x.shape()) : Tensor(DType::Float32, x.shape());
  const float *xs = x.data<float>(), *bs = b.data<float>(), *ss = s.data<float>();
  float* ys = yf.data<float>();
  for (int64_t i = 0, cnt = x.size(); i < cnt; ++i) ys[i] = xs[i] + bs[i % c] + ss[i];
  if (!f32) narrow_half(yf, ctx.output(0, x0.dtype(), x.shape()));
}

void bias_activation_register(OpRegistry& r) {
  r.add("com.microsoft", "BiasGelu", 1, [](const BuildContext&) -> std::unique_ptr<OpKernel> {
    return std::make_unique<BiasUnaryKernel<GeluOp>>(GeluOp{}, true);
  });
  // FastGelu is the tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
  r.add("com.microsoft", "FastGelu", 1, [](const BuildContext&) -> std::unique_ptr<OpKernel> {
    return std::make_unique<BiasUnaryKernel<GeluTanhOp>>(GeluTanhOp{}, false);
  });
  r.add("com.microsoft", "QuickGelu", 1, [](const BuildContext& bc) -> std::unique_ptr<OpKernel> {
    return std::make_unique<BiasUnaryKernel<QuickGeluOp>>(QuickGeluOp(bc.node), false);
  });
  r.add_fn("com.microsoft", "BiasAdd", 1, bias_add);
}

}  // namespace

void register_elementwise_unary_ops(OpRegistry& r) {
  add_unary<AbsOp, true>(r, "Abs");
  add_unary<NegOp, true>(r, "Neg");
  add_unary<SignOp, true>(r, "Sign", 9);
  add_unary<ReluOp, true>(r, "Relu");
  add_unary<ShrinkOp, true>(r, "Shrink", 9);
  add_unary<SqrtOp>(r, "Sqrt");
  add_unary<ExpOp>(r, "Exp");
  add_unary<LogOp>(r, "Log");
  add_unary<ReciprocalOp>(r, "Reciprocal");
  add_unary<ErfOp>(r, "Erf", 9);
  add_unary<TanhOp>(r, "Tanh");
  add_unary<SigmoidOp>(r, "Sigmoid");
  add_unary<FloorOp>(r, "Floor");
  add_unary<CeilOp>(r, "Ceil");
  add_unary<RoundOp>(r, "Round", 11);
  add_unary<SinOp>(r, "Sin", 7);
  add_unary<CosOp>(r, "Cos", 7);
  add_unary<TanOp>(r, "Tan", 7);
  add_unary<AsinOp>(r, "Asin", 7);
  add_unary<AcosOp>(r, "Acos", 7);
  add_unary<AtanOp>(r, "Atan", 7);
  add_unary<SinhOp>(r, "Sinh", 9);
  add_unary<CoshOp>(r, "Cosh", 9);
  add_unary<AsinhOp>(r, "Asinh", 9);
  add_unary<AcoshOp>(r, "Acosh", 9);
  add_unary<AtanhOp>(r, "Atanh", 9);
  add_unary<SoftsignOp>(r, "Softsign");
  add_unary<SoftplusOp>(r, "Softplus");
  add_unary<MishOp>(r, "Mish", 18);
  add_unary<HardSwishOp>(r, "HardSwish", 14);
  add_unary<LeakyReluOp>(r, "LeakyRelu");
  add_unary<EluOp>(r, "Elu");
  add_unary<CeluOp>(r, "Celu", 12);
  add_unary<SeluOp>(r, "Selu");
  add_unary<HardSigmoidOp>(r, "HardSigmoid");
  add_unary<ThresholdedReluOp>(r, "ThresholdedRelu", 10);
  gelu_register(r);
  bias_activation_register(r);
  r.add_fn("", "Clip", 1, clip_fn);
}

}  // namespace qwasm
