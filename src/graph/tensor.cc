#include "graph/tensor.h"

#include <cstdlib>
#include <cstring>

#include "graph/float16.h"

namespace qwasm {

std::shared_ptr<Buffer> heap_buffer(size_t bytes, bool zero) {
  auto b = std::make_shared<Buffer>();
  size_t rounded = (bytes + 63) / 64 * 64;
  if (rounded == 0) rounded = 64;
  b->data = std::aligned_alloc(64, rounded);
  if (!b->data) fail("out of memory allocating ", bytes, " bytes");
  if (zero) std::memset(b->data, 0, rounded);
  b->bytes = bytes;
  b->release = [](Buffer& self) { std::free(self.data); };
  return b;
}

Tensor::Tensor(DType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {
  size_ = shape_size(shape_);
  buf_ = heap_buffer(storage_bytes(dtype_, size_));
}

Tensor::Tensor(DType dtype, Shape shape, std::shared_ptr<Buffer> buf, size_t offset)
    : dtype_(dtype), shape_(std::move(shape)), buf_(std::move(buf)), offset_(offset) {
  size_ = shape_size(shape_);
  QWASM_CHECK(buf_ && buf_->bytes >= offset_ + storage_bytes(dtype_, size_),
              "buffer too small for tensor of shape ", shape_str(shape_));
}

Tensor Tensor::sequence(DType elem, std::vector<Tensor> items) {
  QWASM_CHECK(elem != DType::Undefined, "a sequence needs an element type");
  for (size_t i = 0; i < items.size(); ++i) {
    QWASM_CHECK(items[i].is_tensor() && items[i].defined(), "sequence item ", i, " is ", items[i].kind_str(),
                ", not a tensor");
    QWASM_CHECK(items[i].dtype() == elem, "sequence of ", dtype_name(elem), ": item ", i, " is ",
                dtype_name(items[i].dtype()));
  }
  Tensor t;
  t.dtype_ = elem;
  t.kind_ = ValueKind::Sequence;
  t.items_ = std::make_shared<const std::vector<Tensor>>(std::move(items));
  return t;
}

Tensor Tensor::none() {
  Tensor t;
  t.kind_ = ValueKind::None;
  return t;
}

const std::vector<Tensor>& Tensor::items() const {
  QWASM_CHECK(is_sequence(), "expected a sequence, got ", kind_str());
  return *items_;
}

std::string Tensor::kind_str() const {
  switch (kind_) {
    case ValueKind::Sequence: return "sequence(" + std::string(dtype_name(dtype_)) + ")";
    case ValueKind::None: return "optional(none)";
    default: return "tensor(" + std::string(dtype_name(dtype_)) + ")";
  }
}

Tensor Tensor::reshaped(Shape shape) const {
  QWASM_CHECK(shape_size(shape) == size_, "cannot reshape ", shape_str(shape_), " to ",
              shape_str(shape));
  // Field by field: copying *this would copy the old shape only to replace it.
  Tensor t;
  t.dtype_ = dtype_;
  t.kind_ = kind_;
  t.items_ = items_;
  t.shape_ = std::move(shape);
  t.size_ = size_;
  t.buf_ = buf_;
  t.offset_ = offset_;
  return t;
}

Tensor Tensor::clone() const {
  if (!is_tensor()) return *this;  // sequences are immutable, None has no bytes
  Tensor t(dtype_, shape_);
  if (bytes()) std::memcpy(t.raw(), raw(), bytes());
  return t;
}

double Tensor::get_f64(int64_t i) const {
  const void* p = raw();
  switch (dtype_) {
    case DType::Float32: return static_cast<const float*>(p)[i];
    case DType::Float64: return static_cast<const double*>(p)[i];
    case DType::Float16: return half_to_float(static_cast<const uint16_t*>(p)[i]);
    case DType::BFloat16: return bfloat16_to_float(static_cast<const uint16_t*>(p)[i]);
    default: return double(get_i64(i));
  }
}

int64_t Tensor::get_i64(int64_t i) const {
  const void* p = raw();
  switch (dtype_) {
    case DType::Int64: return static_cast<const int64_t*>(p)[i];
    case DType::Int32: return static_cast<const int32_t*>(p)[i];
    case DType::Int16: return static_cast<const int16_t*>(p)[i];
    case DType::Int8: return static_cast<const int8_t*>(p)[i];
    case DType::UInt8: case DType::Bool: return static_cast<const uint8_t*>(p)[i];
    case DType::UInt16: return static_cast<const uint16_t*>(p)[i];
    case DType::UInt32: return static_cast<const uint32_t*>(p)[i];
    case DType::UInt64: return int64_t(static_cast<const uint64_t*>(p)[i]);
    case DType::Float32: case DType::Float64: case DType::Float16: case DType::BFloat16:
      return int64_t(get_f64(i));
    default: fail("cannot read ", dtype_name(dtype_), " as an integer");
  }
}

}  // namespace qwasm
