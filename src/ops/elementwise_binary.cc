// Binary elementwise ops with numpy broadcasting: arithmetic, comparisons,
// logic, bit ops, PRelu. float16/bfloat16 are computed in float32.
#include <cmath>
#include <type_traits>

#include "ops/dispatch.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

template <typename T, typename R, typename Op>
void broadcast_apply(const Tensor& a, const Tensor& b, Tensor& out, Op op) {
  const T* pa = static_cast<const T*>(a.raw());
  const T* pb = static_cast<const T*>(b.raw());
  R* po = static_cast<R*>(out.raw());
  const int64_t n = out.size();
  if (a.size() == n && b.size() == n) {
    for (int64_t i = 0; i < n; ++i) po[i] = R(op(pa[i], pb[i]));
  } else if (a.size() == n && b.size() == 1) {
    const T y = pb[0];
    for (int64_t i = 0; i < n; ++i) po[i] = R(op(pa[i], y));
  } else if (a.size() == 1 && b.size() == n) {
    const T x = pa[0];
    for (int64_t i = 0; i < n; ++i) po[i] = R(op(x, pb[i]));
  } else {
    BroadcastIter it(out.shape(), {a.shape(), b.shape()});
    it.for_each_run([&](int64_t o, const int64_t* off, const int64_t* st, int64_t cnt) {
      for (int64_t i = 0; i < cnt; ++i) po[o + i] = R(op(pa[off[0] + i * st[0]], pb[off[1] + i * st[1]]));
    });
  }
}

enum class Arith { Add, Sub, Mul, Div, Pow, Mod, FMod, Min, Max, BitAnd, BitOr, BitXor, ShiftL, ShiftR, PRelu };
enum class Cmp { Eq, Lt, Gt, Le, Ge, And, Or, Xor };

template <typename T>
T arith(Arith k, T x, T y) {
  switch (k) {
    case Arith::Add: return T(x + y);
    case Arith::Sub: return T(x - y);
    case Arith::Mul: return T(x * y);
    case Arith::Div:
      if constexpr (std::is_integral_v<T>) return y == 0 ? T(0) : T(x / y);
      else return x / y;
    case Arith::Min: return std::isnan(double(x)) ? x : (y < x ? y : x);
    case Arith::Max: return std::isnan(double(x)) ? x : (y > x ? y : x);
    case Arith::FMod:
      if constexpr (std::is_integral_v<T>) return y == 0 ? T(0) : T(x % y);
      else return T(std::fmod(x, y));
    case Arith::Mod:
      if constexpr (std::is_integral_v<T>) {
        if (y == 0) return T(0);
        T r = T(x % y);
        if constexpr (std::is_signed_v<T>) if (r != 0 && ((r < 0) != (y < 0))) r = T(r + y);
        return r;
      } else {
        T r = T(std::fmod(x, y));
        if (r != 0 && ((r < 0) != (y < 0))) r += y;
        return r;
      }
    case Arith::PRelu: return x < T(0) ? T(x * y) : x;
    default: break;
  }
  if constexpr (std::is_integral_v<T>) {
    switch (k) {
      case Arith::BitAnd: return T(x & y);
      case Arith::BitOr: return T(x | y);
      case Arith::BitXor: return T(x ^ y);
      case Arith::ShiftL: return y >= T(sizeof(T) * 8) ? T(0) : T(x << y);
      case Arith::ShiftR: return y >= T(sizeof(T) * 8) ? T(0) : T(x >> y);
      default: break;
    }
  }
  return T(0);
}

Shape out_shape(const OpContext& ctx) {
  return broadcast_shapes(ctx.in(0).shape(), ctx.in(1).shape(), ctx.node().label());
}

void check_same_type(const OpContext& ctx) {
  QWASM_CHECK(ctx.in(0).dtype() == ctx.in(1).dtype(), ctx.node().label(), ": input types differ (",
              dtype_name(ctx.in(0).dtype()), " vs ", dtype_name(ctx.in(1).dtype()), ")");
}

