// Helpers shared by the quantization family: integer ranges of the quantized
// element types, element access for packed 4-bit tensors, float8 encoding
// (round to nearest even, with or without saturation), and the single rounding
// rule every requantization uses.
#pragma once
#include <cmath>
#include <cstdint>

#include "graph/graph.h"
#include "graph/tensor.h"

namespace qwasm {

inline bool is_float8(DType t) {
  return t == DType::Float8E4M3FN || t == DType::Float8E4M3FNUZ || t == DType::Float8E5M2 ||
         t == DType::Float8E5M2FNUZ;
}
inline bool is_int4(DType t) { return t == DType::Int4 || t == DType::UInt4; }

// Integer range of a quantized type (int32 for DequantizeLinear's int32 input).
struct QRange {
  int32_t lo, hi;
};
// Throws naming `who` for types that are not integer quantized types.
QRange qrange(DType t, const std::string& who);
// Whether t is one of the integer quantized types (qrange would not throw).
bool is_int_quant(DType t);

// Element i of an integer tensor (4-bit types unpacked and sign-extended).
int32_t get_q(const Tensor& t, int64_t i);
// Stores an already range-checked value (4-bit types: low nibble = even index).
void set_q(Tensor& t, int64_t i, int32_t v);

// float8 <-> float32. Encoding rounds to nearest even; out-of-range values become
// the largest finite value when `saturate`, else infinity (E5M2) or NaN.
uint8_t float_to_f8(float x, DType t, bool saturate);
float f8_to_float(uint8_t v, DType t);

// Round half to even then clamp: the one rule for every quantizing step.
inline int32_t round_clamp(float v, int32_t lo, int32_t hi) {
  if (std::isnan(v)) return 0;
  const float r = std::nearbyint(v);
  if (r <= float(lo)) return lo;
  if (r >= float(hi)) return hi;
  return int32_t(r);
}

// QLinear* output: round(acc * multiplier) (half to even) + zero point, saturated.
inline int32_t requantize(int32_t acc, float mult, int32_t zp, int32_t lo, int32_t hi) {
  const double r = std::nearbyint(double(acc) * double(mult)) + double(zp);
  return r <= double(lo) ? lo : r >= double(hi) ? hi : int32_t(r);
}

// Byte tensors (uint8 / int8) as signed ints.
inline int32_t byte_at(const Tensor& t, int64_t i) {
  return t.dtype() == DType::Int8 ? int32_t(static_cast<const int8_t*>(t.raw())[i])
                                  : int32_t(static_cast<const uint8_t*>(t.raw())[i]);
}
inline bool is_byte(DType t) { return t == DType::UInt8 || t == DType::Int8; }

// A scalar or 1-D tensor: element count that is either 1 or `n`. For checks like
// "w_zero_point has 1 or M elements".
inline bool scalar_or_len(const Tensor& t, int64_t n) {
  return (t.size() == 1 && t.rank() <= 1) || (t.rank() == 1 && t.size() == n);
}

// DynamicQuantizeLinear's uint8 parameters for a float range that always
// includes 0: scale = (max - min) / 255, zero point = round(-min / scale) clamped.
struct DynQuant {
  float scale;
  uint8_t zero_point;
};
DynQuant dynamic_qparams(const float* x, int64_t n);
// q[i] = saturate(round(x[i] / scale) + zero_point).
// (All-zero input: scale 1, zero point 0.)
void quantize_u8(const float* x, int64_t n, DynQuant p, uint8_t* q);

}  // namespace qwasm
