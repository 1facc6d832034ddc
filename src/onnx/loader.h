// ModelProto (protobuf-lite) -> IR. Every length, count and offset coming from
// the file is checked; errors name the tensor / node / attribute at fault.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace qwasm {

// Where an initializer's bytes live when the model stores them outside the file.
struct ExternalRef {
  std::string tensor;    // initializer name (for errors)
  std::string location;  // relative path, already validated
  uint64_t offset = 0;
  int64_t length = -1;   // as written in the file; -1 when absent
  DType dtype = DType::Undefined;
  Shape shape;
  size_t bytes() const { return storage_bytes(dtype, shape_size(shape)); }
};

// Supplies external-data bytes: fills `dst` (exactly `bytes` long) from ref.
// Throws when the file is missing or too short.
using ExternalDataReader = std::function<void(const ExternalRef& ref, void* dst, size_t bytes)>;

// A non-contiguous model image: chunks in order (e.g. as they arrived from a stream).
struct ByteChunk {
  const void* data;
  size_t size;
};

// Supplies a whole external tensor whose bytes were already streamed into its
// final storage (see onnx/external_sink.h). Preferred over the reader when set.
using ExternalTensorSource = std::function<Tensor(const ExternalRef& ref)>;

struct LoadOptions {
  ExternalDataReader external;           // one of these two is required only when
  ExternalTensorSource external_tensor;  // the model has external data
};

// Two-step loading for callers that must fetch external files only after they
// know the graph: parse first (the chunks may be released afterwards), then convert.
class ParsedModel {
 public:
  static std::unique_ptr<ParsedModel> parse(const std::vector<ByteChunk>& chunks);
  ~ParsedModel();
  // Distinct external-data locations referenced by initializers, in first-use order.
  std::vector<std::string> external_locations() const;
  // Every external initializer (validated: location, dtype, shape, length).
  std::vector<ExternalRef> external_refs() const;
  // Builds the IR; moves tensor bytes out of the protobuf (call once).
  Model convert(const LoadOptions& opts);

 private:
  ParsedModel();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

Model load_model(const std::vector<ByteChunk>& chunks, const LoadOptions& opts);
Model load_model(const void* data, size_t size, const LoadOptions& opts);

// Rejects absolute paths, '..' components, and empty names.
void validate_external_location(const std::string& location, const std::string& tensor);

}  // namespace qwasm
