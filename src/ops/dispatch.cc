#include "ops/dispatch.h"

namespace qwasm {

Tensor widen_half(const Tensor& t) {
  if (!is_half(t.dtype())) return t;
  Tensor out(DType::Float32, t.shape());
  const uint16_t* s = static_cast<const uint16_t*>(t.raw());
  float* d = out.data<float>();
  const bool bf = t.dtype() == DType::BFloat16;
  for (int64_t i = 0; i < t.size(); ++i) d[i] = bf ? bfloat16_to_float(s[i]) : half_to_float(s[i]);
  return out;
}

void narrow_half(const Tensor& f32, Tensor& out) {
  const float* s = f32.data<float>();
  uint16_t* d = static_cast<uint16_t*>(out.raw());
  const bool bf = out.dtype() == DType::BFloat16;
  for (int64_t i = 0; i < f32.size(); ++i) d[i] = bf ? float_to_bfloat16(s[i]) : float_to_half(s[i]);
}

BroadcastIter::BroadcastIter(const Shape& out, const std::vector<Shape>& ins) : out_(out) {
  for (const Shape& s : ins) {
    std::vector<int64_t> st(out.size(), 0);
    int64_t stride = 1;
    for (int64_t d = int64_t(s.size()) - 1, o = int64_t(out.size()) - 1; d >= 0; --d, --o) {
      st[size_t(o)] = s[size_t(d)] == 1 ? 0 : stride;
      stride *= s[size_t(d)];
    }
    strides_.push_back(st);
  }
}

}  // namespace qwasm
