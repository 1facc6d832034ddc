// Cast, CastLike and Identity. Cast covers every pair among float32, float64,
// float16, bfloat16, the 8/16/32/64-bit integers and bool. Float -> integer
// truncates toward zero; values that do not fit saturate and NaN gives 0 (the
// spec leaves both undefined; this keeps them deterministic). Anything -> bool
// is `!= 0` (so NaN -> true). Casting to the input's own type aliases it.
//
// Every pair goes through one of three wide types in blocks (float64 for the float
// types, int64 for the signed integers and bool, uint64 for the unsigned ones): each
// type converts into its wide type exactly, and out of a wide type with the same
// rounding, truncation and saturation as directly. So there are 13 + 3 x 13 loops
// instead of 13 x 13, plus one-pass loops for the pairs models cast in bulk (kDirect).
#include <algorithm>
#include <type_traits>

#include "ops/cast.h"
#include "ops/elementwise_types.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

template <typename D, typename W> storage_t<D> convert_elem(W v) {
  using CD = compute_t<D>;
  if constexpr (std::is_same_v<D, bool>) return storage_t<D>(v != W(0));
  else if constexpr (std::is_integral_v<CD> && std::is_floating_point_v<W>) return float_to_int<CD>(v);
  else if constexpr (is_half_tag_v<D> && std::is_same_v<W, double>) return store_elem<D>(float(v));
  else return store_elem<D>(CD(v));
}

bool castable(DType t) {
  switch (t) {
    case DType::Float32: case DType::Float64: case DType::Float16: case DType::BFloat16:
    case DType::Int8: case DType::UInt8: case DType::Int16: case DType::UInt16:
    case DType::Int32: case DType::UInt32: case DType::Int64: case DType::UInt64: case DType::Bool:
      return true;
    default:
      return false;
  }
}

// The wide type a tag converts into exactly.
template <typename S>
using wide_t = std::conditional_t<is_float_tag_v<S>, double,
                                  std::conditional_t<std::is_unsigned_v<S>, uint64_t, int64_t>>;

// The two steps as plain functions over a block of m elements starting at element i0.
using ToWideFn = void (*)(const void* src, int64_t i0, void* wide, int64_t m);
using FromWideFn = void (*)(const void* wide, void* dst, int64_t i0, int64_t m);

template <typename S> void to_wide(const void* src, int64_t i0, void* wide, int64_t m) {
  const storage_t<S>* s = static_cast<const storage_t<S>*>(src) + i0;
  wide_t<S>* w = static_cast<wide_t<S>*>(wide);
  for (int64_t i = 0; i < m; ++i) w[i] = wide_t<S>(load_elem<S>(s[i]));
}

template <typename D, typename W> void from_wide(const void* wide, void* dst, int64_t i0, int64_t m) {
  const W* w = static_cast<const W*>(wide);
  storage_t<D>* d = static_cast<storage_t<D>*>(dst) + i0;
  for (int64_t i = 0; i < m; ++i) d[i] = convert_elem<D>(w[i]);
}

// The pairs real models cast in bulk (image bytes to float, masks, index and shape math,
// float16 halves), converted in one pass instead of two.
template <typename S, typename D> void direct(const void* src, void* dst, int64_t n) {
  const storage_t<S>* s = static_cast<const storage_t<S>*>(src);
  storage_t<D>* d = static_cast<storage_t<D>*>(dst);
  for (int64_t i = 0; i < n; ++i) d[i] = convert_elem<D>(load_elem<S>(s[i]));
}
struct DirectPair {
  DType from, to;
  void (*fn)(const void*, void*, int64_t);
};
constexpr DirectPair kDirect[] = {
    {DType::UInt8, DType::Float32, direct<uint8_t, float>},   {DType::Int8, DType::Float32, direct<int8_t, float>},
    {DType::Float32, DType::UInt8, direct<float, uint8_t>},   {DType::Float32, DType::Int8, direct<float, int8_t>},
    {DType::Int64, DType::Float32, direct<int64_t, float>},   {DType::Float32, DType::Int64, direct<float, int64_t>},
    {DType::Int32, DType::Float32, direct<int32_t, float>},   {DType::Float32, DType::Int32, direct<float, int32_t>},
    {DType::Int64, DType::Int32, direct<int64_t, int32_t>},   {DType::Int32, DType::Int64, direct<int32_t, int64_t>},
    {DType::Bool, DType::Float32, direct<bool, float>},       {DType::Bool, DType::Int64, direct<bool, int64_t>},
    {DType::Float32, DType::Bool, direct<float, bool>},       {DType::Int64, DType::Bool, direct<int64_t, bool>},
    {DType::Float32, DType::Float16, direct<float, Half>},    {DType::Float16, DType::Float32, direct<Half, float>},
};

