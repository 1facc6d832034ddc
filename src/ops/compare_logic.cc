// Comparisons (Equal, Less, Greater, LessOrEqual, GreaterOrEqual) and logic
// (And, Or, Xor, Not) producing bool, the predicates IsNaN / IsInf,
// BitwiseNot, and Where (a broadcasting select of any element type).
#include <cmath>
#include <cstring>
#include <type_traits>

#include "ops/broadcast.h"
#include "ops/elementwise_types.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

struct EqualOp { template <typename T> bool operator()(T x, T y) const { return x == y; } };
struct LessOp { template <typename T> bool operator()(T x, T y) const { return x < y; } };
struct GreaterOp { template <typename T> bool operator()(T x, T y) const { return x > y; } };
struct LessEqualOp { template <typename T> bool operator()(T x, T y) const { return x <= y; } };
struct GreaterEqualOp { template <typename T> bool operator()(T x, T y) const { return x >= y; } };
struct AndOp { bool operator()(bool x, bool y) const { return x && y; } };
struct OrOp { bool operator()(bool x, bool y) const { return x || y; } };
struct XorOp { bool operator()(bool x, bool y) const { return x != y; } };

// Bool output of op(a, b) broadcast. `BoolOnly` ops (logic) need bool inputs;
// comparisons take any type (ordering comparisons of bools too: false < true).
// float16 / bfloat16 compare as float32 (exact); rare types run plain loops.
template <typename Op, bool BoolOnly = false>
void compare_fn(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& a0 = ctx.in(0);
  const Tensor& b0 = ctx.in(1);
  QWASM_CHECK(a0.dtype() == b0.dtype(), n.label(), ": input types differ (", dtype_name(a0.dtype()), " vs ",
              dtype_name(b0.dtype()), ")");
  const Shape os = broadcast_shapes(a0.shape(), b0.shape(), n.label());
  Tensor& out = ctx.output(0, DType::Bool, os);
  if (BoolOnly && a0.dtype() != DType::Bool) fail_type(n.label(), a0.dtype(), "bool");
  const Tensor a = widen_half(a0), b = widen_half(b0);
  visit_numeric(a.dtype(), n.label(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!BoolOnly || std::is_same_v<T, bool>) {
      using St = storage_t<T>;
      broadcast_binary<is_fast_elem_v<T>>(static_cast<const St*>(a.raw()), a.shape(), static_cast<const St*>(b.raw()),
                                          b.shape(), static_cast<uint8_t*>(out.raw()), os, lift<T>(Op{}));
    }
  });
}

void not_fn(OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  if (x.dtype() != DType::Bool) fail_type(ctx.node().label(), x.dtype(), "bool");
  Tensor& out = ctx.output(0, DType::Bool, x.shape());
  const uint8_t* s = static_cast<const uint8_t*>(x.raw());
  uint8_t* d = static_cast<uint8_t*>(out.raw());
  for (int64_t i = 0, n = x.size(); i < n; ++i) d[i] = s[i] == 0;
}

void bitwise_not_fn(OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  Tensor& out = ctx.output(0, x.dtype(), x.shape());
  visit_elem(x.dtype(), ctx.node().label(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (is_int_tag_v<T>) {
      const T* s = static_cast<const T*>(x.raw());
      T* d = static_cast<T*>(out.raw());
      for (int64_t i = 0, n = x.size(); i < n; ++i) d[i] = T(~s[i]);
    } else {
      fail_type(ctx.node().label(), x.dtype(), "an integer type");
    }
  });
}

// IsNaN (Inf = false) and IsInf (with detect_negative / detect_positive).
template <bool Inf>
void isnan_isinf_fn(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const bool neg = n.attr_i("detect_negative", 1) != 0, pos = n.attr_i("detect_positive", 1) != 0;
  Tensor& out = ctx.output(0, DType::Bool, x.shape());
  uint8_t* d = static_cast<uint8_t*>(out.raw());
  visit_elem(x.dtype(), n.label(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (is_float_tag_v<T>) {
      using St = storage_t<T>;
      const St* s = static_cast<const St*>(x.raw());
      for (int64_t i = 0, cnt = x.size(); i < cnt; ++i) {
        const auto v = load_elem<T>(s[i]);
        d[i] = Inf ? (std::isinf(v) && (v > 0 ? pos : neg)) : std::isnan(v);
      }
    } else {
      fail_type(n.label(), x.dtype(), "a float type");
    }
  });
}

// Where(cond, X, Y): copies elements by size, so every element type works.
template <typename E>
void where_typed(const Tensor& c, const Tensor& a, const Tensor& b, Tensor& out) {
  broadcast_ternary(static_cast<const uint8_t*>(c.raw()), c.shape(), static_cast<const E*>(a.raw()), a.shape(),
                    static_cast<const E*>(b.raw()), b.shape(), static_cast<E*>(out.raw()), out.shape(),
                    [](uint8_t k, E x, E y) { return k ? x : y; });
}

void where_fn(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& c = ctx.in(0);
  const Tensor& a = ctx.in(1);
  const Tensor& b = ctx.in(2);
  QWASM_CHECK(c.dtype() == DType::Bool, n.label(), ": condition must be bool, got ", dtype_name(c.dtype()));
  QWASM_CHECK(a.dtype() == b.dtype(), n.label(), ": X and Y types differ (", dtype_name(a.dtype()), " vs ",
              dtype_name(b.dtype()), ")");
  QWASM_CHECK(storage_bytes(a.dtype(), 2) == 2 * dtype_size(a.dtype()), n.label(), ": packed 4-bit types are not supported");
  const Shape os = broadcast_all({&c.shape(), &a.shape(), &b.shape()}, n.label());
  Tensor& out = ctx.output(0, a.dtype(), os);
  switch (dtype_size(a.dtype())) {
    case 1: where_typed<uint8_t>(c, a, b, out); break;
    case 2: where_typed<uint16_t>(c, a, b, out); break;
    case 4: where_typed<uint32_t>(c, a, b, out); break;
    case 8: where_typed<uint64_t>(c, a, b, out); break;
    default: fail_type(n.label(), a.dtype(), "a fixed-size element type");
  }
}

}  // namespace

void register_compare_logic_ops(OpRegistry& r) {
  r.add_fn("", "Equal", 1, compare_fn<EqualOp>);
  r.add_fn("", "Less", 1, compare_fn<LessOp>);
  r.add_fn("", "Greater", 1, compare_fn<GreaterOp>);
  r.add_fn("", "LessOrEqual", 12, compare_fn<LessEqualOp>);
  r.add_fn("", "GreaterOrEqual", 12, compare_fn<GreaterEqualOp>);
  r.add_fn("", "And", 1, compare_fn<AndOp, true>);
  r.add_fn("", "Or", 1, compare_fn<OrOp, true>);
  r.add_fn("", "Xor", 1, compare_fn<XorOp, true>);
  r.add_fn("", "Not", 1, not_fn);
  r.add_fn("", "BitwiseNot", 18, bitwise_not_fn);
  r.add_fn("", "IsNaN", 9, isnan_isinf_fn<false>);
  r.add_fn("", "IsInf", 10, isnan_isinf_fn<true>);
  r.add_fn("", "Where", 9, where_fn);
}

}  // namespace qwasm
