// Unary elementwise ops: float math and activations (float16/bfloat16 via
// float32), sign-like ops on integers too, IsNaN/IsInf/Not, Clip.
#include <cmath>
#include <limits>
#include <type_traits>

#include "ops/dispatch.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

enum class U {
  Abs, Neg, Sign, Relu, Sqrt, Exp, Log, Reciprocal, Erf, Tanh, Sigmoid, Floor, Ceil, Round, Sin, Cos, Tan,
  Asin, Acos, Atan, Sinh, Cosh, Asinh, Acosh, Atanh, LeakyRelu, Elu, Selu, Celu, HardSigmoid, HardSwish,
  Softplus, Softsign, ThresholdedRelu, Gelu, GeluTanh, Mish
};

struct Params {
  double alpha = 0, beta = 0, gamma = 0;
};

template <typename T>
T apply(U op, T x, const Params& p) {
  using F = std::conditional_t<std::is_same_v<T, double>, double, float>;
  const F v = F(x);
  switch (op) {
    case U::Abs: if constexpr (std::is_unsigned_v<T>) return x; else return x < T(0) ? T(-x) : x;
    case U::Neg: return T(-x);
    case U::Sign: return T((x > T(0)) - (x < T(0)));
    case U::Relu: return x > T(0) ? x : T(0);
    default: break;
  }
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case U::Sqrt: return std::sqrt(v);
      case U::Exp: return std::exp(v);
      case U::Log: return std::log(v);
      case U::Reciprocal: return F(1) / v;
      case U::Erf: return std::erf(v);
      case U::Tanh: return std::tanh(v);
      case U::Sigmoid: return v >= 0 ? F(1) / (F(1) + std::exp(-v)) : std::exp(v) / (F(1) + std::exp(v));
      case U::Floor: return std::floor(v);
      case U::Ceil: return std::ceil(v);
      case U::Round: return std::nearbyint(v);  // default rounding mode: half to even
      case U::Sin: return std::sin(v);
      case U::Cos: return std::cos(v);
      case U::Tan: return std::tan(v);
      case U::Asin: return std::asin(v);
      case U::Acos: return std::acos(v);
      case U::Atan: return std::atan(v);
      case U::Sinh: return std::sinh(v);
      case U::Cosh: return std::cosh(v);
      case U::Asinh: return std::asinh(v);
      case U::Acosh: return std::acosh(v);
      case U::Atanh: return std::atanh(v);
      case U::LeakyRelu: return v >= 0 ? v : F(p.alpha) * v;
      case U::Elu: return v >= 0 ? v : F(p.alpha) * (std::exp(v) - 1);
      case U::Celu: return std::max(F(0), v) + std::min(F(0), F(p.alpha) * (std::exp(v / F(p.alpha)) - 1));
      case U::Selu: return F(p.gamma) * (v > 0 ? v : F(p.alpha) * (std::exp(v) - 1));
      case U::HardSigmoid: return std::max(F(0), std::min(F(1), F(p.alpha) * v + F(p.beta)));
      case U::HardSwish: return v * std::max(F(0), std::min(F(1), v / 6 + F(0.5)));
      case U::Softplus: return v > 20 ? v : std::log1p(std::exp(v));
      case U::Softsign: return v / (1 + std::fabs(v));
      case U::ThresholdedRelu: return v > F(p.alpha) ? v : F(0);
      case U::Gelu: return F(0.5) * v * (1 + std::erf(v / std::sqrt(F(2))));
      case U::GeluTanh: return F(0.5) * v * (1 + std::tanh(std::sqrt(F(2) / F(M_PI)) * (v + F(0.044715) * v * v * v)));
      case U::Mish: return v * std::tanh(v > 20 ? v : std::log1p(std::exp(v)));
      default: break;
    }
  }
  return T(0);
}

bool int_ok(U op) { return op == U::Abs || op == U::Neg || op == U::Sign || op == U::Relu; }

class Unary : public OpKernel {
 public:
  Unary(U op, Params p) : op_(op), p_(p) {}
  void compute(OpContext& ctx) override {
    const Tensor& in0 = ctx.in(0);
    Tensor x = widen_half(in0);
    Tensor r = is_half(in0.dtype()) ? Tensor(DType::Float32, x.shape()) : ctx.output(0, in0.dtype(), x.shape());
    visit_numeric(x.dtype(), ctx.node().label(), [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_same_v<T, bool>) {
        fail(ctx.node().label(), ": bool input is not supported");
      } else {
        if (!std::is_floating_point_v<T> && !int_ok(op_))
          fail(ctx.node().label(), ": input type ", dtype_name(x.dtype()), " is not supported (needs a float type)");
        const T* s = x.data<T>();
        T* d = r.data<T>();
        for (int64_t i = 0; i < x.size(); ++i) d[i] = apply(op_, s[i], p_);
      }
    });
    if (is_half(in0.dtype())) {
      Tensor& out = ctx.output(0, in0.dtype(), x.shape());
      narrow_half(r, out);
    }
  }

 private:
  U op_;
  Params p_;
};

