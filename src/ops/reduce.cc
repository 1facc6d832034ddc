// Reduce* (axes as attribute or, from opset 13/18, as input), ArgMax/ArgMin, CumSum.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "ops/broadcast.h"
#include "ops/dtype_switch.h"
#include "ops/registry.h"
#include "ops/shape_util.h"

namespace qwasm {
namespace {

enum class R { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare };

struct Plan {
  Shape out, kept;       // output shape with / without reduced dims kept
  std::vector<bool> reduce;
};

Plan plan(const OpContext& ctx, const Tensor& x, int axes_input_since) {
  const Node& n = ctx.node();
  std::vector<int64_t> axes =
      n.opset >= axes_input_since ? (ctx.input(1) ? ints_of(*ctx.input(1)) : std::vector<int64_t>{}) : n.attr_ints("axes");
  const bool keep = n.attr_i("keepdims", 1) != 0;
  Plan p;
  p.reduce.assign(size_t(x.rank()), false);
  if (axes.empty()) {
    if (n.attr_i("noop_with_empty_axes", 0)) return Plan{x.shape(), x.shape(), p.reduce};
    p.reduce.assign(size_t(x.rank()), true);
  }
  for (int64_t a : axes) p.reduce[size_t(normalize_axis(a, x.rank(), n.label()))] = true;
  for (int64_t d = 0; d < x.rank(); ++d) {
    p.kept.push_back(p.reduce[size_t(d)] ? 1 : x.dim(d));
    if (!p.reduce[size_t(d)]) p.out.push_back(x.dim(d));
    else if (keep) p.out.push_back(1);
  }
  return p;
}

// Float sums accumulate in the input's own type, in element order (onnxruntime's CPU
// reductions do the same): a wider accumulator is more accurate, but a last-bit difference
// in e.g. an RMSNorm's mean of squares moves every value after it, and a following
// DynamicQuantizeLinear can round some of them to another uint8 level.
template <typename T>
void reduce_into(R k, const Tensor& x, const Plan& p, T* out) {
  using A = std::conditional_t<std::is_floating_point_v<T>, T, std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>;
  const int64_t n_out = shape_size(p.kept);
  std::vector<A> acc(static_cast<size_t>(n_out));
  const A init = k == R::Max ? A(std::numeric_limits<T>::lowest()) : k == R::Min ? A(std::numeric_limits<T>::max())
                 : k == R::Prod ? A(1) : A(0);
  std::fill(acc.begin(), acc.end(), init);
  if (k == R::LogSumExp) {  // subtract the max for stability; the sum of exponentials in double
    using D = std::conditional_t<std::is_floating_point_v<T>, double, A>;
    std::vector<D> mx(size_t(n_out), D(-INFINITY)), sum(size_t(n_out), D(0));
    const BroadcastLoop<1> it(x.shape(), {&p.kept});
    const int64_t st0 = it.inner_step(0);
    const T* s = x.data<T>();
    it.for_each_run([&](int64_t o, const std::array<int64_t, 1>& off, int64_t cnt) {
      for (int64_t i = 0; i < cnt; ++i) mx[size_t(off[0] + i * st0)] = std::max(mx[size_t(off[0] + i * st0)], D(s[o + i]));
    });
    it.for_each_run([&](int64_t o, const std::array<int64_t, 1>& off, int64_t cnt) {
      for (int64_t i = 0; i < cnt; ++i) {
        const size_t j = size_t(off[0] + i * st0);
        sum[j] += D(std::exp(double(D(s[o + i]) - mx[j])));
      }
    });
    for (int64_t j = 0; j < n_out; ++j) out[j] = T(std::log(double(sum[size_t(j)])) + double(mx[size_t(j)]));
    return;
  }
  const int64_t count = p.kept.empty() ? 1 : std::max<int64_t>(1, x.size() / std::max<int64_t>(n_out, 1));
  const T* s = x.data<T>();
  const BroadcastLoop<1> it(x.shape(), {&p.kept});
  const int64_t st0 = it.inner_step(0);
  it.for_each_run([&](int64_t o, const std::array<int64_t, 1>& off, int64_t cnt) {
    for (int64_t i = 0; i < cnt; ++i) {
      A& a = acc[size_t(off[0] + i * st0)];
      const A v = A(s[o + i]);
      switch (k) {
        case R::Sum: case R::Mean: case R::LogSum: a += v; break;
        case R::Max: a = std::max(a, v); break;
        case R::Min: a = std::min(a, v); break;
        case R::Prod: a *= v; break;
        case R::L1: a += v < A(0) ? A(0) - v : v; break;
        case R::L2: case R::SumSquare: a += v * v; break;
        default: break;
      }
    }
  });
  for (int64_t j = 0; j < n_out; ++j) {
    A v = acc[size_t(j)];
    if (k == R::Mean) v = A(double(v) / double(count));
    if (k == R::L2) v = A(std::sqrt(double(v)));
    if (k == R::LogSum) v = A(std::log(double(v)));
    out[j] = T(v);
  }
}

template <R K, int AxesInputSince>
void reduce_op(OpContext& ctx) {
  const Tensor& x0 = ctx.in(0);
  Tensor x = widen_half(x0);
  Plan p = plan(ctx, x, AxesInputSince);
  if (x.size() == 0 && shape_size(p.kept) > 0) {  // reducing an empty axis: the identity element
    QWASM_CHECK(K == R::Sum || K == R::Prod || K == R::SumSquare || K == R::L1 || K == R::L2 || K == R::LogSumExp ||
                    K == R::LogSum || K == R::Max || K == R::Min,
                ctx.node().label(), ": cannot reduce an empty tensor");
  }
  Tensor r(x.dtype(), p.out);
  visit_numeric(x.dtype(), ctx.node().label(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) fail(ctx.node().label(), ": bool input is not supported");
    else reduce_into<T>(K, x, p, r.data<T>());
  });
  Tensor& out = ctx.output(0, x0.dtype(), p.out);
  if (is_half(x0.dtype())) narrow_half(r, out);
  else std::copy_n(static_cast<const char*>(r.raw()), r.bytes(), static_cast<char*>(out.raw()));
}

template <bool Max>
void arg_op(OpContext& ctx) {
  const Node& n = ctx.node();
  Tensor x = widen_half(ctx.in(0));
  const int64_t axis = normalize_axis(n.attr_i("axis", 0), x.rank(), n.label());
  const bool keep = n.attr_i("keepdims", 1) != 0, last = n.attr_i("select_last_index", 0) != 0;
  Shape s;
  for (int64_t d = 0; d < x.rank(); ++d)
    if (d != axis) s.push_back(x.dim(d));
    else if (keep) s.push_back(1);
  Tensor& out = ctx.output(0, DType::Int64, s);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.dim(d);
  for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
  const int64_t len = x.dim(axis);
  QWASM_CHECK(len > 0, n.label(), ": cannot take the arg of an empty axis");
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t best = 0;
      double bv = x.get_f64(o * len * inner + i);
      for (int64_t j = 1; j < len; ++j) {
        const double v = x.get_f64((o * len + j) * inner + i);
        if (Max ? (v > bv || (last && v == bv)) : (v < bv || (last && v == bv))) best = j, bv = v;
      }
      out.data<int64_t>()[o * inner + i] = best;
    }
}

