// Data-moving shape ops: Concat, Split, Slice, Expand, Tile. Slice, Expand and
// Tile are one strided_copy each; Concat and Split copy contiguous row blocks.
#include <algorithm>
#include <cstring>
#include <limits>

#include "ops/registry.h"
#include "ops/shape_util.h"
#include "ops/strided_copy.h"

namespace qwasm {
namespace {

void concat(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& first = ctx.in(0);
  QWASM_CHECK(first.rank() > 0, n.label(), ": inputs must have rank >= 1");
  // Concat-1 had an optional axis defaulting to 1; from opset 4 it is required.
  const int64_t axis = normalize_axis(n.opset < 4 ? n.attr_i("axis", 1) : n.attr_i("axis"), first.rank(), n.label());
  Shape shape = first.shape();
  shape[size_t(axis)] = 0;
  for (size_t i = 0; i < ctx.input_count(); ++i) {
    const Tensor& t = ctx.in(i);
    QWASM_CHECK(t.dtype() == first.dtype(), n.label(), ": input ", i, " is ", dtype_name(t.dtype()), ", input 0 is ",
                dtype_name(first.dtype()));
    QWASM_CHECK(t.rank() == first.rank(), n.label(), ": input ", i, " has rank ", t.rank(), ", input 0 has rank ",
                first.rank());
    for (int64_t d = 0; d < t.rank(); ++d)
      QWASM_CHECK(d == axis || t.dim(d) == first.dim(d), n.label(), ": input ", i, " shape ", shape_str(t.shape()),
                  " does not match ", shape_str(first.shape()), " outside axis ", axis);
    shape[size_t(axis)] += t.dim(axis);
  }
  const size_t es = moved_elem_size(first, n);
  Tensor& out = ctx.output(0, first.dtype(), shape);
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= shape[size_t(d)];
  if (outer == 0) return;
  const int64_t out_row = shape_size(shape) / outer;  // elements per outer index
  char* dst = static_cast<char*>(out.raw());
  int64_t col = 0;
  for (size_t i = 0; i < ctx.input_count(); ++i) {
    const Tensor& t = ctx.in(i);
    const int64_t row = t.size() / outer;
    const char* src = static_cast<const char*>(t.raw());
    if (row)
      for (int64_t o = 0; o < outer; ++o)
        std::memcpy(dst + size_t(o * out_row + col) * es, src + size_t(o * row) * es, size_t(row) * es);
    col += row;
  }
}

void split(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const int64_t axis = normalize_axis(n.attr_i("axis", 0), x.rank(), n.label());
  // 'split' is an attribute in opsets 2-12 and an optional input in 1 and from 13.
  std::vector<int64_t> sizes = axes_from(ctx, 1, "split");
  const int64_t outs = int64_t(ctx.output_count());
  const int64_t len = x.dim(axis);
  if (sizes.empty()) {
    if (n.opset >= 18 && n.has_attr("num_outputs")) {
      // Opset 18: ceil(len / num_outputs) each, the last one smaller.
      const int64_t parts = n.attr_i("num_outputs");
      QWASM_CHECK(parts == outs, n.label(), ": num_outputs is ", parts, " but the node has ", outs, " outputs");
      const int64_t each = (len + parts - 1) / parts;
      for (int64_t i = 0; i < parts; ++i) sizes.push_back(std::max<int64_t>(0, std::min(each, len - i * each)));
    } else {
      QWASM_CHECK(outs > 0 && len % outs == 0, n.label(), ": axis of size ", len, " cannot be split evenly into ",
                  outs, " outputs");
      sizes.assign(size_t(outs), len / outs);
    }
  }
  QWASM_CHECK(int64_t(sizes.size()) == outs, n.label(), ": ", sizes.size(), " split sizes for ", outs, " outputs");
  int64_t sum = 0;
  for (int64_t s : sizes) {
    QWASM_CHECK(s >= 0, n.label(), ": negative split size ", s);
    sum += s;
  }
  QWASM_CHECK(sum == len, n.label(), ": split sizes sum to ", sum, " but axis ", axis, " has size ", len);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.dim(d);
  for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
  const size_t es = moved_elem_size(x, n);
  const char* src = static_cast<const char*>(x.raw());
  int64_t start = 0;
  for (int64_t i = 0; i < outs; ++i) {
    const int64_t part = sizes[size_t(i)];
    if (ctx.output_wanted(size_t(i))) {
      Shape s = x.shape();
      s[size_t(axis)] = part;
      Tensor& o = ctx.output(size_t(i), x.dtype(), s);
      const int64_t chunk = part * inner;
      if (chunk)
        for (int64_t k = 0; k < outer; ++k)
          std::memcpy(static_cast<char*>(o.raw()) + size_t(k * chunk) * es, src + size_t((k * len + start) * inner) * es,
                      size_t(chunk) * es);
    }
    start += part;
  }
}

void slice(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  std::vector<int64_t> starts, ends, axes, steps;
  if (n.opset < 10) {  // attributes before opset 10, inputs after
    starts = n.attr_ints("starts"), ends = n.attr_ints("ends"), axes = n.attr_ints("axes");
  } else {
    starts = ints_of(ctx.in(1)), ends = ints_of(ctx.in(2));
    if (const Tensor* a = ctx.input(3)) axes = ints_of(*a);
    if (const Tensor* s = ctx.input(4)) steps = ints_of(*s);
  }
  QWASM_CHECK(starts.size() == ends.size(), n.label(), ": starts has ", starts.size(), " entries, ends ", ends.size());
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(int64_t(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  QWASM_CHECK(axes.size() == starts.size() && steps.size() == starts.size(), n.label(),
              ": axes/steps must have as many entries as starts (", starts.size(), ")");
  const int64_t r = x.rank();
  std::vector<int64_t> b(size_t(r), 0), st(size_t(r), 1);
  std::vector<bool> seen(size_t(r), false);
  Shape shape = x.shape();
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t a = normalize_axis(axes[i], r, n.label());
    QWASM_CHECK(!seen[size_t(a)], n.label(), ": axis ", a, " repeated");
    seen[size_t(a)] = true;
    const int64_t dim = x.dim(a), step = steps[i];
    QWASM_CHECK(step != 0, n.label(), ": step is 0 for axis ", a);
    int64_t s = starts[i], e = ends[i];
    // Negative positions count from the end; INT64_MIN-like ends mean "before the start".
    if (s < 0) s = s < std::numeric_limits<int64_t>::min() + dim ? -1 : s + dim;
    if (e < 0) e = e < std::numeric_limits<int64_t>::min() + dim ? -1 : e + dim;
    int64_t count;
    if (step > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      count = e > s ? (e - s - 1) / step + 1 : 0;
    } else {
      s = std::clamp<int64_t>(s, -1, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      count = s > e ? (s - e - 1) / -step + 1 : 0;
    }
    shape[size_t(a)] = count;
    b[size_t(a)] = count ? s : 0;
    st[size_t(a)] = step;
  }
  const auto in_st = shape_strides(x.shape());
  int64_t base = 0;
  std::vector<int64_t> strides(static_cast<size_t>(r));
  for (int64_t d = 0; d < r; ++d) {
    base += b[size_t(d)] * in_st[size_t(d)];
    strides[size_t(d)] = st[size_t(d)] * in_st[size_t(d)];
  }
  const size_t es = moved_elem_size(x, n);
  Tensor& out = ctx.output(0, x.dtype(), shape);
  strided_copy(out.raw(), x.raw(), es, shape, strides, base);
}

void expand(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const Shape target = ints_of(ctx.in(1));
  const Shape shape = broadcast_shapes(x.shape(), target, n.label());
  std::vector<int64_t> st(shape.size(), 0);  // 0 on broadcast dims
  const auto in_st = shape_strides(x.shape());
  for (size_t d = 0; d < x.shape().size(); ++d)
    st[shape.size() - x.shape().size() + d] = x.shape()[d] == 1 ? 0 : in_st[d];
  const size_t es = moved_elem_size(x, n);
  Tensor& out = ctx.output(0, x.dtype(), shape);
  strided_copy(out.raw(), x.raw(), es, shape, st);
}

void tile(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const auto reps = ints_of(ctx.in(1));
  QWASM_CHECK(int64_t(reps.size()) == x.rank(), n.label(), ": repeats has ", reps.size(),
              " entries for an input of rank ", x.rank());
  // The output viewed as [r0, d0, r1, d1, ...] with zero strides on the repeat axes.
  Shape view, out_shape;
  std::vector<int64_t> st;
  const auto in_st = shape_strides(x.shape());
  for (int64_t d = 0; d < x.rank(); ++d) {
    QWASM_CHECK(reps[size_t(d)] >= 0, n.label(), ": negative repeat ", reps[size_t(d)]);
    view.push_back(reps[size_t(d)]);
    st.push_back(0);
    view.push_back(x.dim(d));
    st.push_back(in_st[size_t(d)]);
    out_shape.push_back(x.dim(d) * reps[size_t(d)]);
  }
  const size_t es = moved_elem_size(x, n);
  Tensor& out = ctx.output(0, x.dtype(), out_shape);
  strided_copy(out.raw(), x.raw(), es, view, st);
}

}  // namespace

void register_shape_move_ops(OpRegistry& r) {
  r.add_fn("", "Concat", 1, concat);
  r.add_fn("", "Split", 1, split);
  r.add_fn("", "Slice", 1, slice);
  r.add_fn("", "Expand", 8, expand);
  r.add_fn("", "Tile", 6, tile);  // Tile-1 took (tiles, axis) scalars: not supported
}

}  // namespace qwasm
