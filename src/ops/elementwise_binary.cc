// Binary arithmetic with numpy broadcasting: Add, Sub, Mul, Div, Mod, Pow,
// PRelu, BitShift, BitwiseAnd/Or/Xor, and the variadic Min/Max/Sum/Mean.
// Each op is a functor over compute types; float16/bfloat16 are widened to
// float32, computed there and rounded once (via_float32), so no op has half
// instantiations; rare types run plain loops (is_fast_elem_v). Integer math wraps (two's complement) and integer
// division by zero gives 0 instead of trapping (wasm traps on it).
#include <cmath>
#include <type_traits>

#include "ops/broadcast.h"
#include "ops/cast.h"
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

// out = op(a, b) broadcast over out's shape, all of element type T (no half tags).
template <typename Op, typename T, typename Fn = Op>
void binary_typed(const Tensor& a, const Tensor& b, Tensor& out, Fn op = Fn{}) {
  broadcast_binary<is_fast_elem_v<T>>(static_cast<const T*>(a.raw()), a.shape(), static_cast<const T*>(b.raw()),
                                      b.shape(), static_cast<T*>(out.raw()), out.shape(), op);
}

// out = op(a, b) broadcast, in a's element type.
template <typename Op, Types S>
void binary_into(OpContext& ctx, const Tensor& a, const Tensor& b, const Shape& os) {
  const std::string& label = ctx.node().label();
  if (is_half(a.dtype())) {
    if constexpr (S == Types::Numeric) {
      via_float32(ctx, a.dtype(), os, [&](Tensor& f) { binary_typed<Op, float>(widen_half(a), widen_half(b), f); });
      return;
    } else {
      fail_type(label, a.dtype(), type_words(S));
    }
  }
  Tensor& out = ctx.output(0, a.dtype(), os);
  visit_numeric(a.dtype(), label, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (accepts<S, T>()) binary_typed<Op, T>(a, b, out);
    else fail_type(label, a.dtype(), type_words(S));
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

// Pow(base X, exponent Y): the result has the base's type.
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

// The exponent's type for the math: float32 and float64 as they are, float16 / bfloat16
// widened to float32, integers widened (exactly) to int64 or uint64. So Pow has 4 x 4
// instantiations, not one per pair of ONNX types.
DType pow_exponent_type(const Node& n, DType t) {
  switch (t) {
    case DType::Float32: case DType::Float16: case DType::BFloat16: return DType::Float32;
    case DType::Float64: return DType::Float64;
    case DType::Int8: case DType::Int16: case DType::Int32: case DType::Int64: return DType::Int64;
    case DType::UInt8: case DType::UInt16: case DType::UInt32: case DType::UInt64: return DType::UInt64;
    default: fail_type(n.label(), t, "a numeric exponent");
  }
}

// out = a ^ b with the base a of type X (float, double, int32 or int64) into out.
template <typename X> void pow_typed(const Node& n, const Tensor& a, const Tensor& b0, Tensor& out) {
  const X* pa = static_cast<const X*>(a.raw());
  X* po = static_cast<X*>(out.raw());
  // Common exported forms (x^2 in LayerNorm decompositions, x^0.5) skip pow().
  if constexpr (std::is_floating_point_v<X>) {
    if (b0.size() == 1 && a.size() == out.size() && (b0.dtype() == DType::Float32 || b0.dtype() == DType::Float64)) {
      const double e = b0.get_f64(0);
      if (e == 2.0) { for (int64_t i = 0; i < a.size(); ++i) po[i] = pa[i] * pa[i]; return; }
      if (e == 0.5) { for (int64_t i = 0; i < a.size(); ++i) po[i] = std::sqrt(pa[i]); return; }
    }
  }
  const DType et = pow_exponent_type(n, b0.dtype());
  const Tensor b = b0.dtype() == et ? b0 : cast_tensor(b0, et, n.label());
  visit_numeric(et, n.label(), [&](auto ytag) {
    using Y = decltype(ytag);
    if constexpr (std::is_same_v<Y, float> || std::is_same_v<Y, double> || std::is_same_v<Y, int64_t> ||
                  std::is_same_v<Y, uint64_t>) {
      broadcast_binary<std::is_same_v<X, float>>(pa, a.shape(), static_cast<const Y*>(b.raw()), b.shape(), po,
                                                 out.shape(), [](X x, Y y) { return pow_elem(x, y); });
    }
  });
}

// Pow's base types are ONNX's: int32, int64, float16, float, double, bfloat16.
void pow_fn(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  const Shape os = broadcast_shapes(a.shape(), b.shape(), n.label());
  switch (a.dtype()) {
    case DType::Float16: case DType::BFloat16:
      via_float32(ctx, a.dtype(), os, [&](Tensor& f) { pow_typed<float>(n, widen_half(a), b, f); });
      return;
    case DType::Float32: pow_typed<float>(n, a, b, ctx.output(0, a.dtype(), os)); return;
    case DType::Float64: pow_typed<double>(n, a, b, ctx.output(0, a.dtype(), os)); return;
    case DType::Int32: pow_typed<int32_t>(n, a, b, ctx.output(0, a.dtype(), os)); return;
    case DType::Int64: pow_typed<int64_t>(n, a, b, ctx.output(0, a.dtype(), os)); return;
    default: fail_type(n.label(), a.dtype(), "a base of type int32, int64, float16, float, double or bfloat16");
  }
}

// acc = the broadcast copy of x over acc's shape, by element size (any type).
void broadcast_copy(const Tensor& x, Tensor& acc) {
  auto copy = [&](auto word) {
    using W = decltype(word);
    broadcast_binary(static_cast<const W*>(x.raw()), x.shape(), static_cast<const W*>(x.raw()), x.shape(),
                     static_cast<W*>(acc.raw()), acc.shape(), [](W v, W) { return v; });
  };
  switch (dtype_size(x.dtype())) {
    case 1: copy(uint8_t{}); break;
    case 2: copy(uint16_t{}); break;
    case 4: copy(uint32_t{}); break;
    default: copy(uint64_t{}); break;
  }
}

// Min / Max / Sum / Mean over one or more inputs, all broadcast together, folded
// into the output (float16 / bfloat16 in a float32 buffer, so a float16 Sum rounds
// once, not once per input). One binary instantiation per (op, type): acc = op(in0,
// in1), then acc = op(acc, in_i).
template <typename Op, bool Mean, typename T>
void variadic_typed(const std::vector<Tensor>& ins, Tensor& acc) {
  const size_t count = ins.size();
  if (count == 1) broadcast_copy(ins[0], acc);
  else binary_typed<Op, T>(ins[0], ins[1], acc);
  for (size_t i = 2; i < count; ++i) binary_typed<Op, T>(acc, ins[i], acc);
  if constexpr (Mean) {
    T* p = static_cast<T*>(acc.raw());
    const T k = T(count);
    for (int64_t i = 0, n = acc.size(); i < n; ++i) p[i] /= k;
  }
}

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
  const bool half = is_half(dt);
  std::vector<Tensor> ins;
  for (size_t i = 0; i < count; ++i) ins.push_back(half ? widen_half(ctx.in(i)) : ctx.in(i));
  auto run = [&](Tensor& acc) {
    visit_numeric(acc.dtype(), label, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (!accepts<S, T>() || (Mean && !std::is_floating_point_v<T>))
        fail_type(label, dt, Mean ? "a float type" : type_words(S));
      else
        variadic_typed<Op, Mean, T>(ins, acc);
    });
  };
  if (half) via_float32(ctx, dt, os, run);
  else run(ctx.output(0, dt, os));
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
