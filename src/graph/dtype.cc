#include "graph/dtype.h"

#include "graph/error.h"

namespace qwasm {

size_t dtype_size(DType t) {
  switch (t) {
    case DType::Float32: case DType::Int32: case DType::UInt32: return 4;
    case DType::Float64: case DType::Int64: case DType::UInt64: case DType::Complex64: return 8;
    case DType::Complex128: return 16;
    case DType::UInt16: case DType::Int16: case DType::Float16: case DType::BFloat16: return 2;
    case DType::UInt8: case DType::Int8: case DType::Bool:
    case DType::Float8E4M3FN: case DType::Float8E4M3FNUZ: case DType::Float8E5M2:
    case DType::Float8E5M2FNUZ: case DType::UInt4: case DType::Int4: return 1;
    default: return 0;
  }
}

uint64_t storage_bytes_u64(DType t, int64_t count) {
  if (count < 0) return 0;
  if (t == DType::UInt4 || t == DType::Int4) return (uint64_t(count) + 1) / 2;
  return uint64_t(dtype_size(t)) * uint64_t(count);  // count <= 2^53 (shape_size), size <= 16: no overflow
}

size_t storage_bytes(DType t, int64_t count) {
  const uint64_t b = storage_bytes_u64(t, count);
  // Checked here because in wasm size_t is 32 bits: a larger size would wrap to a
  // small allocation that the tensor's users then overrun.
  QWASM_CHECK(b <= kMaxTensorBytes, dtype_name(t), " tensor of ", count, " elements needs ", b,
              " bytes, more than one tensor may hold here (", kMaxTensorBytes, ")");
  return size_t(b);
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::Float32: return "float32";
    case DType::UInt8: return "uint8";
    case DType::Int8: return "int8";
    case DType::UInt16: return "uint16";
    case DType::Int16: return "int16";
    case DType::Int32: return "int32";
    case DType::Int64: return "int64";
    case DType::String: return "string";
    case DType::Bool: return "bool";
    case DType::Float16: return "float16";
    case DType::Float64: return "float64";
    case DType::UInt32: return "uint32";
    case DType::UInt64: return "uint64";
    case DType::Complex64: return "complex64";
    case DType::Complex128: return "complex128";
    case DType::BFloat16: return "bfloat16";
    case DType::Float8E4M3FN: return "float8e4m3fn";
    case DType::Float8E4M3FNUZ: return "float8e4m3fnuz";
    case DType::Float8E5M2: return "float8e5m2";
    case DType::Float8E5M2FNUZ: return "float8e5m2fnuz";
    case DType::UInt4: return "uint4";
    case DType::Int4: return "int4";
    default: return "undefined";
  }
}

bool dtype_is_valid(int32_t v) { return v >= 1 && v <= 22; }

}  // namespace qwasm
