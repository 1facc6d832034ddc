// Binary arithmetic with numpy broadcasting: Add, Sub, Mul, Div, Mod, Pow,
// PRelu, BitShift, BitwiseAnd/Or/Xor, and the variadic Min/Max/Sum/Mean.
// Each op is a functor over compute types; float16/bfloat16 run in float32
// (see elementwise_types.h). Integer math wraps (two's complement) and integer
// division by zero gives 0 instead of trapping (wasm traps on it).
#include <cmath>
#include <type_traits>

#include "ops/broadcast.h"
#include "ops/elementwise_types.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

// Unsigned type wide enough that wrapping arithmetic is defined (no int promotion).
template <typename T> using wrap_t = std::conditional_t<(sizeof(T) < 8), uint32_t, uint64_t>;

struct AddOp {
  template <typename T> T operator()(T x, T y) const {
    if constexpr (std::is_integral_v<T>) return T(wrap_t<T>(x) + wrap_t<T>(y));
    else return x + y;
  }
};
struct SubOp {
  template <typename T> T operator()(T x, T y) const {
    if constexpr (std::is_integral_v<T>) return T(wrap_t<T>(x) - wrap_t<T>(y));
    else return x - y;
  }
};
struct MulOp {
  template <typename T> T operator()(T x, T y) const {
    if constexpr (std::is_integral_v<T>) return T(wrap_t<T>(x) * wrap_t<T>(y));
    else return x * y;
  }
};
struct DivOp {
  template <typename T> T operator()(T x, T y) const {
    if constexpr (std::is_integral_v<T>) {
      if (y == 0) return T(0);
      if constexpr (std::is_signed_v<T>) if (y == T(-1)) return T(wrap_t<T>(0) - wrap_t<T>(x));  // MIN / -1
      return T(x / y);
    } else {
      return x / y;
    }
  }
};
// Mod with fmod=0: the result takes the divisor's sign (Python / numpy.mod).
struct ModOp {
  template <typename T> T operator()(T x, T y) const {
    if constexpr (std::is_integral_v<T>) {
      if (y == 0) return T(0);
      if constexpr (std::is_signed_v<T>) {
        if (y == T(-1)) return T(0);
        T r = T(x % y);
        return (r != 0 && ((r < 0) != (y < 0))) ? T(r + y) : r;
      } else {
        return T(x % y);
      }
    } else {
      T r = std::fmod(x, y);
      return (r != 0 && ((r < 0) != (y < 0))) ? r + y : r;
    }
  }
};
// Mod with fmod=1: the result takes the dividend's sign (C fmod).
struct FModOp {
  template <typename T> T operator()(T x, T y) const {
    if constexpr (std::is_integral_v<T>) {
      if (y == 0) return T(0);
      if constexpr (std::is_signed_v<T>) if (y == T(-1)) return T(0);
      return T(x % y);
    } else {
      return std::fmod(x, y);
    }
  }
};
// Min / Max propagate NaN (as numpy and onnxruntime do).
struct MinOp {
  template <typename T> T operator()(T x, T y) const {
    if constexpr (std::is_floating_point_v<T>) if (y != y) return y;
    return y < x ? y : x;
  }
};
struct MaxOp {
  template <typename T> T operator()(T x, T y) const {
    if constexpr (std::is_floating_point_v<T>) if (y != y) return y;
    return y > x ? y : x;
  }
};
struct PReluOp {
  template <typename T> T operator()(T x, T slope) const { return x < T(0) ? MulOp{}(x, slope) : x; }
};
struct BitAndOp { template <typename T> T operator()(T x, T y) const { return T(x & y); } };
struct BitOrOp { template <typename T> T operator()(T x, T y) const { return T(x | y); } };
struct BitXorOp { template <typename T> T operator()(T x, T y) const { return T(x ^ y); } };
struct ShiftLeftOp {
  template <typename T> T operator()(T x, T y) const { return y >= T(sizeof(T) * 8) ? T(0) : T(x << y); }
};
struct ShiftRightOp {
  template <typename T> T operator()(T x, T y) const { return y >= T(sizeof(T) * 8) ? T(0) : T(x >> y); }
};

// Which element types an op accepts.
enum class Types { Numeric, Integer, Unsigned };

template <Types S, typename T> constexpr bool accepts() {
  if constexpr (S == Types::Numeric) return !std::is_same_v<T, bool>;
  else if constexpr (S == Types::Integer) return is_int_tag_v<T>;
  else return is_int_tag_v<T> && std::is_unsigned_v<T>;
}

const char* type_words(Types s) {
  return s == Types::Numeric ? "a numeric type" : s == Types::Integer ? "an integer type" : "an unsigned integer type";
}

