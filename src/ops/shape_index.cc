// Index-driven ops: Gather, GatherElements, GatherND, ScatterND,
// ScatterElements (no reduction), Pad, OneHot, NonZero, EyeLike.
#include <cstring>

#include "ops/dispatch.h"
#include "ops/registry.h"
#include "ops/shape_util.h"

namespace qwasm {
namespace {

int64_t checked_index(int64_t i, int64_t dim, const Node& n) {
  if (i < 0) i += dim;
  QWASM_CHECK(i >= 0 && i < dim, n.label(), ": index ", i, " out of range for dimension of size ", dim);
  return i;
}

void gather(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const Tensor& idx = ctx.in(1);
  const int64_t axis = normalize_axis(n.attr_i("axis", 0), x.rank(), n.label());
  Shape shape(x.shape().begin(), x.shape().begin() + axis);
  shape.insert(shape.end(), idx.shape().begin(), idx.shape().end());
  shape.insert(shape.end(), x.shape().begin() + axis + 1, x.shape().end());
  Tensor& out = ctx.output(0, x.dtype(), shape);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.dim(d);
  for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
  const int64_t dim = x.dim(axis), es = int64_t(dtype_size(x.dtype())), m = idx.size();
  const char* src = static_cast<const char*>(x.raw());
  char* dst = static_cast<char*>(out.raw());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < m; ++j) {
      const int64_t k = checked_index(idx.get_i64(j), dim, n);
      std::memcpy(dst + ((o * m + j) * inner) * es, src + ((o * dim + k) * inner) * es, size_t(inner * es));
    }
}

// GatherElements / ScatterElements addressing: for element i of `idx`, the offset
// in x of the same coordinates with the `axis` coordinate replaced by idx[i].
template <typename Fn>
void for_each_element_index(const Tensor& x, const Tensor& idx, int64_t axis, const Node& n, Fn&& fn) {
  auto xs = shape_strides(x.shape()), is = shape_strides(idx.shape());
  for (int64_t i = 0; i < idx.size(); ++i) {
    int64_t rem = i, off = 0;
    for (int64_t d = 0; d < idx.rank(); ++d) {
      int64_t c = rem / is[size_t(d)];
      rem %= is[size_t(d)];
      if (d == axis) c = checked_index(idx.get_i64(i), x.dim(d), n);
      off += c * xs[size_t(d)];
    }
    fn(i, off);
  }
}

void gather_elements(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const Tensor& idx = ctx.in(1);
  const int64_t axis = normalize_axis(n.attr_i("axis", 0), x.rank(), n.label());
  QWASM_CHECK(idx.rank() == x.rank(), n.label(), ": indices must have the data's rank");
  Tensor& out = ctx.output(0, x.dtype(), idx.shape());
  const size_t es = dtype_size(x.dtype());
  for_each_element_index(x, idx, axis, n, [&](int64_t i, int64_t off) {
    std::memcpy(static_cast<char*>(out.raw()) + i * int64_t(es), static_cast<const char*>(x.raw()) + off * int64_t(es), es);
  });
}

// Shared by GatherND / ScatterND: offset (in elements) of the slice addressed by index tuple t.
int64_t nd_offset(const Tensor& x, const Tensor& idx, int64_t t, int64_t k, int64_t batch_dims_off, const Node& n) {
  auto xs = shape_strides(x.shape());
  int64_t off = 0;
  for (int64_t j = 0; j < k; ++j) off += checked_index(idx.get_i64(t * k + j), x.dim(batch_dims_off + j), n) * xs[size_t(batch_dims_off + j)];
  return off;
}

void gather_nd(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const Tensor& idx = ctx.in(1);
  const int64_t b = n.attr_i("batch_dims", 0);
  const int64_t k = idx.dim(idx.rank() - 1);
  QWASM_CHECK(k >= 1 && b + k <= x.rank(), n.label(), ": index depth ", k, " too large");
  Shape shape(idx.shape().begin(), idx.shape().end() - 1);
  shape.insert(shape.end(), x.shape().begin() + b + k, x.shape().end());
  Tensor& out = ctx.output(0, x.dtype(), shape);
  int64_t batch = 1, slice = 1;
  for (int64_t d = 0; d < b; ++d) batch *= x.dim(d);
  for (int64_t d = b + k; d < x.rank(); ++d) slice *= x.dim(d);
  const int64_t tuples = idx.size() / k, per_batch = tuples / std::max<int64_t>(batch, 1);
  const int64_t xb = batch ? x.size() / batch : 0;
  const int64_t es = int64_t(dtype_size(x.dtype()));
  for (int64_t t = 0; t < tuples; ++t) {
    const int64_t off = (t / std::max<int64_t>(per_batch, 1)) * xb + nd_offset(x, idx, t, k, b, n);
    std::memcpy(static_cast<char*>(out.raw()) + t * slice * es, static_cast<const char*>(x.raw()) + off * es, size_t(slice * es));
  }
}

void scatter_nd(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const Tensor& idx = ctx.in(1);
  const Tensor& upd = ctx.in(2);
  QWASM_CHECK(n.attr_s("reduction", "none") == "none", n.label(), ": reductions are not supported");
  Tensor& out = ctx.output(0, x.dtype(), x.shape());
  std::memcpy(out.raw(), x.raw(), x.bytes());
  const int64_t k = idx.dim(idx.rank() - 1);
  int64_t slice = 1;
  for (int64_t d = k; d < x.rank(); ++d) slice *= x.dim(d);
  const int64_t es = int64_t(dtype_size(x.dtype()));
  for (int64_t t = 0; t < idx.size() / k; ++t)
    std::memcpy(static_cast<char*>(out.raw()) + nd_offset(x, idx, t, k, 0, n) * es,
                static_cast<const char*>(upd.raw()) + t * slice * es, size_t(slice * es));
}

void scatter_elements(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const Tensor& idx = ctx.in(1);
  const Tensor& upd = ctx.in(2);
  QWASM_CHECK(n.attr_s("reduction", "none") == "none", n.label(), ": reductions are not supported");
  const int64_t axis = normalize_axis(n.attr_i("axis", 0), x.rank(), n.label());
  Tensor& out = ctx.output(0, x.dtype(), x.shape());
  std::memcpy(out.raw(), x.raw(), x.bytes());
  const size_t es = dtype_size(x.dtype());
  for_each_element_index(x, idx, axis, n, [&](int64_t i, int64_t off) {
    std::memcpy(static_cast<char*>(out.raw()) + off * int64_t(es), static_cast<const char*>(upd.raw()) + i * int64_t(es), es);
  });
}

void pad(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const int64_t r = x.rank();
  std::vector<int64_t> pads = n.opset < 11 ? n.attr_ints("pads") : ints_of(ctx.in(1));
  std::vector<int64_t> axes;
  if (const Tensor* a = ctx.input(3)) axes = ints_of(*a);
  if (axes.empty())
    for (int64_t i = 0; i < r; ++i) axes.push_back(i);
  QWASM_CHECK(pads.size() == 2 * axes.size(), n.label(), ": pads has ", pads.size(), " entries, expected ", 2 * axes.size());
  std::vector<int64_t> lo(size_t(r), 0), hi(size_t(r), 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t a = normalize_axis(axes[i], r, n.label());
    lo[size_t(a)] = pads[i];
    hi[size_t(a)] = pads[i + axes.size()];
  }
  const std::string mode = n.attr_s("mode", "constant");
  Shape shape(static_cast<size_t>(r), 0);
  for (int64_t d = 0; d < r; ++d) {
    shape[size_t(d)] = x.dim(d) + lo[size_t(d)] + hi[size_t(d)];
    QWASM_CHECK(shape[size_t(d)] >= 0, n.label(), ": negative output size");
    QWASM_CHECK(mode == "constant" || x.dim(d) > 0 || shape[size_t(d)] == 0, n.label(), ": cannot ", mode, "-pad an empty axis");
  }
  Tensor& out = ctx.output(0, x.dtype(), shape);
  const size_t es = dtype_size(x.dtype());
  std::vector<char> fill(es, 0);
  if (mode == "constant") {
    const Tensor* v = n.opset < 11 ? nullptr : ctx.input(2);
    if (v && v->size()) std::memcpy(fill.data(), v->raw(), es);
    else if (n.opset < 11 && x.dtype() == DType::Float32) {
      float f = n.attr_f("value", 0);
      std::memcpy(fill.data(), &f, 4);
    }
  } else {
    QWASM_CHECK(mode == "reflect" || mode == "edge" || mode == "wrap", n.label(), ": unknown mode '", mode, "'");
  }
  auto xs = shape_strides(x.shape()), os = shape_strides(shape);
  for (int64_t i = 0; i < out.size(); ++i) {
    int64_t rem = i, off = 0;
    bool outside = false;
    for (int64_t d = 0; d < r; ++d) {
      int64_t c = rem / os[size_t(d)] - lo[size_t(d)];
      rem %= os[size_t(d)];
      const int64_t dim = x.dim(d);
      if (c < 0 || c >= dim) {
        if (mode == "constant") { outside = true; break; }
        if (mode == "edge") c = c < 0 ? 0 : dim - 1;
        else if (mode == "wrap") c = ((c % dim) + dim) % dim;
        else {  // reflect (without repeating the edge)
          const int64_t period = 2 * (dim - 1);
          if (period == 0) c = 0;
          else {
            c = ((c % period) + period) % period;
            if (c >= dim) c = period - c;
          }
        }
      }
      off += c * xs[size_t(d)];
    }
    std::memcpy(static_cast<char*>(out.raw()) + i * int64_t(es),
                outside ? fill.data() : static_cast<const char*>(x.raw()) + off * int64_t(es), es);
  }
}

void one_hot(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& idx = ctx.in(0);
  const int64_t depth = int64_t(ctx.in(1).get_f64(0));
  const Tensor& vals = ctx.in(2);
  QWASM_CHECK(depth > 0 && vals.size() == 2, n.label(), ": depth must be positive and values have 2 entries");
  const int64_t r = idx.rank() + 1;
  const int64_t axis = normalize_axis(n.attr_i("axis", -1), r, n.label());
  Shape shape = idx.shape();
  shape.insert(shape.begin() + axis, depth);
  Tensor& out = ctx.output(0, vals.dtype(), shape);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= shape[size_t(d)];
  for (int64_t d = axis + 1; d < r; ++d) inner *= shape[size_t(d)];
  const size_t es = dtype_size(vals.dtype());
  const char* off_v = static_cast<const char*>(vals.raw());
  char* p = static_cast<char*>(out.raw());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < depth; ++k)
      for (int64_t i = 0; i < inner; ++i) {
        int64_t v = int64_t(idx.get_f64(o * inner + i));
        if (v < 0) v += depth;
        std::memcpy(p + ((o * depth + k) * inner + i) * int64_t(es), off_v + (v == k ? es : 0), es);
      }
}

