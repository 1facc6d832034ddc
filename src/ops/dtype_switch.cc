#include "ops/dtype_switch.h"

namespace qwasm {

Tensor widen_half(const Tensor& t) {
  if (!is_half(t.dtype())) return t;
  Tensor out(DType::Float32, t.shape());
  const uint16_t* s = static_cast<const uint16_t*>(t.raw());
  float* d = out.data<float>();
  if (t.dtype() == DType::BFloat16) {
    for (int64_t i = 0; i < t.size(); ++i) d[i] = bfloat16_to_float(s[i]);
  } else {
    for (int64_t i = 0; i < t.size(); ++i) d[i] = half_to_float(s[i]);
  }
  return out;
}

void narrow_half(const Tensor& f32, Tensor& out) {
  const float* s = f32.data<float>();
  uint16_t* d = static_cast<uint16_t*>(out.raw());
  if (out.dtype() == DType::BFloat16) {
    for (int64_t i = 0; i < f32.size(); ++i) d[i] = float_to_bfloat16(s[i]);
  } else {
    for (int64_t i = 0; i < f32.size(); ++i) d[i] = float_to_half(s[i]);
  }
}

}  // namespace qwasm
