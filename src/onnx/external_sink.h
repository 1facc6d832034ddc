// Streams external-data files straight into each initializer's final storage.
// Every external tensor is allocated once up front; bytes are scattered into
// them as a file arrives, so the loader never holds a whole file (peak memory is
// the weights plus one chunk).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "onnx/loader.h"

namespace qwasm {

class ExternalSink {
 public:
  explicit ExternalSink(const std::vector<ExternalRef>& refs);

  // Bytes [offset, offset + n) of file `location` arrived.
  void write(const std::string& location, uint64_t offset, const void* data, size_t n);
  // File `location` ended after `size` bytes: every tensor in it must be complete.
  void finish(const std::string& location, uint64_t size);
  // The smallest size file `location` must have (max of offset + length).
  uint64_t required_bytes(const std::string& location) const;
  // Hands out the filled tensor for `ref` (throws when its bytes never arrived).
  Tensor take(const ExternalRef& ref);

 private:
  struct Slot {
    ExternalRef ref;
    Tensor tensor;
    size_t filled = 0;
  };
  std::map<std::string, std::vector<Slot>> files_;  // slots sorted by offset
};

}  // namespace qwasm