void add_unary(OpRegistry& r, const char* name, U op, int since = 1, Params defaults = {}) {
  r.add("", name, since, [op, defaults](const BuildContext& bc) {
    Params p = defaults;
    p.alpha = bc.node.attr_f("alpha", float(p.alpha));
    p.beta = bc.node.attr_f("beta", float(p.beta));
    p.gamma = bc.node.attr_f("gamma", float(p.gamma));
    U chosen = op;
    if (op == U::Gelu) {
      std::string a = bc.node.attr_s("approximate", "none");
      QWASM_CHECK(a == "none" || a == "tanh", bc.node.label(), ": approximate must be 'none' or 'tanh'");
      if (a == "tanh") chosen = U::GeluTanh;
    }
    return std::make_unique<Unary>(chosen, p);
  });
}

template <bool Inf>
void isnan_isinf(OpContext& ctx) {
  Tensor x = widen_half(ctx.in(0));
  Tensor& out = ctx.output(0, DType::Bool, x.shape());
  const bool neg = ctx.node().attr_i("detect_negative", 1), pos = ctx.node().attr_i("detect_positive", 1);
  uint8_t* d = out.data<uint8_t>();
  for (int64_t i = 0; i < x.size(); ++i) {
    const double v = x.get_f64(i);
    d[i] = Inf ? (std::isinf(v) && ((v > 0 && pos) || (v < 0 && neg))) : std::isnan(v);
  }
}

void not_fn(OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  QWASM_CHECK(x.dtype() == DType::Bool, ctx.node().label(), ": Not needs a bool input");
  Tensor& out = ctx.output(0, DType::Bool, x.shape());
  for (int64_t i = 0; i < x.size(); ++i) out.data<uint8_t>()[i] = !x.data<uint8_t>()[i];
}

void bitwise_not(OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& out = ctx.output(0, x.dtype(), x.shape());
  visit_numeric(x.dtype(), ctx.node().label(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      for (int64_t i = 0; i < x.size(); ++i) out.data<T>()[i] = T(~x.data<T>()[i]);
    } else {
      fail(ctx.node().label(), ": needs an integer input");
    }
  });
}

// Clip: bounds are attributes before opset 11, optional scalar inputs after.
void clip_fn(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& in0 = ctx.in(0);
  Tensor x = widen_half(in0);
  Tensor r = is_half(in0.dtype()) ? Tensor(DType::Float32, x.shape()) : ctx.output(0, in0.dtype(), x.shape());
  visit_numeric(x.dtype(), n.label(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {
      T lo = std::numeric_limits<T>::lowest(), hi = std::numeric_limits<T>::max();
      if (n.opset < 11) {
        lo = T(n.attr_f("min", float(std::max<double>(lo, -3.4028234663852886e38))));
        hi = T(n.attr_f("max", float(std::min<double>(hi, 3.4028234663852886e38))));
      } else {
        if (const Tensor* t = ctx.input(1)) lo = T(t->get_f64(0));
        if (const Tensor* t = ctx.input(2)) hi = T(t->get_f64(0));
      }
      const T* s = x.data<T>();
      T* d = r.data<T>();
      for (int64_t i = 0; i < x.size(); ++i) d[i] = s[i] < lo ? lo : (s[i] > hi ? hi : s[i]);
    }
  });
  if (is_half(in0.dtype())) {
    Tensor& out = ctx.output(0, in0.dtype(), x.shape());
    narrow_half(r, out);
  }
}

}  // namespace

void register_elementwise_unary_ops(OpRegistry& r) {
  const std::pair<const char*, U> plain[] = {
      {"Abs", U::Abs}, {"Neg", U::Neg}, {"Sign", U::Sign}, {"Relu", U::Relu}, {"Sqrt", U::Sqrt}, {"Exp", U::Exp},
      {"Log", U::Log}, {"Reciprocal", U::Reciprocal}, {"Erf", U::Erf}, {"Tanh", U::Tanh}, {"Sigmoid", U::Sigmoid},
      {"Floor", U::Floor}, {"Ceil", U::Ceil}, {"Round", U::Round}, {"Sin", U::Sin}, {"Cos", U::Cos}, {"Tan", U::Tan},
      {"Asin", U::Asin}, {"Acos", U::Acos}, {"Atan", U::Atan}, {"Sinh", U::Sinh}, {"Cosh", U::Cosh},
      {"Asinh", U::Asinh}, {"Acosh", U::Acosh}, {"Atanh", U::Atanh}, {"HardSwish", U::HardSwish},
      {"Softplus", U::Softplus}, {"Softsign", U::Softsign}, {"Mish", U::Mish}};
  for (auto& [name, op] : plain) add_unary(r, name, op);
  add_unary(r, "LeakyRelu", U::LeakyRelu, 1, {0.01, 0, 0});
  add_unary(r, "Elu", U::Elu, 1, {1.0, 0, 0});
  add_unary(r, "Celu", U::Celu, 12, {1.0, 0, 0});
  add_unary(r, "Selu", U::Selu, 1, {1.67326319217681884765625, 0, 1.05070102214813232421875});
  add_unary(r, "HardSigmoid", U::HardSigmoid, 1, {0.2, 0.5, 0});
  add_unary(r, "ThresholdedRelu", U::ThresholdedRelu, 10, {1.0, 0, 0});
  add_unary(r, "Gelu", U::Gelu, 20);
  r.add_fn("", "IsNaN", 9, isnan_isinf<false>);
  r.add_fn("", "IsInf", 10, isnan_isinf<true>);
  r.add_fn("", "Not", 1, not_fn);
  r.add_fn("", "BitwiseNot", 18, bitwise_not);
  r.add_fn("", "Clip", 1, clip_fn);
}

}  // namespace qwasm
