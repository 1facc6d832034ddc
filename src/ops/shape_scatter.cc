// Index-driven writes: Scatter (opset 9-10), ScatterElements, ScatterND, with the
// reductions of opset 16 (add, mul) and 18 (max, min). The output starts as a
// copy of data; updates are applied in index order, so with reduction 'none'
// the last duplicate index wins.
#include <algorithm>
#include <cstring>
#include <vector>

#include "ops/dtype_switch.h"
#include "ops/registry.h"
#include "ops/shape_util.h"

namespace qwasm {
namespace {

enum class Red { None, Add, Mul, Max, Min };

Red reduction_of(const Node& n) {
  const std::string s = n.attr_s("reduction", "none");
  if (s == "none") return Red::None;
  if (n.opset >= 16 && s == "add") return Red::Add;
  if (n.opset >= 16 && s == "mul") return Red::Mul;
  if (n.opset >= 18 && s == "max") return Red::Max;
  if (n.opset >= 18 && s == "min") return Red::Min;
  fail(n.label(), ": reduction '", s, "' is not valid at opset ", n.opset,
       " (none; add and mul from 16; max and min from 18)");
}

void check_reduction(const Node& n) { reduction_of(n); }

template <typename T>
T combine(T a, T b, Red r) {
  switch (r) {
    case Red::Add: return T(a + b);
    case Red::Mul: return T(a * b);
    case Red::Max: return std::max(a, b);
    case Red::Min: return std::min(a, b);
    default: return b;
  }
}

// A run of updates to combine into out: element offsets into out and updates, count.
struct Run {
  int64_t dst, src, count;
};

// The reductions, over collected runs: compiled once, not once per caller.
void reduce_runs(Tensor& out, const Tensor& upd, Red red, const Node& n, const std::vector<Run>& runs) {
  const DType dt = out.dtype();
  if (is_half(dt)) {  // reduce in float32
    const bool bf = dt == DType::BFloat16;
    uint16_t* d = static_cast<uint16_t*>(out.raw());
    const uint16_t* s = static_cast<const uint16_t*>(upd.raw());
    auto to_f = [bf](uint16_t h) { return bf ? bfloat16_to_float(h) : half_to_float(h); };
    for (const Run& r : runs)
      for (int64_t i = 0; i < r.count; ++i) {
        const float v = combine(to_f(d[r.dst + i]), to_f(s[r.src + i]), red);
        d[r.dst + i] = bf ? float_to_bfloat16(v) : float_to_half(v);
      }
    return;
  }
  visit_numeric(dt, n.label(), [&](auto tag) {
    using T = decltype(tag);
    T* d = static_cast<T*>(out.raw());
    const T* s = static_cast<const T*>(upd.raw());
    for (const Run& r : runs)
      for (int64_t i = 0; i < r.count; ++i) d[r.dst + i] = combine(d[r.dst + i], s[r.src + i], red);
  });
}

// Applies updates to `out`: `pairs(emit)` calls emit(dst_off, src_off, count)
// (element offsets into out and updates) for each contiguous run to write.
template <typename Pairs>
void scatter_into(Tensor& out, const Tensor& upd, Red red, const Node& n, Pairs&& pairs) {
  if (red == Red::None) {
    const size_t es = dtype_size(out.dtype());
    char* d = static_cast<char*>(out.raw());
    const char* s = static_cast<const char*>(upd.raw());
    pairs([&](int64_t doff, int64_t soff, int64_t cnt) {
      std::memcpy(d + size_t(doff) * es, s + size_t(soff) * es, size_t(cnt) * es);
    });
    return;
  }
  std::vector<Run> runs;
  pairs([&](int64_t doff, int64_t soff, int64_t cnt) { runs.push_back({doff, soff, cnt}); });
  reduce_runs(out, upd, red, n, runs);
}

Tensor& copy_of_data(OpContext& ctx, const Tensor& x, const Tensor& upd) {
  const Node& n = ctx.node();
  QWASM_CHECK(upd.dtype() == x.dtype(), n.label(), ": updates are ", dtype_name(upd.dtype()), ", data is ",
              dtype_name(x.dtype()));
  moved_elem_size(x, n);
  Tensor& out = ctx.output(0, x.dtype(), x.shape());
  if (x.bytes()) std::memcpy(out.raw(), x.raw(), x.bytes());
  return out;
}

void scatter_elements(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const Tensor& idx = ctx.in(1);
  const Tensor& upd = ctx.in(2);
  const int64_t axis = normalize_axis(n.attr_i("axis", 0), x.rank(), n.label());
  check_element_indices(x, idx, axis, n);
  QWASM_CHECK(upd.shape() == idx.shape(), n.label(), ": updates shape ", shape_str(upd.shape()),
              " differs from indices shape ", shape_str(idx.shape()));
  const auto k = read_indices(idx, x.dim(axis), n);
  Tensor& out = copy_of_data(ctx, x, upd);
  scatter_into(out, upd, reduction_of(n), n, [&](auto&& emit) {
    for_each_element_index(x.shape(), idx.shape(), k, axis, [&](int64_t i, int64_t off) { emit(off, i, 1); });
  });
}

void scatter_nd(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const Tensor& idx = ctx.in(1);
  const Tensor& upd = ctx.in(2);
  QWASM_CHECK(idx.rank() >= 1, n.label(), ": indices must have rank >= 1");
  const int64_t k = idx.dim(idx.rank() - 1);
  QWASM_CHECK(k <= x.rank(), n.label(), ": index tuples of length ", k, " for data of rank ", x.rank());
  Shape want(idx.shape().begin(), idx.shape().end() - 1);
  want.insert(want.end(), x.shape().begin() + k, x.shape().end());
  QWASM_CHECK(upd.shape() == want, n.label(), ": updates shape ", shape_str(upd.shape()), ", expected ",
              shape_str(want));
  Tensor& out = copy_of_data(ctx, x, upd);
  int64_t slice = 1;
  for (int64_t d = k; d < x.rank(); ++d) slice *= x.dim(d);
  const int64_t tuples = k ? idx.size() / k : 0;  // k == 0 (one empty tuple per row) replaces everything
  const auto xs = shape_strides(x.shape());
  std::vector<int64_t> offs(static_cast<size_t>(tuples));
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t off = 0;
    for (int64_t j = 0; j < k; ++j) {
      int64_t c = idx.get_i64(t * k + j);
      if (c < 0) c += x.dim(j);
      QWASM_CHECK(c >= 0 && c < x.dim(j), n.label(), ": index ", idx.get_i64(t * k + j), " out of range for dim ", j,
                  " of size ", x.dim(j));
      off += c * xs[size_t(j)];
    }
    offs[size_t(t)] = off;
  }
  const int64_t rows = k ? tuples : shape_size(Shape(idx.shape().begin(), idx.shape().end() - 1));
  scatter_into(out, upd, reduction_of(n), n, [&](auto&& emit) {
    for (int64_t t = 0; t < rows; ++t) emit(k ? offs[size_t(t)] : 0, t * slice, slice);
  });
}

}  // namespace

void register_shape_scatter_ops(OpRegistry& r) {
  r.add("", "Scatter", 9, validated(check_reduction, scatter_elements));  // deprecated alias (opset 9-10)
  r.add("", "ScatterElements", 11, validated(check_reduction, scatter_elements));
  r.add("", "ScatterND", 11, validated(check_reduction, scatter_nd));
}

}  // namespace qwasm
