// Small helpers for the shape family (ops/shape*.cc); ints_of/axes_from are
// also used by other families for shape-like inputs.
#pragma once
#include <array>
#include <cstring>
#include <vector>

#include "graph/float16.h"
#include "graph/tensor.h"
#include "ops/op.h"

namespace qwasm {

inline std::vector<int64_t> ints_of(const Tensor& t) {
  std::vector<int64_t> v(size_t(t.size()));
  for (int64_t i = 0; i < t.size(); ++i) v[size_t(i)] = t.get_i64(i);
  return v;
}

// Axes from an optional input when given, else from an attribute (older opsets).
inline std::vector<int64_t> axes_from(const OpContext& ctx, size_t input, const char* attr) {
  if (const Tensor* t = ctx.input(input)) return ints_of(*t);
  return ctx.node().attr_ints(attr);
}

// Element size for ops that move elements as opaque bytes. Sub-byte and string
// tensors cannot be moved that way, so they are refused with the node's name.
inline size_t moved_elem_size(const Tensor& t, const Node& n) {
  const DType d = t.dtype();
  QWASM_CHECK(d != DType::Int4 && d != DType::UInt4 && d != DType::String && d != DType::Undefined, n.label(),
              ": element type ", dtype_name(d), " is not supported by this operator");
  return dtype_size(d);
}

// Storage bytes of one element of type `d` holding `v` (for fill values given as
// numbers: Pad's old `value` attribute, EyeLike's ones, old Dropout masks).
struct ElemBytes {
  std::array<char, 8> b{};
  const char* data() const { return b.data(); }
};
inline ElemBytes scalar_bytes(DType d, double v, const Node& n) {
  ElemBytes e;
  auto put = [&](auto x) { std::memcpy(e.b.data(), &x, sizeof(x)); };
  switch (d) {
    case DType::Float32: put(float(v)); break;
    case DType::Float64: put(v); break;
    case DType::Float16: put(float_to_half(float(v))); break;
    case DType::BFloat16: put(float_to_bfloat16(float(v))); break;
    case DType::Int8: put(int8_t(v)); break;
    case DType::UInt8: put(uint8_t(v)); break;
    case DType::Int16: put(int16_t(v)); break;
    case DType::UInt16: put(uint16_t(v)); break;
    case DType::Int32: put(int32_t(v)); break;
    case DType::UInt32: put(uint32_t(v)); break;
    case DType::Int64: put(int64_t(v)); break;
    case DType::UInt64: put(uint64_t(v)); break;
    case DType::Bool: put(uint8_t(v != 0)); break;
    default: fail(n.label(), ": element type ", dtype_name(d), " is not supported");
  }
  return e;
}

// Fills `count` elements of `elem` bytes at dst with copies of `value`.
inline void fill_elems(void* dst, const void* value, size_t elem, int64_t count) {
  char* p = static_cast<char*>(dst);
  bool zero = true;
  for (size_t i = 0; i < elem; ++i) zero = zero && static_cast<const char*>(value)[i] == 0;
  if (zero) {
    std::memset(p, 0, size_t(count) * elem);
    return;
  }
  for (int64_t i = 0; i < count; ++i) std::memcpy(p + size_t(i) * elem, value, elem);
}

// Reads an index tensor (int32 or int64) once, mapping negatives into [0, dim)
// and checking bounds, so copy loops work on plain offsets.
inline std::vector<int64_t> read_indices(const Tensor& idx, int64_t dim, const Node& n) {
  QWASM_CHECK(idx.dtype() == DType::Int64 || idx.dtype() == DType::Int32, n.label(),
              ": indices must be int32 or int64, got ", dtype_name(idx.dtype()));
  std::vector<int64_t> v(size_t(idx.size()));
  for (int64_t i = 0; i < idx.size(); ++i) {
    int64_t k = idx.dtype() == DType::Int64 ? idx.data<int64_t>()[i] : idx.data<int32_t>()[i];
    if (k < 0) k += dim;
    QWASM_CHECK(k >= 0 && k < dim, n.label(), ": index ", idx.get_i64(i), " out of range for a dimension of size ", dim);
    v[size_t(i)] = k;
  }
  return v;
}

// A factory that checks a node's attributes once at session build, then runs a
// stateless compute function.
inline OpFactory validated(void (*check)(const Node&), ComputeFn fn) {
  return [check, fn](const BuildContext& b) {
    check(b.node);
    return make_fn_kernel(fn);
  };
}

}  // namespace qwasm

namespace qwasm {

// GatherElements / ScatterElements addressing: for element i (row-major over
// `idx_shape`) calls fn(i, off) with off the element offset in a tensor of shape
// `data_shape` at i's coordinates, the `axis` coordinate replaced by index[i]
// (already normalised by read_indices).
template <typename Fn>
void for_each_element_index(const Shape& data_shape, const Shape& idx_shape, const std::vector<int64_t>& index,
                            int64_t axis, Fn&& fn) {
  const int64_t r = int64_t(idx_shape.size());
  const int64_t total = int64_t(index.size());
  if (total == 0) return;
  const auto xs = shape_strides(data_shape);
  std::vector<int64_t> step(size_t(r), 0), c(size_t(r), 0);
  for (int64_t d = 0; d < r; ++d) step[size_t(d)] = d == axis ? 0 : xs[size_t(d)];
  const int64_t axis_stride = xs[size_t(axis)];
  int64_t base = 0;
  for (int64_t i = 0; i < total; ++i) {
    fn(i, base + index[size_t(i)] * axis_stride);
    for (int64_t d = r - 1; d >= 0; --d) {
      base += step[size_t(d)];
      if (++c[size_t(d)] < idx_shape[size_t(d)]) break;
      base -= step[size_t(d)] * idx_shape[size_t(d)];
      c[size_t(d)] = 0;
    }
  }
}

// Checks that `idx` has the data's rank and no dim larger than the data's
// (other than on `axis`), as GatherElements/ScatterElements require.
inline void check_element_indices(const Tensor& x, const Tensor& idx, int64_t axis, const Node& n) {
  QWASM_CHECK(idx.rank() == x.rank(), n.label(), ": indices have rank ", idx.rank(), ", data has rank ", x.rank());
  for (int64_t d = 0; d < x.rank(); ++d)
    QWASM_CHECK(d == axis || idx.dim(d) <= x.dim(d), n.label(), ": indices shape ", shape_str(idx.shape()),
                " exceeds data shape ", shape_str(x.shape()));
}

}  // namespace qwasm
