// Unique: the distinct elements (or, with `axis`, the distinct slices along it) in
// sorted or first-occurrence order, with first indices, inverse indices and counts.
#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

#include "graph/shape.h"
#include "ops/cast.h"
#include "ops/dtype_switch.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

// Slices of a tensor viewed as [outer, len, inner] along the chosen axis.
struct Slices {
  int64_t outer = 1, len = 1, inner = 1;
};

template <typename T>
std::vector<int64_t> unique_slices(const T* x, const Slices& s, bool sorted, std::vector<int64_t>& inverse,
                                   std::vector<int64_t>& counts) {
  auto elem = [&](int64_t slice, int64_t k) { return x[(k / s.inner * s.len + slice) * s.inner + k % s.inner]; };
  const int64_t width = s.outer * s.inner;
  auto less = [&](int64_t a, int64_t b) {
    for (int64_t k = 0; k < width; ++k)
      if (elem(a, k) != elem(b, k)) return elem(a, k) < elem(b, k);
    return false;
  };
  auto same = [&](int64_t a, int64_t b) { return !less(a, b) && !less(b, a); };
  // The index tie-break keeps the first occurrence first among equal slices.
  std::vector<int64_t> order(static_cast<size_t>(s.len));
  std::iota(order.begin(), order.end(), int64_t(0));
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return less(a, b) || (!less(b, a) && a < b); });
  std::vector<int64_t> firsts;  // first index of each distinct slice, in sorted order
  std::vector<int64_t> rank_of(static_cast<size_t>(s.len));
  for (size_t i = 0; i < order.size(); ++i) {
    if (i == 0 || !same(order[i - 1], order[i])) firsts.push_back(order[i]);
    rank_of[size_t(order[i])] = int64_t(firsts.size()) - 1;
  }
  std::vector<int64_t> pos(firsts.size());  // sorted rank -> output position
  std::iota(pos.begin(), pos.end(), int64_t(0));
  if (!sorted) {
    std::vector<int64_t> by_first(firsts.size());
    std::iota(by_first.begin(), by_first.end(), int64_t(0));
    std::sort(by_first.begin(), by_first.end(), [&](int64_t a, int64_t b) { return firsts[a] < firsts[b]; });
    for (size_t i = 0; i < by_first.size(); ++i) pos[size_t(by_first[i])] = int64_t(i);
  }
  std::vector<int64_t> out(firsts.size());
  counts.assign(firsts.size(), 0);
  inverse.resize(size_t(s.len));
  for (size_t r = 0; r < firsts.size(); ++r) out[size_t(pos[r])] = firsts[r];
  for (int64_t i = 0; i < s.len; ++i) {
    inverse[size_t(i)] = pos[size_t(rank_of[size_t(i)])];
    ++counts[size_t(inverse[size_t(i)])];
  }
  return out;
}

// float16 / bfloat16 are widened before this; other types reach cast_tensor's refusal.
DType unique_key_type(DType t) {
  switch (t) {
    case DType::Float32: case DType::Float64: return DType::Float64;
    case DType::Int8: case DType::Int16: case DType::Int32: case DType::Int64: return DType::Int64;
    default: return DType::UInt64;
  }
}

void unique(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x0 = ctx.in(0);
  Tensor x = widen_half(x0);
  const bool has_axis = n.has_attr("axis"), sorted = n.attr_i("sorted", 1) != 0;
  Slices s;
  int64_t axis = 0;
  if (has_axis) {
    axis = normalize_axis(n.attr_i("axis"), x.rank(), n.label());
    for (int64_t d = 0; d < axis; ++d) s.outer *= x.dim(d);
    for (int64_t d = axis + 1; d < x.rank(); ++d) s.inner *= x.dim(d);
    s.len = x.dim(axis);
  } else {
    s.len = x.size();
  }
  // The slices are ordered on keys of a wide type (float64, int64 or uint64: exact for
  // order and equality), so the sort is instantiated 3 times, not once per type; the
  // output copies x's own bytes.
  const DType key_type = unique_key_type(x.dtype());
  const Tensor keys = cast_tensor(x, key_type, n.label());
  std::vector<int64_t> inverse, counts, firsts;
  if (key_type == DType::Float64) firsts = unique_slices(keys.data<double>(), s, sorted, inverse, counts);
  else if (key_type == DType::Int64) firsts = unique_slices(keys.data<int64_t>(), s, sorted, inverse, counts);
  else firsts = unique_slices(keys.data<uint64_t>(), s, sorted, inverse, counts);
  const int64_t U = int64_t(firsts.size());
  Shape ys = has_axis ? x.shape() : Shape{U};
  if (has_axis) ys[size_t(axis)] = U;
  Tensor y(x.dtype(), ys);
  const size_t es = dtype_size(x.dtype());
  const char* src = static_cast<const char*>(x.raw());
  char* dst = static_cast<char*>(y.raw());
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t u = 0; u < U; ++u)
      std::memcpy(dst + size_t((o * U + u) * s.inner) * es, src + size_t((o * s.len + firsts[size_t(u)]) * s.inner) * es,
                  size_t(s.inner) * es);
  Tensor& out = ctx.output(0, x0.dtype(), ys);
  if (is_half(x0.dtype())) narrow_half(y, out);
  else std::memcpy(out.raw(), y.raw(), y.bytes());
  const std::vector<int64_t>* extra[] = {&firsts, &inverse, &counts};
  for (size_t i = 1; i < 4; ++i)
    if (ctx.output_wanted(i)) {
      const std::vector<int64_t>& v = *extra[i - 1];
      std::copy(v.begin(), v.end(), ctx.output(i, DType::Int64, {int64_t(v.size())}).data<int64_t>());
    }
}

}  // namespace

void register_shape_unique_ops(OpRegistry& r) { r.add_fn("", "Unique", 11, unique); }

}  // namespace qwasm
