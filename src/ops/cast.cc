// Cast, CastLike and Identity. Cast covers every pair among float32, float64,
// float16, bfloat16, the 8/16/32/64-bit integers and bool. Float -> integer
// truncates toward zero; values that do not fit saturate and NaN gives 0 (the
// spec leaves both undefined; this keeps them deterministic). Anything -> bool
// is `!= 0` (so NaN -> true). Casting to the input's own type aliases it.
#include <type_traits>

#include "ops/elementwise_types.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

template <typename D, typename S> storage_t<D> convert_elem(storage_t<S> raw) {
  const auto v = load_elem<S>(raw);
  using V = std::remove_const_t<decltype(v)>;
  using CD = compute_t<D>;
  if constexpr (std::is_same_v<D, bool>) return storage_t<D>(v != V(0));
  else if constexpr (std::is_integral_v<CD> && std::is_floating_point_v<V>) return float_to_int<CD>(v);
  else if constexpr (is_half_tag_v<D> && std::is_same_v<V, double>) return store_elem<D>(float(v));
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

void cast_into(const Tensor& x, DType to, OpContext& ctx) {
  const std::string& label = ctx.node().label();
  if (!castable(x.dtype())) fail(label, ": cannot cast from ", dtype_name(x.dtype()));
  if (!castable(to)) fail(label, ": cannot cast to ", dtype_name(to));
  if (x.dtype() == to) {
    ctx.set_output(0, x);
    return;
  }
  Tensor& y = ctx.output(0, to, x.shape());
  visit_elem(x.dtype(), label, [&](auto stag) {
    using S = decltype(stag);
    visit_elem(to, label, [&](auto dtag) {
      using D = decltype(dtag);
      const storage_t<S>* s = static_cast<const storage_t<S>*>(x.raw());
      storage_t<D>* d = static_cast<storage_t<D>*>(y.raw());
      for (int64_t i = 0, n = x.size(); i < n; ++i) d[i] = convert_elem<D, S>(s[i]);
    });
  });
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

void register_cast_ops(OpRegistry& r) {
  r.add("", "Cast", 1, make_cast);
  r.add_fn("", "CastLike", 15, cast_like_fn);
  r.add_fn("", "Identity", 1, identity_fn, kTakesSequences);  // opset 16: optionals and sequences too
}

}  // namespace qwasm
