#include "onnx/chunk_stream.h"

#include <algorithm>
#include <climits>

namespace qwasm {

bool ChunkInputStream::Next(const void** data, int* size) {
  while (chunk_ < chunks_.size() && offset_ >= chunks_[chunk_].size) {
    ++chunk_;
    offset_ = 0;
  }
  if (chunk_ >= chunks_.size()) return false;
  size_t n = std::min<size_t>(chunks_[chunk_].size - offset_, INT_MAX);
  *data = static_cast<const char*>(chunks_[chunk_].data) + offset_;
  *size = int(n);
  offset_ += n;
  position_ += int64_t(n);
  return true;
}

void ChunkInputStream::BackUp(int count) {
  // Protobuf only backs up within the buffer returned by the last Next().
  offset_ -= size_t(count);
  position_ -= count;
}

bool ChunkInputStream::Skip(int count) {
  while (count > 0) {
    const void* d;
    int n;
    if (!Next(&d, &n)) return false;
    if (n > count) {
      BackUp(n - count);
      return true;
    }
    count -= n;
  }
  return true;
}

}  // namespace qwasm
