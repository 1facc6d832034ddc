#include "onnx/tensor_proto.h"

#include <cstring>
#include <memory>

namespace qwasm {
namespace {

// Keeps a released protobuf string alive as a tensor's storage (no copy).
std::shared_ptr<Buffer> adopt_string(std::string* s) {
  auto b = std::make_shared<Buffer>();
  b->data = s->data();
  b->bytes = s->size();
  b->release = [s](Buffer&) { delete s; };
  return b;
}

template <typename Src, typename Dst>
void copy_field(const google::protobuf::RepeatedField<Src>& f, Dst* out) {
  for (int i = 0; i < f.size(); ++i) out[i] = static_cast<Dst>(f.Get(i));
}

// Typed-field storage: how many values the repeated field that carries `dt` holds
// (onnx.proto comments; 4-bit types: packed bytes, two values each, in int32_data).
int typed_field_size(const onnx::TensorProto& tp, DType dt) {
  switch (dt) {
    case DType::Float32: return tp.float_data_size();
    case DType::Float64: return tp.double_data_size();
    case DType::Int64: return tp.int64_data_size();
    case DType::UInt32: case DType::UInt64: return tp.uint64_data_size();
    default: return tp.int32_data_size();
  }
}

// Copies the typed field into `t`, whose size typed_field_size() was checked against.
void fill_from_typed_fields(const onnx::TensorProto& tp, Tensor& t, const std::string& name) {
  void* p = t.raw();
  switch (t.dtype()) {
    case DType::Float32: copy_field(tp.float_data(), static_cast<float*>(p)); break;
    case DType::Float64: copy_field(tp.double_data(), static_cast<double*>(p)); break;
    case DType::Int64: copy_field(tp.int64_data(), static_cast<int64_t*>(p)); break;
    case DType::UInt32: copy_field(tp.uint64_data(), static_cast<uint32_t*>(p)); break;
    case DType::UInt64: copy_field(tp.uint64_data(), static_cast<uint64_t*>(p)); break;
    case DType::Int32: copy_field(tp.int32_data(), static_cast<int32_t*>(p)); break;
    case DType::Int16: copy_field(tp.int32_data(), static_cast<int16_t*>(p)); break;
    case DType::UInt16: case DType::Float16: case DType::BFloat16:
      copy_field(tp.int32_data(), static_cast<uint16_t*>(p)); break;
    case DType::Int8: copy_field(tp.int32_data(), static_cast<int8_t*>(p)); break;
    case DType::UInt8: case DType::Bool: case DType::Float8E4M3FN: case DType::Float8E4M3FNUZ:
    case DType::Float8E5M2: case DType::Float8E5M2FNUZ: case DType::Int4: case DType::UInt4:
      copy_field(tp.int32_data(), static_cast<uint8_t*>(p)); break;
    default: fail("tensor '", name, "': data type ", dtype_name(t.dtype()), " is not supported");
  }
}

}  // namespace

ExternalRef external_ref_of(const onnx::TensorProto& tp) {
  ExternalRef ref;
  ref.tensor = tp.name();
  QWASM_CHECK(dtype_is_valid(tp.data_type()), "tensor '", tp.name(), "': unknown data type ", tp.data_type());
  ref.dtype = DType(tp.data_type());
  ref.shape.assign(tp.dims().begin(), tp.dims().end());
  for (int64_t d : ref.shape)
    QWASM_CHECK(d >= 0, "tensor '", tp.name(), "': negative dimension in ", shape_str(ref.shape));
  for (const auto& kv : tp.external_data()) {
    const std::string& k = kv.key();
    if (k == "location") {
      ref.location = kv.value();
    } else if (k == "offset" || k == "length") {
      char* end = nullptr;
      long long v = std::strtoll(kv.value().c_str(), &end, 10);
      QWASM_CHECK(end && *end == 0 && v >= 0, "tensor '", tp.name(), "': external_data ", k, " '",
                  kv.value(), "' is not a non-negative integer");
      if (k == "offset") ref.offset = uint64_t(v); else ref.length = v;
    }
  }
  validate_external_location(ref.location, tp.name());
  QWASM_CHECK(ref.length < 0 || size_t(ref.length) == ref.bytes(), "tensor '", tp.name(), "': external data length ",
              ref.length, " does not match ", dtype_name(ref.dtype), " ", shape_str(ref.shape), " (", ref.bytes(),
              " bytes)");
  QWASM_CHECK(ref.offset <= (uint64_t(1) << 53), "tensor '", tp.name(), "': external data offset ", ref.offset,
              " is out of range");
  return ref;
}

void validate_external_location(const std::string& loc, const std::string& tensor) {
  QWASM_CHECK(!loc.empty(), "tensor '", tensor, "': external data has no location");
  QWASM_CHECK(loc[0] != '/' && loc[0] != '\\' && loc.find(':') == std::string::npos,
              "tensor '", tensor, "': external data location '", loc, "' is an absolute path");
  size_t start = 0;
  while (start <= loc.size()) {
    size_t end = loc.find_first_of("/\\", start);
    if (end == std::string::npos) end = loc.size();
    QWASM_CHECK(loc.compare(start, end - start, "..") != 0 || end - start != 2, "tensor '", tensor,
                "': external data location '", loc, "' leaves the model directory ('..')");
    start = end + 1;
  }
}

Tensor tensor_from_proto(onnx::TensorProto& tp, const LoadOptions& opts) {
  const std::string& name = tp.name();
  QWASM_CHECK(dtype_is_valid(tp.data_type()), "tensor '", name, "': unknown data type ", tp.data_type());
  DType dt = DType(tp.data_type());
  QWASM_CHECK(dt != DType::String && dt != DType::Complex64 && dt != DType::Complex128, "tensor '",
              name, "': data type ", dtype_name(dt), " is not supported");
  Shape shape(tp.dims().begin(), tp.dims().end());
  for (int64_t d : shape) QWASM_CHECK(d >= 0, "tensor '", name, "': negative dimension in ", shape_str(shape));
  const int64_t count = shape_size(shape);
  // Sizes are checked before anything is allocated: a few bytes of protobuf can
  // declare a tensor of petabytes.
  const uint64_t need = storage_bytes_u64(dt, count);
  QWASM_CHECK(need <= kMaxTensorBytes, "tensor '", name, "': ", dtype_name(dt), " ", shape_str(shape), " needs ", need,
              " bytes, more than one tensor may hold here");
  const size_t want = size_t(need);

  if (tp.data_location() == onnx::TensorProto::EXTERNAL) {
    ExternalRef ref = external_ref_of(tp);
    if (opts.external_tensor) return opts.external_tensor(ref);
    QWASM_CHECK(bool(opts.external), "tensor '", name, "': stored in external file '", ref.location,
                "' but no external data was provided");
    Tensor t(dt, shape);
    if (want) opts.external(ref, t.raw(), want);
    return t;
  }
  if (tp.has_raw_data()) {
    QWASM_CHECK(tp.raw_data().size() == want, "tensor '", name, "': raw_data has ", tp.raw_data().size(),
                " bytes, expected ", want, " for ", dtype_name(dt), " ", shape_str(shape));
    if (want < 64) {
      // Short strings live inside the string object (unaligned): copy them.
      Tensor t(dt, shape);
      if (want) std::memcpy(t.raw(), tp.raw_data().data(), want);
      return t;
    }
    // Large strings are heap blocks (malloc-aligned, enough for every dtype): adopt them.
    return Tensor(dt, shape, adopt_string(tp.release_raw_data()));
  }
  const bool packed4 = dt == DType::Int4 || dt == DType::UInt4;
  const int64_t values = packed4 ? (count + 1) / 2 : count;
  QWASM_CHECK(typed_field_size(tp, dt) == values, "tensor '", name, "': has ", typed_field_size(tp, dt),
              " values in its typed field, expected ", values, " for ", dtype_name(dt), " ", shape_str(shape));
  Tensor t(dt, shape);
  fill_from_typed_fields(tp, t, name);
  return t;
}

}  // namespace qwasm