// Computes in the inputs' type; half types via float32.
void arith_op(OpContext& ctx, Arith k, bool integers_only = false) {
  check_same_type(ctx);
  const Tensor& a0 = ctx.in(0);
  const Shape shape = out_shape(ctx);
  if (is_half(a0.dtype())) {
    Tensor a = widen_half(a0), b = widen_half(ctx.in(1)), r(DType::Float32, shape);
    broadcast_apply<float, float>(a, b, r, [k](float x, float y) { return arith(k, x, y); });
    Tensor& out = ctx.output(0, a0.dtype(), shape);
    narrow_half(r, out);
    return;
  }
  Tensor& out = ctx.output(0, a0.dtype(), shape);
  visit_numeric(a0.dtype(), ctx.node().label(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      fail(ctx.node().label(), ": bool inputs are not supported");
    } else {
      if (integers_only && !std::is_integral_v<T>) fail(ctx.node().label(), ": needs integer inputs");
      broadcast_apply<T, T>(a0, ctx.in(1), out, [k](T x, T y) { return arith(k, x, y); });
    }
  });
}

template <Arith K> void arith_fn(OpContext& ctx) { arith_op(ctx, K); }
template <Arith K> void bit_fn(OpContext& ctx) { arith_op(ctx, K, true); }

void mod_fn(OpContext& ctx) { arith_op(ctx, ctx.node().attr_i("fmod", 0) ? Arith::FMod : Arith::Mod); }

void bitshift_fn(OpContext& ctx) {
  const std::string dir = ctx.node().attr_s("direction", "");
  QWASM_CHECK(dir == "LEFT" || dir == "RIGHT", ctx.node().label(), ": direction must be LEFT or RIGHT");
  arith_op(ctx, dir == "LEFT" ? Arith::ShiftL : Arith::ShiftR, true);
}

// Pow: the exponent may have a different numeric type than the base.
void pow_fn(OpContext& ctx) {
  Tensor a = widen_half(ctx.in(0)), b = widen_half(ctx.in(1));
  const Shape shape = out_shape(ctx);
  Tensor r(a.dtype(), shape);
  Tensor bd(DType::Float64, b.shape());
  for (int64_t i = 0; i < b.size(); ++i) bd.data<double>()[i] = b.get_f64(i);
  visit_numeric(a.dtype(), ctx.node().label(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      fail(ctx.node().label(), ": bool base is not supported");
    } else {
      Tensor ad(DType::Float64, a.shape());
      for (int64_t i = 0; i < a.size(); ++i) ad.data<double>()[i] = a.get_f64(i);
      Tensor rd(DType::Float64, shape);
      broadcast_apply<double, double>(ad, bd, rd, [](double x, double y) { return std::pow(x, y); });
      for (int64_t i = 0; i < rd.size(); ++i) static_cast<T*>(r.raw())[i] = T(rd.data<double>()[i]);
    }
  });
  Tensor& out = ctx.output(0, ctx.in(0).dtype(), shape);
  if (is_half(out.dtype())) narrow_half(r, out);
  else std::copy_n(static_cast<const char*>(r.raw()), r.bytes(), static_cast<char*>(out.raw()));
}

template <Cmp K>
void cmp_fn(OpContext& ctx) {
  check_same_type(ctx);
  Tensor a = widen_half(ctx.in(0)), b = widen_half(ctx.in(1));
  Tensor& out = ctx.output(0, DType::Bool, out_shape(ctx));
  visit_numeric(a.dtype(), ctx.node().label(), [&](auto tag) {
    using T = decltype(tag);
    broadcast_apply<T, uint8_t>(a, b, out, [](T x, T y) -> bool {
      switch (K) {
        case Cmp::Eq: return x == y;
        case Cmp::Lt: return x < y;
        case Cmp::Gt: return x > y;
        case Cmp::Le: return x <= y;
        case Cmp::Ge: return x >= y;
        case Cmp::And: return bool(x) && bool(y);
        case Cmp::Or: return bool(x) || bool(y);
        case Cmp::Xor: return bool(x) != bool(y);
      }
      return false;
    });
  });
}