void non_zero(OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  std::vector<int64_t> hits;
  for (int64_t i = 0; i < x.size(); ++i)
    if (x.get_f64(i) != 0) hits.push_back(i);
  const int64_t r = std::max<int64_t>(x.rank(), 1), m = int64_t(hits.size());
  Tensor& out = ctx.output(0, DType::Int64, {r, m});
  auto st = shape_strides(x.shape());
  for (int64_t j = 0; j < m; ++j) {
    int64_t rem = hits[size_t(j)];
    for (int64_t d = 0; d < x.rank(); ++d) {
      out.data<int64_t>()[d * m + j] = rem / st[size_t(d)];
      rem %= st[size_t(d)];
    }
    if (x.rank() == 0) out.data<int64_t>()[j] = 0;
  }
}

void eye_like(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  QWASM_CHECK(x.rank() == 2, n.label(), ": input must be 2-D");
  const DType dt = n.has_attr("dtype") ? DType(n.attr_i("dtype")) : x.dtype();
  const int64_t k = n.attr_i("k", 0);
  Tensor& out = ctx.output(0, dt, x.shape());
  std::memset(out.raw(), 0, out.bytes());
  visit_numeric(dt, n.label(), [&](auto tag) {
    using T = decltype(tag);
    for (int64_t i = 0; i < x.dim(0); ++i)
      if (i + k >= 0 && i + k < x.dim(1)) static_cast<T*>(out.raw())[i * x.dim(1) + i + k] = T(1);
  });
}

}  // namespace

void register_shape_index_ops(OpRegistry& r) {
  r.add_fn("", "Gather", 1, gather);
  r.add_fn("", "GatherElements", 11, gather_elements);
  r.add_fn("", "GatherND", 11, gather_nd);
  r.add_fn("", "ScatterND", 11, scatter_nd);
  r.add_fn("", "ScatterElements", 11, scatter_elements);
  r.add_fn("", "Pad", 1, pad);
  r.add_fn("", "OneHot", 9, one_hot);
  r.add_fn("", "NonZero", 9, non_zero);
  r.add_fn("", "EyeLike", 9, eye_like);
}

}  // namespace qwasm
