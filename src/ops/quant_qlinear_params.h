// Per-tensor parameters of the com.microsoft QLinear* element-wise ops (QLinearAdd,
// QLinearMul, QLinearSigmoid, QLinearLeakyRelu, QLinearConcat, QLinearGlobalAveragePool):
// a float scale scalar and an optional zero point of the data's byte type, each checked
// naming the node. The two binary ones share ops/quant_qlinear_binary.h.
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

}  // namespace qwasm
