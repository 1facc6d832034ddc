// Element-type plumbing for the elementwise family: a dtype visitor that also
// covers float16 / bfloat16 (as tag types stored in uint16_t and computed in
// float32), and `lift` which wraps a functor written for compute types so it
// reads and writes storage types. Kernels are written once as
// `template <class T> T operator()(T, T)` and work for every dtype.
#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

#include "graph/dtype.h"
#include "graph/error.h"
#include "graph/float16.h"
#include "ops/dtype_switch.h"
#include "ops/op.h"

namespace qwasm {

struct Half {};   // float16 tag
struct BHalf {};  // bfloat16 tag

// Storage type of a tag (what the tensor buffer holds) and the type the math runs in.
template <typename T> struct ElemTraits { using storage = T; using compute = T; };
template <> struct ElemTraits<Half> { using storage = uint16_t; using compute = float; };
template <> struct ElemTraits<BHalf> { using storage = uint16_t; using compute = float; };
// Bool buffers are read as bytes (any nonzero byte is true: buffers can come from users).
template <> struct ElemTraits<bool> { using storage = uint8_t; using compute = bool; };
template <typename T> using storage_t = typename ElemTraits<T>::storage;
template <typename T> using compute_t = typename ElemTraits<T>::compute;

template <typename T> constexpr bool is_half_tag_v = std::is_same_v<T, Half> || std::is_same_v<T, BHalf>;
// Float-like: the float types and the half tags.
template <typename T> constexpr bool is_float_tag_v = std::is_floating_point_v<T> || is_half_tag_v<T>;
template <typename T>
constexpr bool is_int_tag_v = std::is_integral_v<T> && !std::is_same_v<T, bool>;

template <typename T> inline compute_t<T> load_elem(storage_t<T> v) {
  if constexpr (std::is_same_v<T, Half>) return half_to_float(v);
  else if constexpr (std::is_same_v<T, BHalf>) return bfloat16_to_float(v);
  else if constexpr (std::is_same_v<T, bool>) return v != 0;
  else return v;
}

// Results of type float become half storage for half tags; anything else
// (bool from a comparison) passes through.
template <typename T, typename V> inline auto store_elem(V v) {
  if constexpr (is_half_tag_v<T> && std::is_same_v<V, float>) {
    if constexpr (std::is_same_v<T, Half>) return float_to_half(v);
    else return float_to_bfloat16(v);
  } else {
    return v;
  }
}

// Wraps op (written for compute types) to take and return storage values of tag T.
template <typename T, typename Op> auto lift(Op op) {
  if constexpr (!std::is_same_v<storage_t<T>, compute_t<T>>) {
    return [op](auto... xs) { return store_elem<T>(op(load_elem<T>(xs)...)); };
  } else {
    return op;
  }
}

// Element types whose elementwise loops are vectorised: those real models compute in
// (float32, the 8-bit and 32-bit quantised / index types, int64 shapes, bool masks).
// The rest (float64, 16-bit and unsigned 32/64-bit integers) run one plain loop per op:
// each vectorised instantiation costs a few KB of wasm, times every op and type.
template <typename T>
constexpr bool is_fast_elem_v = std::is_same_v<T, float> || std::is_same_v<T, int8_t> || std::is_same_v<T, uint8_t> ||
                                std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t> || std::is_same_v<T, bool>;

// d[i] = f(s[i]) for i < n: vectorised, or (Vectorise = false) one plain loop.
template <bool Vectorise, typename S, typename D, typename F>
inline void map_elems(const S* s, D* d, int64_t n, const F& f) {
  if constexpr (Vectorise) {
    for (int64_t i = 0; i < n; ++i) d[i] = f(s[i]);
  } else {
#if defined(__clang__)
#pragma clang loop vectorize(disable) interleave(disable) unroll(disable)
#endif
    for (int64_t i = 0; i < n; ++i) d[i] = f(s[i]);
  }
}

// float16 / bfloat16 results computed in float32 and rounded once into output 0 (of
// type `half`): `fill` writes the float32 tensor of `shape` it is given. The ops then
// need no float16 instantiations of their own.
template <typename Fill>
void via_float32(OpContext& ctx, DType half, const Shape& shape, Fill&& fill) {
  Tensor f(DType::Float32, shape);
  fill(f);
  narrow_half(f, ctx.output(0, half, shape));
}

// Calls f(T{}) for the element type `t`: float, double, the integer types,
// bool, Half, BHalf. Anything else throws naming `what`.
template <typename F>
auto visit_elem(DType t, const std::string& what, F&& f) {
  if (t == DType::Float16) return f(Half{});
  if (t == DType::BFloat16) return f(BHalf{});
  return visit_numeric(t, what, std::forward<F>(f));
}

// Float -> integer conversion that truncates toward zero (Cast semantics) and,
// where the value does not fit, saturates (NaN -> 0) instead of being undefined.
template <typename D, typename F> inline D float_to_int(F v) {
  if (!(v == v)) return D(0);
  if (v <= F(std::numeric_limits<D>::lowest())) return std::numeric_limits<D>::lowest();
  if (v >= F(std::numeric_limits<D>::max())) return std::numeric_limits<D>::max();
  return D(v);
}

[[noreturn]] inline void fail_type(const std::string& what, DType t, const char* wanted) {
  fail(what, ": element type ", dtype_name(t), " is not supported (expected ", wanted, ")");
}

}  // namespace qwasm