void check_same_type(const OpContext& ctx, const Tensor& a, const Tensor& b) {
  QWASM_CHECK(a.dtype() == b.dtype(), ctx.node().label(), ": input types differ (", dtype_name(a.dtype()), " vs ",
              dtype_name(b.dtype()), ")");
}

// out = op(a, b) broadcast, in a's element type.
template <typename Op, Types S>
void binary_into(OpContext& ctx, const Tensor& a, const Tensor& b, const Shape& os) {
  Tensor& out = ctx.output(0, a.dtype(), os);
  visit_elem(a.dtype(), ctx.node().label(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (accepts<S, T>()) {
      using St = storage_t<T>;
      broadcast_binary(static_cast<const St*>(a.raw()), a.shape(), static_cast<const St*>(b.raw()), b.shape(),
                       static_cast<St*>(out.raw()), os, lift<T>(Op{}));
    } else {
      fail_type(ctx.node().label(), a.dtype(), type_words(S));
    }
  });
}

template <typename Op, Types S = Types::Numeric>
void binary_fn(OpContext& ctx) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  check_same_type(ctx, a, b);
  binary_into<Op, S>(ctx, a, b, broadcast_shapes(a.shape(), b.shape(), ctx.node().label()));
}

void mod_fn(OpContext& ctx) {
  if (ctx.node().attr_i("fmod", 0)) binary_fn<FModOp>(ctx);
  else binary_fn<ModOp>(ctx);
}

void bitshift_fn(OpContext& ctx) {
  const std::string dir = ctx.node().attr_s("direction", "");
  QWASM_CHECK(dir == "LEFT" || dir == "RIGHT", ctx.node().label(), ": direction must be \"LEFT\" or \"RIGHT\", got \"",
              dir, "\"");
  if (dir == "LEFT") binary_fn<ShiftLeftOp, Types::Unsigned>(ctx);
  else binary_fn<ShiftRightOp, Types::Unsigned>(ctx);
}

// PRelu: slope broadcasts to X (unidirectionally); the output has X's shape.
void prelu_fn(OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  const Tensor& slope = ctx.in(1);
  check_same_type(ctx, x, slope);
  QWASM_CHECK(broadcast_shapes(x.shape(), slope.shape(), ctx.node().label()) == x.shape(), ctx.node().label(),
              ": slope shape ", shape_str(slope.shape()), " does not broadcast to X shape ", shape_str(x.shape()));
  binary_into<PReluOp, Types::Numeric>(ctx, x, slope, x.shape());
}

// Integer power by squaring (wrapping); negative exponents give 1/x^n truncated.
template <typename X, typename Y> X int_pow(X x, Y y) {
  if constexpr (std::is_signed_v<Y>) {
    if (y < 0) return x == X(1) ? X(1) : (std::is_signed_v<X> && x == X(-1)) ? ((y & 1) ? x : X(1)) : X(0);
  }
  X r = 1;
  for (auto e = std::make_unsigned_t<Y>(y); e; e >>= 1) {
    if (e & 1) r = MulOp{}(r, x);
    x = MulOp{}(x, x);
  }
  return r;
}

// Pow(base X, exponent Y): any numeric types; the result has the base's type.
template <typename X, typename Y> X pow_elem(X x, Y y) {
  if constexpr (std::is_floating_point_v<X>) {
    if constexpr (std::is_same_v<X, Y>) return std::pow(x, y);
    else return X(std::pow(double(x), double(y)));
  } else if constexpr (std::is_integral_v<Y>) {
    return int_pow(x, y);
  } else {
    return float_to_int<X>(std::pow(double(x), double(y)));
  }
}

void pow_fn(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  const Shape os = broadcast_shapes(a.shape(), b.shape(), n.label());
  Tensor& out = ctx.output(0, a.dtype(), os);
  visit_elem(a.dtype(), n.label(), [&](auto xtag) {
    using X = decltype(xtag);
    using Sx = storage_t<X>;
    using Cx = compute_t<X>;
    if constexpr (std::is_same_v<X, bool>) {
      fail_type(n.label(), a.dtype(), "a numeric base");
    } else {
      const Sx* pa = static_cast<const Sx*>(a.raw());
      Sx* po = static_cast<Sx*>(out.raw());
      // Common exported forms (x^2 in LayerNorm decompositions, x^0.5) skip pow().
      if constexpr (std::is_floating_point_v<Cx>) {
        if (b.size() == 1 && a.size() == out.size() && (b.dtype() == DType::Float32 || b.dtype() == DType::Float64)) {
          const double e = b.get_f64(0);
          auto sq = lift<X>([](Cx v) { return v * v; });
          auto rt = lift<X>([](Cx v) { return std::sqrt(v); });
          if (e == 2.0) { for (int64_t i = 0; i < a.size(); ++i) po[i] = sq(pa[i]); return; }
          if (e == 0.5) { for (int64_t i = 0; i < a.size(); ++i) po[i] = rt(pa[i]); return; }
        }
      }
      visit_elem(b.dtype(), n.label(), [&](auto ytag) {
        using Y = decltype(ytag);
        using Sy = storage_t<Y>;
        if constexpr (std::is_same_v<Y, bool>) {
          fail_type(n.label(), b.dtype(), "a numeric exponent");
        } else {
          broadcast_binary(pa, a.shape(), static_cast<const Sy*>(b.raw()), b.shape(), po, os, [](Sx x, Sy y) {
            return store_elem<X>(pow_elem(load_elem<X>(x), load_elem<Y>(y)));
          });
        }
      });
    }
  });
}

