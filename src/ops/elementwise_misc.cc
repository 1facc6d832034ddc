// Where, Cast / CastLike, Identity.
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "ops/dispatch.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

template <typename D, typename S>
D convert(S v) {
  if constexpr (std::is_same_v<D, bool>) {
    return v != S(0);
  } else if constexpr (std::is_integral_v<D> && std::is_floating_point_v<S>) {
    // Truncate toward zero; NaN -> 0 and saturate instead of undefined behaviour.
    if (std::isnan(v)) return D(0);
    if (v <= S(std::numeric_limits<D>::lowest())) return std::numeric_limits<D>::lowest();
    if (v >= S(std::numeric_limits<D>::max())) return std::numeric_limits<D>::max();
    return D(v);
  } else {
    return D(v);
  }
}

void cast_into(const Tensor& src, Tensor& dst, const std::string& what) {
  Tensor s = widen_half(src);
  const bool half_out = is_half(dst.dtype());
  Tensor d = half_out ? Tensor(DType::Float32, src.shape()) : dst;
  visit_numeric(s.dtype(), what, [&](auto stag) {
    using S = decltype(stag);
    visit_numeric(d.dtype(), what, [&](auto dtag) {
      using D = decltype(dtag);
      const S* in = static_cast<const S*>(s.raw());
      D* out = static_cast<D*>(d.raw());
      for (int64_t i = 0; i < s.size(); ++i) out[i] = convert<D>(in[i]);
    });
  });
  if (half_out) narrow_half(d, dst);
}

DType checked_dtype(int64_t to, const Node& n) {
  QWASM_CHECK(dtype_is_valid(int32_t(to)), n.label(), ": 'to' is not a valid data type (", to, ")");
  DType t = DType(to);
  QWASM_CHECK(t != DType::String && dtype_size(t) > 0 && t != DType::Int4 && t != DType::UInt4 &&
                  t != DType::Complex64 && t != DType::Complex128 && t < DType::Float8E4M3FN,
              n.label(), ": cast to ", dtype_name(t), " is not supported");
  return t;
}

class Cast : public OpKernel {
 public:
  explicit Cast(DType to) : to_(to) {}
  void compute(OpContext& ctx) override {
    const Tensor& x = ctx.in(0);
    if (x.dtype() == to_) {
      ctx.set_output(0, x);
      return;
    }
    cast_into(x, ctx.output(0, to_, x.shape()), ctx.node().label());
  }

 private:
  DType to_;
};

void cast_like(OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  const DType to = ctx.in(1).dtype();
  if (x.dtype() == to) {
    ctx.set_output(0, x);
    return;
  }
  cast_into(x, ctx.output(0, to, x.shape()), ctx.node().label());
}

void identity(OpContext& ctx) { ctx.set_output(0, ctx.in(0)); }

void where_fn(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& c = ctx.in(0);
  const Tensor& a = ctx.in(1);
  const Tensor& b = ctx.in(2);
  QWASM_CHECK(c.dtype() == DType::Bool, n.label(), ": condition must be bool");
  QWASM_CHECK(a.dtype() == b.dtype(), n.label(), ": X and Y types differ");
  Shape shape = broadcast_shapes(broadcast_shapes(c.shape(), a.shape(), n.label()), b.shape(), n.label());
  Tensor& out = ctx.output(0, a.dtype(), shape);
  const size_t es = dtype_size(a.dtype());
  const uint8_t* pc = c.data<uint8_t>();
  const char* pa = static_cast<const char*>(a.raw());
  const char* pb = static_cast<const char*>(b.raw());
  char* po = static_cast<char*>(out.raw());
  BroadcastIter it(shape, {c.shape(), a.shape(), b.shape()});
  it.for_each_run([&](int64_t o, const int64_t* off, const int64_t* st, int64_t cnt) {
    for (int64_t i = 0; i < cnt; ++i) {
      const char* src = pc[off[0] + i * st[0]] ? pa + (off[1] + i * st[1]) * int64_t(es) : pb + (off[2] + i * st[2]) * int64_t(es);
      std::memcpy(po + (o + i) * int64_t(es), src, es);
    }
  });
}

}  // namespace

void register_elementwise_misc_ops(OpRegistry& r) {
  r.add("", "Cast", 1, [](const BuildContext& bc) { return std::make_unique<Cast>(checked_dtype(bc.node.attr_i("to"), bc.node)); });
  r.add_fn("", "CastLike", 15, cast_like);
  r.add_fn("", "Identity", 1, identity);
  r.add_fn("", "Where", 9, where_fn);
}

}  // namespace qwasm
