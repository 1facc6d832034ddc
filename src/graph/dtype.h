// Element types, numbered exactly as onnx.proto's TensorProto.DataType so the
// loader can cast the wire value directly.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace qwasm {

enum class DType : int32_t {
  Undefined = 0,
  Float32 = 1,
  UInt8 = 2,
  Int8 = 3,
  UInt16 = 4,
  Int16 = 5,
  Int32 = 6,
  Int64 = 7,
  String = 8,
  Bool = 9,
  Float16 = 10,
  Float64 = 11,
  UInt32 = 12,
  UInt64 = 13,
  Complex64 = 14,
  Complex128 = 15,
  BFloat16 = 16,
  Float8E4M3FN = 17,
  Float8E4M3FNUZ = 18,
  Float8E5M2 = 19,
  Float8E5M2FNUZ = 20,
  UInt4 = 21,
  Int4 = 22,
};

// Bytes per element; 4-bit types report 1 here (use storage_bytes for exact sizes).
size_t dtype_size(DType t);
// The largest tensor storage: half the address space in wasm (2 GiB), 512 GiB natively
// (under AddressSanitizer's 1 TiB allocation limit, so the fuzzer sees our Error).
constexpr uint64_t kMaxTensorBytes = sizeof(size_t) == 4 ? (uint64_t(1) << 31) - 1 : uint64_t(1) << 39;
// Bytes needed to hold `count` elements (4-bit types pack two per byte), unchecked.
uint64_t storage_bytes_u64(DType t, int64_t count);
// The same as a size_t; an Error when it exceeds kMaxTensorBytes.
size_t storage_bytes(DType t, int64_t count);
const char* dtype_name(DType t);
bool dtype_is_valid(int32_t v);

// Compile-time map from C++ type to DType.
template <typename T> struct DTypeOf;
template <> struct DTypeOf<float> { static constexpr DType value = DType::Float32; };
template <> struct DTypeOf<double> { static constexpr DType value = DType::Float64; };
template <> struct DTypeOf<uint8_t> { static constexpr DType value = DType::UInt8; };
template <> struct DTypeOf<int8_t> { static constexpr DType value = DType::Int8; };
template <> struct DTypeOf<uint16_t> { static constexpr DType value = DType::UInt16; };
template <> struct DTypeOf<int16_t> { static constexpr DType value = DType::Int16; };
template <> struct DTypeOf<int32_t> { static constexpr DType value = DType::Int32; };
template <> struct DTypeOf<int64_t> { static constexpr DType value = DType::Int64; };
template <> struct DTypeOf<uint32_t> { static constexpr DType value = DType::UInt32; };
template <> struct DTypeOf<uint64_t> { static constexpr DType value = DType::UInt64; };
template <> struct DTypeOf<bool> { static constexpr DType value = DType::Bool; };

}  // namespace qwasm