void cumsum(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x0 = ctx.in(0);
  Tensor x = widen_half(x0);
  const int64_t axis = normalize_axis(ctx.in(1).get_i64(0), x.rank(), n.label());
  const bool exclusive = n.attr_i("exclusive", 0) != 0, reverse = n.attr_i("reverse", 0) != 0;
  Tensor r(x.dtype(), x.shape());
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.dim(d);
  for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
  const int64_t len = x.dim(axis);
  visit_numeric(x.dtype(), n.label(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {
      const T* s = x.data<T>();
      T* d = r.data<T>();
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) {
          T acc = T(0);
          for (int64_t jj = 0; jj < len; ++jj) {
            const int64_t j = reverse ? len - 1 - jj : jj;
            const int64_t at = (o * len + j) * inner + i;
            if (exclusive) { d[at] = acc; acc = T(acc + s[at]); }
            else { acc = T(acc + s[at]); d[at] = acc; }
          }
        }
    }
  });
  Tensor& out = ctx.output(0, x0.dtype(), x.shape());
  if (is_half(x0.dtype())) narrow_half(r, out);
  else std::copy_n(static_cast<const char*>(r.raw()), r.bytes(), static_cast<char*>(out.raw()));
}

}  // namespace

void register_reduce_topk_ops(OpRegistry& r);

void register_reduce_ops(OpRegistry& r) {
  register_reduce_topk_ops(r);
  r.add_fn("", "ReduceSum", 1, reduce_op<R::Sum, 13>);
  r.add_fn("", "ReduceMean", 1, reduce_op<R::Mean, 18>);
  r.add_fn("", "ReduceMax", 1, reduce_op<R::Max, 18>);
  r.add_fn("", "ReduceMin", 1, reduce_op<R::Min, 18>);
  r.add_fn("", "ReduceProd", 1, reduce_op<R::Prod, 18>);
  r.add_fn("", "ReduceL1", 1, reduce_op<R::L1, 18>);
  r.add_fn("", "ReduceL2", 1, reduce_op<R::L2, 18>);
  r.add_fn("", "ReduceLogSum", 1, reduce_op<R::LogSum, 18>);
  r.add_fn("", "ReduceLogSumExp", 1, reduce_op<R::LogSumExp, 18>);
  r.add_fn("", "ReduceSumSquare", 1, reduce_op<R::SumSquare, 18>);
  r.add_fn("", "ArgMax", 1, arg_op<true>);
  r.add_fn("", "ArgMin", 1, arg_op<false>);
  r.add_fn("", "CumSum", 11, cumsum);
}

}  // namespace qwasm
