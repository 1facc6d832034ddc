// A protobuf ZeroCopyInputStream over a list of chunks, so a model that arrived
// in pieces is parsed in place, without first being copied into one block.
#pragma once
#include <google/protobuf/io/zero_copy_stream.h>

#include <vector>

#include "onnx/loader.h"

namespace qwasm {

class ChunkInputStream : public google::protobuf::io::ZeroCopyInputStream {
 public:
  explicit ChunkInputStream(const std::vector<ByteChunk>& chunks) : chunks_(chunks) {}

  bool Next(const void** data, int* size) override;
  void BackUp(int count) override;
  bool Skip(int count) override;
  int64_t ByteCount() const override { return position_; }

 private:
  const std::vector<ByteChunk>& chunks_;
  size_t chunk_ = 0;   // current chunk
  size_t offset_ = 0;  // bytes of it already handed out
  int64_t position_ = 0;
};

}  // namespace qwasm
