// Shape-only ops: Reshape, Flatten, Squeeze, Unsqueeze and Dropout before opset 12
// return views sharing the input's buffer (no copy); Shape and Size read dims.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "ops/registry.h"
#include "ops/shape_util.h"

namespace qwasm {

namespace {

void reshape(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  std::vector<int64_t> spec = n.opset < 5 ? n.attr_ints("shape") : ints_of(ctx.in(1));
  const bool allow_zero = n.attr_i("allowzero", 0) != 0;
  Shape shape(spec.size());
  int64_t infer = -1, known = 1;
  for (size_t i = 0; i < spec.size(); ++i) {
    int64_t d = spec[i];
    if (d == 0 && !allow_zero) {
      QWASM_CHECK(i < size_t(x.rank()), n.label(), ": shape entry ", i, " is 0 but the input has rank ", x.rank());
      d = x.dim(int64_t(i));
    }
    if (d == -1) {
      QWASM_CHECK(infer < 0, n.label(), ": more than one -1 in shape");
      infer = int64_t(i);
      continue;
    }
    QWASM_CHECK(d >= 0, n.label(), ": invalid shape entry ", d);
    shape[i] = d;
    known *= d;
  }
  if (infer >= 0) {
    QWASM_CHECK(known != 0 && x.size() % known == 0, n.label(), ": cannot reshape ", shape_str(x.shape()),
                " to ", shape_str(Shape(spec.begin(), spec.end())));
    shape[size_t(infer)] = x.size() / known;
  }
  QWASM_CHECK(shape_size(shape) == x.size(), n.label(), ": cannot reshape ", shape_str(x.shape()), " to ",
              shape_str(shape));
  ctx.set_output(0, x.reshaped(std::move(shape)));
}

void flatten(OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  int64_t axis = ctx.node().attr_i("axis", 1);
  if (axis < 0) axis += x.rank();
  QWASM_CHECK(axis >= 0 && axis <= x.rank(), ctx.node().label(), ": axis out of range");
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i) outer *= x.dim(i);
  for (int64_t i = axis; i < x.rank(); ++i) inner *= x.dim(i);
  ctx.set_output(0, x.reshaped({outer, inner}));
}

// Squeeze and Unsqueeze run on every step of small models' shape chains: no scratch
// allocations beyond the axes and the new shape (axes are few: membership by search).
void squeeze(OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  std::vector<int64_t> axes = ctx.node().opset >= 13 ? axes_from(ctx, 1, "axes") : ctx.node().attr_ints("axes");
  for (int64_t& a : axes) {
    a = normalize_axis(a, x.rank(), ctx.node().label());
    QWASM_CHECK(x.dim(a) == 1, ctx.node().label(), ": cannot squeeze axis ", a, " of size ", x.dim(a));
  }
  Shape s;
  s.reserve(size_t(x.rank()));
  for (int64_t i = 0; i < x.rank(); ++i) {
    const bool drop = axes.empty() ? x.dim(i) == 1 : std::find(axes.begin(), axes.end(), i) != axes.end();
    if (!drop) s.push_back(x.dim(i));
  }
  ctx.set_output(0, x.reshaped(std::move(s)));
}

void unsqueeze(OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  std::vector<int64_t> axes = ctx.node().opset >= 13 ? axes_from(ctx, 1, "axes") : ctx.node().attr_ints("axes");
  const int64_t rank = x.rank() + int64_t(axes.size());
  for (size_t j = 0; j < axes.size(); ++j) {
    axes[j] = normalize_axis(axes[j], rank, ctx.node().label());
    QWASM_CHECK(std::find(axes.begin(), axes.begin() + long(j), axes[j]) == axes.begin() + long(j),
                ctx.node().label(), ": repeated axis ", axes[j]);
  }
  Shape s;
  s.reserve(size_t(rank));
  int64_t k = 0;
  for (int64_t i = 0; i < rank; ++i)
    s.push_back(std::find(axes.begin(), axes.end(), i) != axes.end() ? 1 : x.dim(k++));
  ctx.set_output(0, x.reshaped(std::move(s)));
}

void shape_op(OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  int64_t r = x.rank();
  int64_t start = ctx.node().attr_i("start", 0), end = ctx.node().attr_i("end", r);
  if (start < 0) start += r;
  if (end < 0) end += r;
  start = std::clamp<int64_t>(start, 0, r);
  end = std::clamp<int64_t>(end, 0, r);
  const int64_t n = std::max<int64_t>(end - start, 0);
  Tensor& out = ctx.output(0, DType::Int64, {n});
  for (int64_t i = 0; i < n; ++i) out.data<int64_t>()[i] = x.dim(start + i);
}

void size_op(OpContext& ctx) { ctx.output(0, DType::Int64, {}).data<int64_t>()[0] = ctx.in(0).size(); }

// Dropout before opset 12 (no training_mode input): the output is the input and the
// mask keeps everything. Opset 12 on, with training, is in ops/nn_random.cc.
void dropout(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  ctx.set_output(0, x);
  if (ctx.output_wanted(1)) {
    // The mask is bool from opset 10; before that it had the input's type.
    const DType mt = n.opset >= 10 ? DType::Bool : x.dtype();
    Tensor& m = ctx.output(1, mt, x.shape());
    const ElemBytes one = scalar_bytes(mt, 1, n);
    fill_elems(m.raw(), one.data(), dtype_size(mt), m.size());
  }
}

}  // namespace

void register_shape_basic_ops(OpRegistry& r) {
  r.add_fn("", "Reshape", 1, reshape, kMovesValues);
  r.add_fn("", "Flatten", 1, flatten, kMovesValues);
  r.add_fn("", "Squeeze", 1, squeeze, kMovesValues);
  r.add_fn("", "Unsqueeze", 1, unsqueeze, kMovesValues);
  r.add_fn("", "Shape", 1, shape_op);
  r.add_fn("", "Size", 1, size_op);
  r.add_fn("", "Dropout", 1, dropout);
}

}  // namespace qwasm