// Min / Max / Sum / Mean over any number of inputs, folded pairwise.
template <Arith K, bool Mean = false>
void variadic_fn(OpContext& ctx) {
  const Node& n = ctx.node();
  QWASM_CHECK(ctx.input_count() >= 1, n.label(), ": needs at least one input");
  Tensor acc = widen_half(ctx.in(0));
  for (size_t i = 1; i < ctx.input_count(); ++i) {
    Tensor b = widen_half(ctx.in(i));
    QWASM_CHECK(b.dtype() == acc.dtype(), n.label(), ": input types differ");
    Tensor r(acc.dtype(), broadcast_shapes(acc.shape(), b.shape(), n.label()));
    visit_numeric(acc.dtype(), n.label(), [&](auto tag) {
      using T = decltype(tag);
      if constexpr (!std::is_same_v<T, bool>) broadcast_apply<T, T>(acc, b, r, [](T x, T y) { return arith(K, x, y); });
    });
    acc = r;
  }
  if (Mean) {
    QWASM_CHECK(acc.dtype() == DType::Float32 || acc.dtype() == DType::Float64, n.label(), ": Mean needs floats");
    const double k = double(ctx.input_count());
    for (int64_t i = 0; i < acc.size(); ++i) {
      if (acc.dtype() == DType::Float32) acc.data<float>()[i] = float(acc.data<float>()[i] / k);
      else acc.data<double>()[i] /= k;
    }
  }
  Tensor& out = ctx.output(0, ctx.in(0).dtype(), acc.shape());
  if (is_half(out.dtype())) narrow_half(acc, out);
  else std::copy_n(static_cast<const char*>(acc.raw()), acc.bytes(), static_cast<char*>(out.raw()));
}

}  // namespace

void register_elementwise_binary_ops(OpRegistry& r) {
  r.add_fn("", "Add", 1, arith_fn<Arith::Add>);
  r.add_fn("", "Sub", 1, arith_fn<Arith::Sub>);
  r.add_fn("", "Mul", 1, arith_fn<Arith::Mul>);
  r.add_fn("", "Div", 1, arith_fn<Arith::Div>);
  r.add_fn("", "Pow", 1, pow_fn);
  r.add_fn("", "Mod", 10, mod_fn);
  r.add_fn("", "PRelu", 1, arith_fn<Arith::PRelu>);
  r.add_fn("", "BitShift", 11, bitshift_fn);
  r.add_fn("", "BitwiseAnd", 18, bit_fn<Arith::BitAnd>);
  r.add_fn("", "BitwiseOr", 18, bit_fn<Arith::BitOr>);
  r.add_fn("", "BitwiseXor", 18, bit_fn<Arith::BitXor>);
  r.add_fn("", "Equal", 1, cmp_fn<Cmp::Eq>);
  r.add_fn("", "Less", 1, cmp_fn<Cmp::Lt>);
  r.add_fn("", "Greater", 1, cmp_fn<Cmp::Gt>);
  r.add_fn("", "LessOrEqual", 12, cmp_fn<Cmp::Le>);
  r.add_fn("", "GreaterOrEqual", 12, cmp_fn<Cmp::Ge>);
  r.add_fn("", "And", 1, cmp_fn<Cmp::And>);
  r.add_fn("", "Or", 1, cmp_fn<Cmp::Or>);
  r.add_fn("", "Xor", 1, cmp_fn<Cmp::Xor>);
  r.add_fn("", "Min", 1, variadic_fn<Arith::Min>);
  r.add_fn("", "Max", 1, variadic_fn<Arith::Max>);
  r.add_fn("", "Sum", 1, variadic_fn<Arith::Add>);
  r.add_fn("", "Mean", 1, variadic_fn<Arith::Add, true>);
}

}  // namespace qwasm
