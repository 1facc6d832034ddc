// Ops that produce values from attributes, shapes or simple patterns:
// Constant, ConstantOfShape, Range, EyeLike, OneHot, Trilu. Fill values are
// built once as element bytes (scalar_bytes), so every dtype works alike.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "ops/dtype_switch.h"
#include "ops/registry.h"
#include "ops/shape_util.h"

namespace qwasm {
namespace {

// The loader folds Constant nodes, but a graph may still run one (e.g. inside
// tests that feed nothing else); the value attribute is shared, never copied.
void constant(OpContext& ctx) {
  const Node& n = ctx.node();
  if (const Tensor* t = n.attr_t("value")) {
    ctx.set_output(0, *t);
  } else if (n.has_attr("value_float")) {
    ctx.output(0, DType::Float32, {}).data<float>()[0] = n.attr_f("value_float", 0);
  } else if (n.has_attr("value_int")) {
    ctx.output(0, DType::Int64, {}).data<int64_t>()[0] = n.attr_i("value_int", 0);
  } else if (n.has_attr("value_floats")) {
    const auto v = n.attr_floats("value_floats");
    Tensor& o = ctx.output(0, DType::Float32, {int64_t(v.size())});
    std::copy(v.begin(), v.end(), o.data<float>());
  } else if (n.has_attr("value_ints")) {
    const auto v = n.attr_ints("value_ints");
    Tensor& o = ctx.output(0, DType::Int64, {int64_t(v.size())});
    std::copy(v.begin(), v.end(), o.data<int64_t>());
  } else {
    fail(n.label(), ": needs a value, value_float(s) or value_int(s) attribute (sparse and string values are not "
         "supported)");
  }
}

void check_constant(const Node& n) {
  QWASM_CHECK(n.has_attr("value") || n.has_attr("value_float") || n.has_attr("value_int") ||
                  n.has_attr("value_floats") || n.has_attr("value_ints"),
              n.label(), ": needs a value, value_float(s) or value_int(s) attribute (sparse and string values are "
              "not supported)");
}

void constant_of_shape(OpContext& ctx) {
  const Node& n = ctx.node();
  const Shape s = ints_of(ctx.in(0));
  for (int64_t d : s) QWASM_CHECK(d >= 0, n.label(), ": negative dim ", d, " in shape ", shape_str(s));
  const Tensor* v = n.attr_t("value");
  const DType dt = v ? v->dtype() : DType::Float32;
  QWASM_CHECK(!v || v->size() == 1, n.label(), ": value must hold exactly one element");
  const size_t es = moved_elem_size(v ? *v : ctx.in(0), n);
  Tensor& out = ctx.output(0, dt, s);
  if (!v) std::memset(out.raw(), 0, out.bytes());
  else fill_elems(out.raw(), v->raw(), es, out.size());
}

void range_op(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& s = ctx.in(0);
  const Tensor& l = ctx.in(1);
  const Tensor& d = ctx.in(2);
  QWASM_CHECK(s.size() == 1 && l.size() == 1 && d.size() == 1, n.label(), ": start, limit and delta must be scalars");
  QWASM_CHECK(l.dtype() == s.dtype() && d.dtype() == s.dtype(), n.label(),
              ": start, limit and delta must have one type");
  visit_numeric(s.dtype(), n.label(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      fail(n.label(), ": Range does not take bool");
    } else {
      const T st = static_cast<const T*>(s.raw())[0], lim = static_cast<const T*>(l.raw())[0];
      const T dl = static_cast<const T*>(d.raw())[0];
      QWASM_CHECK(dl != T(0), n.label(), ": delta is 0");
      int64_t count;
      if constexpr (std::is_integral_v<T>) {  // exact ceil-division (doubles lose int64 precision)
        const int64_t diff = int64_t(lim) - int64_t(st), dd = int64_t(dl);
        count = dd > 0 ? (diff > 0 ? (diff + dd - 1) / dd : 0) : (diff < 0 ? (diff + dd + 1) / dd : 0);
      } else {  // like numpy.arange: the length from a double division
        count = std::max<int64_t>(int64_t(std::ceil((double(lim) - double(st)) / double(dl))), 0);
      }
      T* o = static_cast<T*>(ctx.output(0, s.dtype(), {count}).raw());
      for (int64_t i = 0; i < count; ++i) o[i] = T(st + T(i) * dl);
    }
  });
}

void eye_like(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  QWASM_CHECK(x.rank() == 2, n.label(), ": input must be 2-D, got ", shape_str(x.shape()));
  const DType dt = n.has_attr("dtype") ? DType(n.attr_i("dtype")) : x.dtype();
  const int64_t k = n.attr_i("k", 0);
  const ElemBytes one = scalar_bytes(dt, 1, n);
  const size_t es = dtype_size(dt);
  Tensor& out = ctx.output(0, dt, x.shape());
  std::memset(out.raw(), 0, out.bytes());
  char* p = static_cast<char*>(out.raw());
  const int64_t rows = x.dim(0), cols = x.dim(1);
  for (int64_t i = std::max<int64_t>(0, -k); i < rows && i + k < cols; ++i)
    std::memcpy(p + size_t(i * cols + i + k) * es, one.data(), es);
}

void one_hot(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& idx = ctx.in(0);
  const Tensor& dep = ctx.in(1);
  const Tensor& vals = ctx.in(2);
  QWASM_CHECK(dep.size() == 1, n.label(), ": depth must hold one value");
  const int64_t depth = int64_t(dep.get_f64(0));
  QWASM_CHECK(depth > 0, n.label(), ": depth must be positive, got ", depth);
  QWASM_CHECK(vals.size() == 2, n.label(), ": values must hold [off_value, on_value], got ", vals.size(), " entries");
  const int64_t r = idx.rank() + 1;
  const int64_t axis = normalize_axis(n.attr_i("axis", -1), r, n.label());
  Shape shape = idx.shape();
  shape.insert(shape.begin() + axis, depth);
  const size_t es = moved_elem_size(vals, n);
  Tensor& out = ctx.output(0, vals.dtype(), shape);
  const char* off_v = static_cast<const char*>(vals.raw());
  const char* on_v = off_v + es;
  fill_elems(out.raw(), off_v, es, out.size());
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= shape[size_t(d)];
  for (int64_t d = axis + 1; d < r; ++d) inner *= shape[size_t(d)];
  char* p = static_cast<char*>(out.raw());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t v = int64_t(idx.get_f64(o * inner + i));
      if (v < 0) v += depth;
      if (v >= 0 && v < depth)  // out-of-range indices leave the whole column off
        std::memcpy(p + size_t((o * depth + v) * inner + i) * es, on_v, es);
    }
}