// Min / Max / Sum / Mean over one or more inputs, all broadcast together. Folds
// into a buffer of the output shape in the compute type (float32 for halves,
// so a float16 Sum rounds once, not once per input).
template <typename Op, bool Mean, Types S>
void variadic_fn(OpContext& ctx) {
  const std::string& label = ctx.node().label();
  const size_t count = ctx.input_count();
  QWASM_CHECK(count >= 1, label, ": needs at least one input");
  std::vector<const Shape*> shapes;
  for (size_t i = 0; i < count; ++i) {
    QWASM_CHECK(ctx.input(i), label, ": input ", i, " is missing");
    QWASM_CHECK(ctx.in(i).dtype() == ctx.in(0).dtype(), label, ": input ", i, " has type ",
                dtype_name(ctx.in(i).dtype()), ", input 0 has ", dtype_name(ctx.in(0).dtype()));
    shapes.push_back(&ctx.in(i).shape());
  }
  const Shape os = broadcast_all(shapes, label);
  const DType dt = ctx.in(0).dtype();
  Tensor& out = ctx.output(0, dt, os);
  visit_elem(dt, label, [&](auto tag) {
    using T = decltype(tag);
    using St = storage_t<T>;
    using C = compute_t<T>;
    if constexpr (!accepts<S, T>() || (Mean && !is_float_tag_v<T>)) {
      fail_type(label, dt, Mean ? "a float type" : type_words(S));
    } else {
      Tensor tmp = std::is_same_v<St, C> ? out : Tensor(DType::Float32, os);
      C* acc = static_cast<C*>(tmp.raw());
      auto in = [&](size_t i) { return static_cast<const St*>(ctx.in(i).raw()); };
      const Op op{};
      if (count == 1) {
        broadcast_binary(in(0), *shapes[0], in(0), *shapes[0], acc, os, [](St x, St) { return load_elem<T>(x); });
      } else {
        broadcast_binary(in(0), *shapes[0], in(1), *shapes[1], acc, os,
                         [op](St x, St y) { return op(load_elem<T>(x), load_elem<T>(y)); });
      }
      for (size_t i = 2; i < count; ++i)
        broadcast_binary(acc, os, in(i), *shapes[i], acc, os, [op](C x, St y) { return op(x, load_elem<T>(y)); });
      const int64_t n = out.size();
      if constexpr (Mean) {
        const C k = C(count);
        for (int64_t i = 0; i < n; ++i) acc[i] /= k;
      }
      if constexpr (!std::is_same_v<St, C>) {
        St* po = static_cast<St*>(out.raw());
        for (int64_t i = 0; i < n; ++i) po[i] = store_elem<T>(acc[i]);
      }
    }
  });
}

}  // namespace

void register_elementwise_binary_ops(OpRegistry& r) {
  r.add_fn("", "Add", 1, binary_fn<AddOp>);
  r.add_fn("", "Sub", 1, binary_fn<SubOp>);
  r.add_fn("", "Mul", 1, binary_fn<MulOp>);
  r.add_fn("", "Div", 1, binary_fn<DivOp>);
  r.add_fn("", "Pow", 1, pow_fn);
  r.add_fn("", "Mod", 10, mod_fn);
  r.add_fn("", "PRelu", 1, prelu_fn);
  r.add_fn("", "BitShift", 11, bitshift_fn);
  r.add_fn("", "BitwiseAnd", 18, binary_fn<BitAndOp, Types::Integer>);
  r.add_fn("", "BitwiseOr", 18, binary_fn<BitOrOp, Types::Integer>);
  r.add_fn("", "BitwiseXor", 18, binary_fn<BitXorOp, Types::Integer>);
  r.add_fn("", "Min", 1, variadic_fn<MinOp, false, Types::Numeric>);
  r.add_fn("", "Max", 1, variadic_fn<MaxOp, false, Types::Numeric>);
  r.add_fn("", "Sum", 1, variadic_fn<AddOp, false, Types::Numeric>);
  r.add_fn("", "Mean", 1, variadic_fn<AddOp, true, Types::Numeric>);
}

}  // namespace qwasm
