// TopK: the k largest (or smallest) elements along an axis, with their indices.
// Ties keep the lower index first (the ONNX reference's stable order).
#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

#include "graph/shape.h"
#include "ops/cast.h"
#include "ops/dtype_switch.h"
#include "ops/half_via_float.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

// float16 / bfloat16 reach topk widened (half_via_float); other types reach cast_tensor's refusal.
DType topk_key_type(DType t) {
  switch (t) {
    case DType::Float64: return DType::Float64;
    case DType::Int8: case DType::Int16: case DType::Int32: case DType::Int64: return DType::Int64;
    default: return DType::UInt64;
  }
}

void topk(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  QWASM_CHECK(x.rank() >= 1, n.label(), ": input of rank >= 1 required");
  const Tensor* kt = ctx.input(1);  // opset >= 10: K is an input; opset 1: the attribute k
  QWASM_CHECK(kt == nullptr || kt->size() == 1, n.label(), ": K must hold one value");
  const int64_t axis = normalize_axis(n.attr_i("axis", -1), x.rank(), n.label());
  const int64_t k = kt ? kt->get_i64(0) : n.attr_i("k"), len = x.dim(axis);
  QWASM_CHECK(k >= 0 && k <= len, n.label(), ": K = ", k, " is outside [0, ", len, "] (axis length)");
  const bool largest = n.attr_i("largest", 1) != 0;
  Shape s = x.shape();
  s[size_t(axis)] = k;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.dim(d);
  for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
  Tensor& vals = ctx.output(0, x.dtype(), s);
  Tensor& idx = ctx.output(1, DType::Int64, s);
  // The order is computed on keys: float32 / float64 / int64 as they are, the other types
  // widened exactly (to int64, uint64 or float64), so the sort is instantiated 4 times, not
  // once per type; the values are copied from x's own bytes.
  const DType kt_type = x.dtype() == DType::Float32 ? DType::Float32 : topk_key_type(x.dtype());
  const Tensor keys = cast_tensor(x, kt_type, n.label());
  std::vector<int64_t> order(static_cast<size_t>(len));
  int64_t* di = idx.data<int64_t>();
  auto run = [&](auto* key) {
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const auto* row = key + o * len * inner + i;
        std::iota(order.begin(), order.end(), int64_t(0));
        auto before = [&](int64_t a, int64_t b) {
          const auto va = row[a * inner], vb = row[b * inner];
          if (va != vb) return largest ? va > vb : va < vb;
          return a < b;
        };
        std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
        for (int64_t j = 0; j < k; ++j) di[(o * k + j) * inner + i] = order[size_t(j)];
      }
  };
  switch (kt_type) {
    case DType::Float32: run(keys.data<float>()); break;
    case DType::Float64: run(keys.data<double>()); break;
    case DType::Int64: run(keys.data<int64_t>()); break;
    default: run(keys.data<uint64_t>()); break;
  }
  const size_t es = dtype_size(x.dtype());
  const char* src = static_cast<const char*>(x.raw());
  char* dv = static_cast<char*>(vals.raw());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < k; ++j)
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t at = (o * k + j) * inner + i;
        std::memcpy(dv + size_t(at) * es, src + size_t((o * len + di[at]) * inner + i) * es, es);
      }
}

}  // namespace

// float16 values are sorted as float32 (exact: widening and narrowing back change nothing).
void register_reduce_topk_ops(OpRegistry& r) { r.add("", "TopK", 1, half_via_float(topk)); }

}  // namespace qwasm