void trilu(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  QWASM_CHECK(x.rank() >= 2, n.label(), ": input must have rank >= 2, got ", shape_str(x.shape()));
  const int64_t k = ctx.input(1) ? ctx.in(1).get_i64(0) : 0;
  const bool upper = n.attr_i("upper", 1) != 0;
  const size_t es = moved_elem_size(x, n);
  Tensor& out = ctx.output(0, x.dtype(), x.shape());
  if (out.size() == 0) return;
  std::memcpy(out.raw(), x.raw(), out.bytes());
  const int64_t rows = x.dim(x.rank() - 2), cols = x.dim(x.rank() - 1);
  const int64_t mats = x.size() / (rows * cols);
  char* p = static_cast<char*>(out.raw());
  for (int64_t m = 0; m < mats; ++m)
    for (int64_t i = 0; i < rows; ++i) {
      // upper keeps j >= i + k (zero [0, i+k)); lower keeps j <= i + k (zero (i+k, cols)).
      const int64_t a = upper ? 0 : std::clamp<int64_t>(i + k + 1, 0, cols);
      const int64_t b = upper ? std::clamp<int64_t>(i + k, 0, cols) : cols;
      if (b > a) std::memset(p + size_t((m * rows + i) * cols + a) * es, 0, size_t(b - a) * es);
    }
}

}  // namespace

void register_shape_generate_ops(OpRegistry& r) {
  r.add("", "Constant", 1, validated(check_constant, constant));
  r.add_fn("", "ConstantOfShape", 9, constant_of_shape);
  r.add_fn("", "Range", 11, range_op);
  r.add_fn("", "EyeLike", 9, eye_like);
  r.add_fn("", "OneHot", 9, one_hot);
  r.add_fn("", "Trilu", 14, trilu);
}

}  // namespace qwasm
