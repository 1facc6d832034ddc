// Per-tensor parameters of the com.microsoft QLinear* element-wise ops (QLinearAdd,
// QLinearMul, QLinearSigmoid, QLinearLeakyRelu, QLinearConcat, QLinearGlobalAveragePool):
// a float scale scalar and an optional zero point of the data's byte type, each checked
// naming the node. Also the byte tables those ops use when the parameters are known, and
// the run of the two binary ones (A at input 0, B at input 3).
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/tensor.h"
#include "ops/broadcast.h"
#include "ops/dtype_switch.h"
#include "ops/op.h"
#include "ops/quant_common.h"

namespace qwasm {

// A float (or float16) scale that must hold exactly one element.
inline float qlinear_scale(const Tensor& s0, const Node& n, const char* name) {
  const Tensor s = widen_half(s0);
  QWASM_CHECK(s.dtype() == DType::Float32 && s.size() == 1, n.label(), ": ", name, " must be a float scalar, got ",
              dtype_name(s.dtype()), " ", shape_str(s.shape()));
  return s.data<float>()[0];
}

// An optional zero point (0 when absent) that must be one element of type t.
inline int32_t qlinear_zero_point(const Tensor* z, DType t, const Node& n, const char* name) {
  if (!z) return 0;
  QWASM_CHECK(z->dtype() == t && z->size() == 1, n.label(), ": ", name, " must be a scalar of type ",
              dtype_name(t), ", got ", dtype_name(z->dtype()), " ", shape_str(z->shape()));
  return byte_at(*z, 0);
}

// The value a stored byte (int8 reinterpreted as uint8) stands for in type t.
inline int32_t byte_value(DType t, int v) { return t == DType::Int8 ? int32_t(int8_t(uint8_t(v))) : v; }

// The byte that stores quantized value q of type t.
inline uint8_t byte_of(int32_t q) { return uint8_t(q & 0xFF); }

// Quantizes a float as onnxruntime's QuantizeLinear does for these ops:
// round_half_even(v / scale) + zero point, saturated to t's range.
inline uint8_t quantize_byte(float v, float scale, int32_t zp, QRange r) {
  const float q = std::nearbyint(v / scale) + float(zp);
  if (std::isnan(q)) return byte_of(zp);
  return byte_of(q <= float(r.lo) ? r.lo : q >= float(r.hi) ? r.hi : int32_t(q));
}

// f(x, y) for every pair of stored bytes, at [x * 256 + y] (64 KiB).
template <class F>
std::vector<uint8_t> byte_pair_table(const F& f) {
  std::vector<uint8_t> t(65536);
  for (int x = 0; x < 256; ++x)
    for (int y = 0; y < 256; ++y) t[size_t(x * 256 + y)] = f(uint8_t(x), uint8_t(y));
  return t;
}

// C (A's byte type, the broadcast shape) = f(A, B) for a binary QLinear op whose A and B
// are inputs 0 and 3: one lookup per element in `table` when it was built for A's type,
// else params(A's type).apply(a, b) with the parameters read now.
template <class ParamsFn>
void run_qlinear_binary(OpContext& ctx, const Node& n, const std::vector<uint8_t>& table, DType table_type,
                        const ParamsFn& params) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(3);
  QWASM_CHECK(is_byte(a.dtype()) && b.dtype() == a.dtype(), n.label(), ": A and B must both be uint8 or both int8, got ",
              dtype_name(a.dtype()), " and ", dtype_name(b.dtype()));
  const Shape out = broadcast_shapes(a.shape(), b.shape(), n.label());
  Tensor& c = ctx.output(0, a.dtype(), out);
  const uint8_t* ap = static_cast<const uint8_t*>(a.raw());
  const uint8_t* bp = static_cast<const uint8_t*>(b.raw());
  uint8_t* cp = static_cast<uint8_t*>(c.raw());
  if (!table.empty() && table_type == a.dtype()) {
    const uint8_t* t = table.data();
    broadcast_binary(ap, a.shape(), bp, b.shape(), cp, out,
                     [t](uint8_t x, uint8_t y) -> uint8_t { return t[size_t(x) * 256 + y]; });
    return;
  }
  const auto q = params(a.dtype());
  broadcast_binary(ap, a.shape(), bp, b.shape(), cp, out, [&q](uint8_t x, uint8_t y) { return q.apply(x, y); });
}

}  // namespace qwasm
