// ExternalSink: bytes arriving in arbitrary pieces land in each tensor's storage.
#include <gtest/gtest.h>

#include <numeric>

#include "onnx/external_sink.h"

using namespace qwasm;

namespace {
ExternalRef ref(const char* name, uint64_t offset, int64_t n) {
  ExternalRef r;
  r.tensor = name;
  r.location = "w.bin";
  r.offset = offset;
  r.dtype = DType::UInt8;
  r.shape = {n};
  return r;
}
}  // namespace

TEST(ExternalSink, ScattersPiecesIntoTensors) {
  std::vector<ExternalRef> refs = {ref("b", 10, 5), ref("a", 2, 6)};
  ExternalSink sink(refs);
  EXPECT_EQ(sink.required_bytes("w.bin"), 15u);
  std::vector<uint8_t> file(20);
  std::iota(file.begin(), file.end(), 100);
  for (size_t off = 0; off < file.size(); off += 3)  // pieces of 3 bytes straddle tensor edges
    sink.write("w.bin", off, file.data() + off, std::min<size_t>(3, file.size() - off));
  sink.finish("w.bin", file.size());
  Tensor a = sink.take(refs[1]), b = sink.take(refs[0]);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(a.data<uint8_t>()[i], 102 + i);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(b.data<uint8_t>()[i], 110 + i);
}

TEST(ExternalSink, ShortFileNamesTheTensor) {
  ExternalSink sink({ref("w", 4, 8)});
  uint8_t bytes[6] = {};
  sink.write("w.bin", 0, bytes, sizeof bytes);
  try {
    sink.finish("w.bin", sizeof bytes);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tensor 'w'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("shorter than offset 4 + length 8"), std::string::npos) << e.what();
  }
}

TEST(ExternalSink, MissingFileIsReported) {
  ExternalSink sink({ref("w", 0, 4)});
  ExternalRef other = ref("x", 0, 4);
  other.location = "other.bin";
  EXPECT_THROW(sink.take(other), Error);
  EXPECT_THROW(sink.take(ref("w", 0, 4)), Error);  // never written
}
