// Index-driven reads: Gather, GatherElements, GatherND, Compress, NonZero.
// Indices are read and bounds-checked once (read_indices); the copy loops then
// move whole inner blocks as bytes, so every element type works alike.
#include <algorithm>
#include <cstring>

#include "ops/registry.h"
#include "ops/shape_util.h"

namespace qwasm {
namespace {

template <typename T>
void gather_elems(T* dst, const T* src, const std::vector<int64_t>& k, int64_t outer, int64_t dim) {
  const int64_t m = int64_t(k.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < m; ++j) dst[o * m + j] = src[o * dim + k[size_t(j)]];
}

void gather(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const Tensor& idx = ctx.in(1);
  QWASM_CHECK(x.rank() >= 1, n.label(), ": data must have rank >= 1");
  const int64_t axis = normalize_axis(n.attr_i("axis", 0), x.rank(), n.label());
  Shape shape(x.shape().begin(), x.shape().begin() + axis);
  shape.insert(shape.end(), idx.shape().begin(), idx.shape().end());
  shape.insert(shape.end(), x.shape().begin() + axis + 1, x.shape().end());
  const int64_t dim = x.dim(axis);
  const auto k = read_indices(idx, dim, n);
  const size_t es = moved_elem_size(x, n);
  Tensor& out = ctx.output(0, x.dtype(), shape);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.dim(d);
  for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
  if (out.size() == 0) return;
  // Single elements (e.g. picking ids): typed moves instead of memcpy calls.
  if (inner == 1 && es == 4)
    return gather_elems(static_cast<uint32_t*>(out.raw()), static_cast<const uint32_t*>(x.raw()), k, outer, dim);
  if (inner == 1 && es == 8)
    return gather_elems(static_cast<uint64_t*>(out.raw()), static_cast<const uint64_t*>(x.raw()), k, outer, dim);
  const int64_t m = int64_t(k.size());
  const size_t row = size_t(inner) * es;
  const char* src = static_cast<const char*>(x.raw());
  char* dst = static_cast<char*>(out.raw());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < m; ++j)
      std::memcpy(dst + size_t(o * m + j) * row, src + size_t(o * dim + k[size_t(j)]) * row, row);
}

void gather_elements(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const Tensor& idx = ctx.in(1);
  const int64_t axis = normalize_axis(n.attr_i("axis", 0), x.rank(), n.label());
  check_element_indices(x, idx, axis, n);
  const auto k = read_indices(idx, x.dim(axis), n);
  const size_t es = moved_elem_size(x, n);
  Tensor& out = ctx.output(0, x.dtype(), idx.shape());
  const char* src = static_cast<const char*>(x.raw());
  char* dst = static_cast<char*>(out.raw());
  for_each_element_index(x.shape(), idx.shape(), k, axis,
                         [&](int64_t i, int64_t off) { std::memcpy(dst + size_t(i) * es, src + size_t(off) * es, es); });
}

void gather_nd(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const Tensor& idx = ctx.in(1);
  const int64_t b = n.attr_i("batch_dims", 0);
  QWASM_CHECK(idx.rank() >= 1 && b >= 0 && b < idx.rank() && b < x.rank(), n.label(), ": batch_dims ", b,
              " must be below the ranks of data (", x.rank(), ") and indices (", idx.rank(), ")");
  for (int64_t d = 0; d < b; ++d)
    QWASM_CHECK(idx.dim(d) == x.dim(d), n.label(), ": batch dim ", d, " differs between data and indices");
  const int64_t k = idx.dim(idx.rank() - 1);
  QWASM_CHECK(k >= 1 && b + k <= x.rank(), n.label(), ": index tuples of length ", k, " for data of rank ", x.rank(),
              " with ", b, " batch dims");
  Shape shape(idx.shape().begin(), idx.shape().end() - 1);
  shape.insert(shape.end(), x.shape().begin() + b + k, x.shape().end());
  const size_t es = moved_elem_size(x, n);
  Tensor& out = ctx.output(0, x.dtype(), shape);
  int64_t batch = 1, slice = 1;
  for (int64_t d = 0; d < b; ++d) batch *= x.dim(d);
  for (int64_t d = b + k; d < x.rank(); ++d) slice *= x.dim(d);
  const int64_t tuples = idx.size() / k;
  if (tuples == 0 || batch == 0) return;
  const int64_t per_batch = tuples / batch, x_batch = x.size() / batch;
  const auto xs = shape_strides(x.shape());
  const char* src = static_cast<const char*>(x.raw());
  char* dst = static_cast<char*>(out.raw());
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t off = (t / per_batch) * x_batch;
    for (int64_t j = 0; j < k; ++j) {
      const int64_t dim = x.dim(b + j);
      int64_t c = idx.get_i64(t * k + j);
      if (c < 0) c += dim;
      QWASM_CHECK(c >= 0 && c < dim, n.label(), ": index ", idx.get_i64(t * k + j), " out of range for dim ", b + j,
                  " of size ", dim);
      off += c * xs[size_t(b + j)];
    }
    std::memcpy(dst + size_t(t * slice) * es, src + size_t(off) * es, size_t(slice) * es);
  }
}

