// Data-moving shape ops: Transpose, Concat, Split, Slice, Expand, Tile, Trilu.
#include <algorithm>
#include <cstring>
#include <limits>

#include "ops/registry.h"
#include "ops/shape_util.h"
#include "ops/strided_copy.h"

namespace qwasm {
namespace {

void transpose(OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  const int64_t r = x.rank();
  std::vector<int64_t> perm = ctx.node().attr_ints("perm");
  if (perm.empty())
    for (int64_t i = r - 1; i >= 0; --i) perm.push_back(i);
  QWASM_CHECK(int64_t(perm.size()) == r, ctx.node().label(), ": perm has ", perm.size(), " entries for rank ", r);
  auto in_st = shape_strides(x.shape());
  Shape out_shape(static_cast<size_t>(r));
  std::vector<int64_t> st(static_cast<size_t>(r));
  std::vector<bool> seen(size_t(r), false);
  for (int64_t i = 0; i < r; ++i) {
    int64_t p = perm[size_t(i)];
    QWASM_CHECK(p >= 0 && p < r && !seen[size_t(p)], ctx.node().label(), ": perm is not a permutation");
    seen[size_t(p)] = true;
    out_shape[size_t(i)] = x.dim(p);
    st[size_t(i)] = in_st[size_t(p)];
  }
  Tensor& out = ctx.output(0, x.dtype(), out_shape);
  strided_copy(out.raw(), x.raw(), dtype_size(x.dtype()), out_shape, st);
}

void concat(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& first = ctx.in(0);
  const int64_t axis = normalize_axis(n.attr_i("axis"), first.rank(), n.label());
  Shape shape = first.shape();
  shape[size_t(axis)] = 0;
  for (size_t i = 0; i < ctx.input_count(); ++i) {
    const Tensor& t = ctx.in(i);
    QWASM_CHECK(t.dtype() == first.dtype() && t.rank() == first.rank(), n.label(), ": input ", i,
                " has a different type or rank");
    for (int64_t d = 0; d < t.rank(); ++d)
      QWASM_CHECK(d == axis || t.dim(d) == first.dim(d), n.label(), ": input ", i, " shape ", shape_str(t.shape()),
                  " does not match ", shape_str(first.shape()));
    shape[size_t(axis)] += t.dim(axis);
  }
  Tensor& out = ctx.output(0, first.dtype(), shape);
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= shape[size_t(d)];
  const size_t es = dtype_size(first.dtype());
  const int64_t out_row = shape_size(shape) / std::max<int64_t>(outer, 1);
  int64_t col = 0;
  for (size_t i = 0; i < ctx.input_count(); ++i) {
    const Tensor& t = ctx.in(i);
    const int64_t row = outer ? t.size() / outer : 0;
    for (int64_t o = 0; o < outer; ++o)
      std::memcpy(static_cast<char*>(out.raw()) + (o * out_row + col) * int64_t(es),
                  static_cast<const char*>(t.raw()) + o * row * int64_t(es), size_t(row) * es);
    col += row;
  }
}

void split(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const int64_t axis = normalize_axis(n.attr_i("axis", 0), x.rank(), n.label());
  std::vector<int64_t> sizes = n.opset >= 13 ? axes_from(ctx, 1, "split") : n.attr_ints("split");
  const int64_t outs = int64_t(ctx.output_count());
  const int64_t len = x.dim(axis);
  if (sizes.empty()) {
    int64_t parts = n.has_attr("num_outputs") ? n.attr_i("num_outputs") : outs;
    int64_t each = (len + parts - 1) / parts;
    for (int64_t i = 0; i < parts; ++i) sizes.push_back(std::max<int64_t>(0, std::min(each, len - i * each)));
  }
  QWASM_CHECK(int64_t(sizes.size()) == outs, n.label(), ": ", sizes.size(), " split sizes for ", outs, " outputs");
  int64_t sum = 0;
  for (int64_t s : sizes) sum += s;
  QWASM_CHECK(sum == len, n.label(), ": split sizes sum to ", sum, ", axis has ", len);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.dim(d);
  for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
  const size_t es = dtype_size(x.dtype());
  int64_t start = 0;
  for (int64_t i = 0; i < outs; ++i) {
    Shape s = x.shape();
    s[size_t(axis)] = sizes[size_t(i)];
    Tensor& o = ctx.output(size_t(i), x.dtype(), s);
    const int64_t chunk = sizes[size_t(i)] * inner;
    for (int64_t k = 0; k < outer; ++k)
      std::memcpy(static_cast<char*>(o.raw()) + k * chunk * int64_t(es),
                  static_cast<const char*>(x.raw()) + (k * len * inner + start * inner) * int64_t(es), size_t(chunk) * es);
    start += sizes[size_t(i)];
  }
}

void slice(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  std::vector<int64_t> starts, ends, axes, steps;
  if (n.opset < 10) {
    starts = n.attr_ints("starts"), ends = n.attr_ints("ends"), axes = n.attr_ints("axes");
  } else {
    starts = ints_of(ctx.in(1)), ends = ints_of(ctx.in(2));
    if (const Tensor* a = ctx.input(3)) axes = ints_of(*a);
    if (const Tensor* s = ctx.input(4)) steps = ints_of(*s);
  }
  QWASM_CHECK(starts.size() == ends.size(), n.label(), ": starts and ends differ in length");
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(int64_t(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  QWASM_CHECK(axes.size() == starts.size() && steps.size() == starts.size(), n.label(), ": axes/steps length mismatch");
  const int64_t r = x.rank();
  std::vector<int64_t> b(size_t(r), 0), st(size_t(r), 1);
  Shape shape = x.shape();
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t a = normalize_axis(axes[i], r, n.label());
    const int64_t dim = x.dim(a), step = steps[i];
    QWASM_CHECK(step != 0, n.label(), ": step is 0");
    int64_t s = starts[i], e = ends[i];
    if (s < 0) s += dim;
    if (e < 0 && e > std::numeric_limits<int64_t>::min() / 2) e += dim;
    if (step > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      shape[size_t(a)] = e > s ? (e - s + step - 1) / step : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      shape[size_t(a)] = s > e ? (s - e - step - 1) / -step : 0;
    }
    b[size_t(a)] = s;
    st[size_t(a)] = step;
  }
  auto in_st = shape_strides(x.shape());
  int64_t base = 0;
  std::vector<int64_t> strides(static_cast<size_t>(r));
  for (int64_t d = 0; d < r; ++d) {
    base += b[size_t(d)] * in_st[size_t(d)];
    strides[size_t(d)] = st[size_t(d)] * in_st[size_t(d)];
  }
  Tensor& out = ctx.output(0, x.dtype(), shape);
  strided_copy(out.raw(), x.raw(), dtype_size(x.dtype()), shape, strides, base);
}

void expand(OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  Shape target = ints_of(ctx.in(1));
  Shape shape = broadcast_shapes(x.shape(), target, ctx.node().label());
  std::vector<int64_t> st(shape.size(), 0);
  auto in_st = shape_strides(x.shape());
  for (size_t d = 0; d < x.shape().size(); ++d) {
    size_t o = shape.size() - x.shape().size() + d;
    st[o] = x.shape()[d] == 1 ? 0 : in_st[d];
  }
  Tensor& out = ctx.output(0, x.dtype(), shape);
  strided_copy(out.raw(), x.raw(), dtype_size(x.dtype()), shape, st);
}

void tile(OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  auto reps = ints_of(ctx.in(1));
  QWASM_CHECK(int64_t(reps.size()) == x.rank(), ctx.node().label(), ": repeats must have one entry per dimension");
  // View the output as [r0, d0, r1, d1, ...] with zero strides on the repeat axes.
  Shape view, out_shape;
  std::vector<int64_t> st;
  auto in_st = shape_strides(x.shape());
  for (int64_t d = 0; d < x.rank(); ++d) {
    QWASM_CHECK(reps[size_t(d)] >= 0, ctx.node().label(), ": negative repeat");
    view.push_back(reps[size_t(d)]);
    st.push_back(0);
    view.push_back(x.dim(d));
    st.push_back(in_st[size_t(d)]);
    out_shape.push_back(x.dim(d) * reps[size_t(d)]);
  }
  Tensor& out = ctx.output(0, x.dtype(), out_shape);
  strided_copy(out.raw(), x.raw(), dtype_size(x.dtype()), view, st);
}

void trilu(OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  QWASM_CHECK(x.rank() >= 2, ctx.node().label(), ": input must have rank >= 2");
  const int64_t k = ctx.input(1) ? ctx.in(1).get_i64(0) : 0;
  const bool upper = ctx.node().attr_i("upper", 1) != 0;
  Tensor& out = ctx.output(0, x.dtype(), x.shape());
  const int64_t rows = x.dim(x.rank() - 2), cols = x.dim(x.rank() - 1);
  const size_t es = dtype_size(x.dtype());
  std::memcpy(out.raw(), x.raw(), out.bytes());
  char* p = static_cast<char*>(out.raw());
  for (int64_t m = 0; m < (rows * cols ? x.size() / (rows * cols) : 0); ++m)
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) {
        const bool keep = upper ? j - i >= k : j - i <= k;
        if (!keep) std::memset(p + ((m * rows + i) * cols + j) * int64_t(es), 0, es);
      }
}

}  // namespace

void register_shape_move_ops(OpRegistry& r) {
  r.add_fn("", "Transpose", 1, transpose);
  r.add_fn("", "Concat", 1, concat);
  r.add_fn("", "Split", 1, split);
  r.add_fn("", "Slice", 1, slice);
  r.add_fn("", "Expand", 8, expand);
  r.add_fn("", "Tile", 6, tile);
  r.add_fn("", "Trilu", 14, trilu);
}

}  // namespace qwasm
