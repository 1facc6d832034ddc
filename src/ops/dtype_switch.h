// The element-type switch shared by the operator families (visit_numeric: a DType
// to its C++ type) and the float16/bfloat16 widening around it. Not to be confused
// with kernels/dispatch/, which picks an instruction set.
#pragma once
#include <cstdint>
#include <string>

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

}  // namespace qwasm