void compress(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const Tensor& cond = ctx.in(1);
  QWASM_CHECK(cond.rank() == 1, n.label(), ": condition must be 1-D, got ", shape_str(cond.shape()));
  // Without an axis the input is flattened first.
  const bool has_axis = n.has_attr("axis");
  const int64_t axis = has_axis ? normalize_axis(n.attr_i("axis"), x.rank(), n.label()) : 0;
  const Shape in_shape = has_axis ? x.shape() : Shape{x.size()};
  const int64_t dim = in_shape[size_t(axis)];
  std::vector<int64_t> keep;
  for (int64_t i = 0; i < cond.size(); ++i) {
    if (cond.get_i64(i) == 0) continue;
    QWASM_CHECK(i < dim, n.label(), ": condition selects entry ", i, " of an axis of size ", dim);
    keep.push_back(i);
  }
  Shape shape = in_shape;
  shape[size_t(axis)] = int64_t(keep.size());
  const size_t es = moved_elem_size(x, n);
  Tensor& out = ctx.output(0, x.dtype(), shape);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= in_shape[size_t(d)];
  for (int64_t d = axis + 1; d < int64_t(in_shape.size()); ++d) inner *= in_shape[size_t(d)];
  const size_t row = size_t(inner) * es;
  const char* src = static_cast<const char*>(x.raw());
  char* dst = static_cast<char*>(out.raw());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i : keep) {
      std::memcpy(dst, src + size_t(o * dim + i) * row, row);
      dst += row;
    }
}

void non_zero(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const size_t es = moved_elem_size(x, n);
  const DType dt = x.dtype();
  const bool is_float = dt == DType::Float32 || dt == DType::Float64 || dt == DType::Float16 || dt == DType::BFloat16;
  std::vector<int64_t> hits;
  const unsigned char* p = static_cast<const unsigned char*>(x.raw());
  for (int64_t i = 0; i < x.size(); ++i) {
    bool nz;
    if (is_float) {
      nz = x.get_f64(i) != 0;  // -0.0 is zero, NaN is not
    } else {
      nz = false;
      for (size_t b = 0; b < es && !nz; ++b) nz = p[size_t(i) * es + b] != 0;
    }
    if (nz) hits.push_back(i);
  }
  // A scalar reports like a 1-element vector (numpy's atleast_1d).
  const int64_t r = std::max<int64_t>(x.rank(), 1), m = int64_t(hits.size());
  Tensor& out = ctx.output(0, DType::Int64, {r, m});
  int64_t* o = out.data<int64_t>();
  const auto st = shape_strides(x.shape());
  for (int64_t j = 0; j < m; ++j) {
    int64_t rem = hits[size_t(j)];
    if (x.rank() == 0) o[j] = 0;
    for (int64_t d = 0; d < x.rank(); ++d) {
      o[d * m + j] = rem / st[size_t(d)];
      rem %= st[size_t(d)];
    }
  }
}

}  // namespace

void register_shape_gather_ops(OpRegistry& r) {
  r.add_fn("", "Gather", 1, gather);
  r.add_fn("", "GatherElements", 11, gather_elements);
  r.add_fn("", "GatherND", 11, gather_nd);
  r.add_fn("", "Compress", 9, compress);
  r.add_fn("", "NonZero", 9, non_zero);
}

}  // namespace qwasm
