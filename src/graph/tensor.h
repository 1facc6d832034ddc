// A dense tensor: dtype, shape and a shared, 64-byte aligned buffer.
// Copies share the buffer (cheap); use clone() for a deep copy.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "graph/dtype.h"
#include "graph/error.h"
#include "graph/shape.h"

namespace qwasm {

// Raw storage. The deleter decides where bytes go back to (heap or a session arena).
struct Buffer {
  void* data = nullptr;
  size_t bytes = 0;
  std::function<void(Buffer&)> release;
  Buffer() = default;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() {
    if (release) release(*this);
  }
};

// Allocates `bytes` (64-byte aligned, zero-filled when `zero`) on the heap.
std::shared_ptr<Buffer> heap_buffer(size_t bytes, bool zero = true);

// What a value slot holds. Almost always a dense tensor; ONNX sequences (SequenceConstruct,
// Loop-carried lists) and empty optionals travel in the same type so the executor's slots,
// lifetimes and feeds stay one kind. Only ops registered with OpTraits::takes_sequences see
// the other two; the executor refuses to hand them to any other op.
enum class ValueKind : uint8_t {
  Tensor,
  Sequence,  // dtype() is the element type; items() the tensors (all of that type)
  None,      // an optional without a value; dtype() is Undefined
};

class Tensor {
 public:
  Tensor() = default;
  // A sequence of `items`, each of element type `elem` (checked).
  static Tensor sequence(DType elem, std::vector<Tensor> items);
  // An optional holding nothing.
  static Tensor none();
  // Allocates zero-filled heap storage for `shape`.
  Tensor(DType dtype, Shape shape);
  // Wraps an existing buffer (must hold at least storage_bytes(dtype, size)).
  Tensor(DType dtype, Shape shape, std::shared_ptr<Buffer> buf, size_t offset = 0);

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t rank() const { return int64_t(shape_.size()); }
  int64_t dim(int64_t i) const { return shape_[size_t(i)]; }
  int64_t size() const { return size_; }
  size_t bytes() const { return storage_bytes(dtype_, size_); }
  // True for any value in a slot: a tensor, a sequence (even empty) or an empty optional.
  bool defined() const { return dtype_ != DType::Undefined || kind_ != ValueKind::Tensor; }
  ValueKind kind() const { return kind_; }
  bool is_tensor() const { return kind_ == ValueKind::Tensor; }
  bool is_sequence() const { return kind_ == ValueKind::Sequence; }
  bool is_none() const { return kind_ == ValueKind::None; }
  // The items of a sequence (fails for any other kind). Sequences are immutable: ops
  // build a new one (copies of Tensor share buffers, so that is cheap).
  const std::vector<Tensor>& items() const;
  // "tensor(float32)", "sequence(float32)" or "optional(none)", for error messages.
  std::string kind_str() const;

  void* raw() { return buf_ ? static_cast<char*>(buf_->data) + offset_ : nullptr; }
  const void* raw() const { return buf_ ? static_cast<const char*>(buf_->data) + offset_ : nullptr; }

  // Typed access; checks the dtype so a kernel cannot silently read the wrong type.
  template <typename T> T* data() {
    check_type<T>();
    return static_cast<T*>(raw());
  }
  template <typename T> const T* data() const {
    check_type<T>();
    return static_cast<const T*>(raw());
  }

  // Same bytes, new shape (element counts must match).
  Tensor reshaped(Shape shape) const;
  Tensor clone() const;
  const std::shared_ptr<Buffer>& buffer() const { return buf_; }

  // Scalar read of element i converted to double / int64 (for shape-like inputs).
  double get_f64(int64_t i) const;
  int64_t get_i64(int64_t i) const;

 private:
  template <typename T> void check_type() const {
    if (DTypeOf<T>::value != dtype_ &&
        !(sizeof(T) == 2 && (dtype_ == DType::Float16 || dtype_ == DType::BFloat16)) &&
        !(sizeof(T) == 1 && dtype_size(dtype_) == 1))
      fail("tensor of type ", dtype_name(dtype_), " read as ", dtype_name(DTypeOf<T>::value));
  }
  DType dtype_ = DType::Undefined;
  ValueKind kind_ = ValueKind::Tensor;
  std::shared_ptr<const std::vector<Tensor>> items_;  // sequences only
  Shape shape_;
  int64_t size_ = 0;
  std::shared_ptr<Buffer> buf_;
  size_t offset_ = 0;
};

}  // namespace qwasm