// Converts n elements of type `from` at src into `to` at dst (both castable).
void convert(const void* src, DType from, void* dst, DType to, int64_t n, const std::string& what) {
  for (const DirectPair& p : kDirect)
    if (p.from == from && p.to == to) return p.fn(src, dst, n);
  int wide_kind = 0;  // 0: double, 1: int64_t, 2: uint64_t
  const ToWideFn step1 = visit_elem(from, what, [&](auto stag) -> ToWideFn {
    using W = wide_t<decltype(stag)>;
    wide_kind = std::is_floating_point_v<W> ? 0 : std::is_signed_v<W> ? 1 : 2;
    return to_wide<decltype(stag)>;
  });
  const FromWideFn step2 = visit_elem(to, what, [&](auto dtag) -> FromWideFn {
    using D = decltype(dtag);
    return wide_kind == 0 ? from_wide<D, double> : wide_kind == 1 ? from_wide<D, int64_t> : from_wide<D, uint64_t>;
  });
  constexpr int64_t kBlock = 512;  // 4 KB of wide values: stays in L1 between the two steps
  uint64_t wide[kBlock];
  for (int64_t i0 = 0; i0 < n; i0 += kBlock) {
    const int64_t m = std::min(kBlock, n - i0);
    step1(src, i0, wide, m);
    step2(wide, dst, i0, m);
  }
}

void cast_into(const Tensor& x, DType to, OpContext& ctx) {
  const std::string& label = ctx.node().label();
  if (!castable(x.dtype())) fail(label, ": cannot cast from ", dtype_name(x.dtype()));
  if (!castable(to)) fail(label, ": cannot cast to ", dtype_name(to));
  if (x.dtype() == to) {
    ctx.set_output(0, x);
    return;
  }
  convert(x.raw(), x.dtype(), ctx.output(0, to, x.shape()).raw(), to, x.size(), label);
}

class CastKernel : public OpKernel {
 public:
  explicit CastKernel(DType to) : to_(to) {}
  void compute(OpContext& ctx) override { cast_into(ctx.in(0), to_, ctx); }

 private:
  DType to_;
};

std::unique_ptr<OpKernel> make_cast(const BuildContext& bc) {
  const Node& n = bc.node;
  const int64_t to = n.attr_i("to");
  QWASM_CHECK(to >= 0 && to <= INT32_MAX && dtype_is_valid(int32_t(to)), n.label(), ": attribute 'to' (", to,
              ") is not an ONNX data type");
  const DType t = DType(to);
  QWASM_CHECK(castable(t), n.label(), ": cast to ", dtype_name(t), " is not supported");
  return std::make_unique<CastKernel>(t);
}

void cast_like_fn(OpContext& ctx) { cast_into(ctx.in(0), ctx.in(1).dtype(), ctx); }

void identity_fn(OpContext& ctx) { ctx.set_output(0, ctx.in(0)); }

}  // namespace

Tensor cast_tensor(const Tensor& x, DType to, const std::string& what) {
  if (!castable(x.dtype())) fail(what, ": cannot convert from ", dtype_name(x.dtype()));
  if (!castable(to)) fail(what, ": cannot convert to ", dtype_name(to));
  if (x.dtype() == to) return x;
  Tensor y(to, x.shape());
  convert(x.raw(), x.dtype(), y.raw(), to, x.size(), what);
  return y;
}

void register_cast_ops(OpRegistry& r) {
  r.add("", "Cast", 1, make_cast);
  r.add_fn("", "CastLike", 15, cast_like_fn);
  r.add_fn("", "Identity", 1, identity_fn, kTakesSequences);  // opset 16: optionals and sequences too
}

}  // namespace qwasm
