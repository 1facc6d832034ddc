// TopK: the k largest (or smallest) elements along an axis, with their indices.
// Ties keep the lower index first (the ONNX reference's stable order).
#include <algorithm>
#include <numeric>
#include <vector>

#include "graph/shape.h"
#include "ops/dtype_switch.h"
#include "ops/half_via_float.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

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
  std::vector<int64_t> order(static_cast<size_t>(len));
  visit_numeric(x.dtype(), n.label(), [&](auto tag) {
    using T = decltype(tag);
    const T* src = x.data<T>();
    T* dv = vals.data<T>();
    int64_t* di = idx.data<int64_t>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const T* row = src + o * len * inner + i;
        std::iota(order.begin(), order.end(), int64_t(0));
        auto before = [&](int64_t a, int64_t b) {
          const T va = row[a * inner], vb = row[b * inner];
          if (va != vb) return largest ? va > vb : va < vb;
          return a < b;
        };
        std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
        for (int64_t j = 0; j < k; ++j) {
          const int64_t at = (o * k + j) * inner + i;
          dv[at] = row[order[size_t(j)] * inner];
          di[at] = order[size_t(j)];
        }
      }
  });
}

}  // namespace

// float16 values are sorted as float32 (exact: widening and narrowing back change nothing).
void register_reduce_topk_ops(OpRegistry& r) { r.add("", "TopK", 1, half_via_float(topk)); }

}  // namespace qwasm
