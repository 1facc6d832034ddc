// Dtype dispatch and broadcasting helpers shared by the operator families.
#pragma once
#include <cstdint>
#include <vector>

#include "graph/float16.h"
#include "graph/tensor.h"

namespace qwasm {

// Calls f(T{}) with T the C++ type of `t` (float16/bfloat16 excluded: callers
// widen them to float first). Throws naming `what` for other types.
template <typename F>
auto visit_numeric(DType t, const std::string& what, F&& f) {
  switch (t) {
    case DType::Float32: return f(float{});
    case DType::Float64: return f(double{});
    case DType::Int8: return f(int8_t{});
    case DType::UInt8: return f(uint8_t{});
    case DType::Int16: return f(int16_t{});
    case DType::UInt16: return f(uint16_t{});
    case DType::Int32: return f(int32_t{});
    case DType::UInt32: return f(uint32_t{});
    case DType::Int64: return f(int64_t{});
    case DType::UInt64: return f(uint64_t{});
    case DType::Bool: return f(bool{});
    default: fail(what, ": element type ", dtype_name(t), " is not supported");
  }
}

inline bool is_half(DType t) { return t == DType::Float16 || t == DType::BFloat16; }

// float16/bfloat16 -> float32 copy (other types returned as is).
Tensor widen_half(const Tensor& t);
// float32 -> float16/bfloat16 into `out` (already allocated with the half dtype).
void narrow_half(const Tensor& f32, Tensor& out);

// Walks the output of a numpy broadcast: for each output element, the element
// offset in each input. Contiguous inner runs are handed out in one call so
// inner loops stay simple: fn(out_offset, in_offsets[], in_steps[], count).
class BroadcastIter {
 public:
  BroadcastIter(const Shape& out, const std::vector<Shape>& ins);
  template <typename Fn> void for_each_run(Fn&& fn) const;

 private:
  Shape out_;
  std::vector<std::vector<int64_t>> strides_;  // per input, per out dim (0 where broadcast)
};

template <typename Fn>
void BroadcastIter::for_each_run(Fn&& fn) const {
  const size_t n_in = strides_.size();
  const int64_t rank = int64_t(out_.size());
  const int64_t total = shape_size(out_);
  if (total == 0) return;
  const int64_t inner = rank ? out_.back() : 1;
  std::vector<int64_t> steps(n_in), offs(n_in, 0), idx(size_t(std::max<int64_t>(rank, 1)), 0);
  for (size_t k = 0; k < n_in; ++k) steps[k] = rank ? strides_[k].back() : 0;
  for (int64_t o = 0; o < total; o += inner) {
    fn(o, offs.data(), steps.data(), inner);
    // Advance the outer index (all dims but the last).
    for (int64_t d = rank - 2; d >= 0; --d) {
      ++idx[size_t(d)];
      for (size_t k = 0; k < n_in; ++k) offs[k] += strides_[k][size_t(d)];
      if (idx[size_t(d)] < out_[size_t(d)]) break;
      for (size_t k = 0; k < n_in; ++k) offs[k] -= strides_[k][size_t(d)] * out_[size_t(d)];
      idx[size_t(d)] = 0;
    }
  }
}

}  // namespace qwasm
