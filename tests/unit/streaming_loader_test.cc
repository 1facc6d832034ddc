// StreamingLoader (api/): the path the JS package loads every model through — model
// bytes in caller-filled chunks, external data through the staging buffer.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "api/streaming_loader.h"
#include "onnx.pb.h"

using namespace qwasm;

namespace {

// y = x + w, with w (float32 [4]) stored in external file "w.bin" at offset 8.
std::string add_external_model() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("g");
  auto* n = g->add_node();
  n->set_op_type("Add");
  n->set_name("add");
  n->add_input("x");
  n->add_input("w");
  n->add_output("y");
  for (const char* name : {"x", "y"}) {
    auto* vi = name[0] == 'x' ? g->add_input() : g->add_output();
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    tt->mutable_shape()->add_dim()->set_dim_value(4);
  }
  auto* w = g->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(4);
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  for (auto kv : {std::pair<const char*, const char*>{"location", "w.bin"}, {"offset", "8"}, {"length", "16"}}) {
    auto* e = w->add_external_data();
    e->set_key(kv.first);
    e->set_value(kv.second);
  }
  return m.SerializeAsString();
}

// Streams `model` in chunks of `chunk` bytes (each allocated larger, then shrunk).
void stream_model(StreamingLoader& l, const std::string& model, size_t chunk) {
  for (size_t off = 0; off < model.size(); off += chunk) {
    const size_t n = std::min(chunk, model.size() - off);
    char* p = static_cast<char*>(l.alloc_chunk(n + 5));
    ASSERT_NE(p, nullptr);
    std::memcpy(p, model.data() + off, n);
    l.set_last_chunk_size(n);
  }
}

// The external file: 8 bytes of padding, then w = {1.5, -2, 4, 0.25}.
std::string w_file() {
  const float w[4] = {1.5f, -2.0f, 4.0f, 0.25f};
  std::string f(8, 'p');
  f.append(reinterpret_cast<const char*>(w), sizeof w);
  return f;
}

void stream_file(StreamingLoader& l, const std::string& file, size_t piece, size_t stop_at) {
  for (size_t off = 0; off < stop_at; off += piece) {
    const size_t n = std::min(piece, stop_at - off);
    std::memcpy(l.staging_buffer(n), file.data() + off, n);
    l.write_external("w.bin", off, n);
  }
  l.finish_external("w.bin", stop_at);
}

}  // namespace

TEST(StreamingLoader, ChunkedModelAndExternalPiecesMakeAWorkingSession) {
  const std::string model = add_external_model(), file = w_file();
  StreamingLoader l;
  stream_model(l, model, 7);  // odd chunk size: fields straddle chunk edges
  const auto files = l.parse();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].location, "w.bin");
  EXPECT_EQ(files[0].bytes, 24u);  // offset 8 + length 16
  stream_file(l, file, 5, file.size());
  std::unique_ptr<Session> s = l.build(1, 1);
  Tensor x(DType::Float32, {4});
  const float xv[4] = {1, 2, 3, 4};
  std::memcpy(x.data<float>(), xv, sizeof xv);
  const std::vector<Tensor> out = s->run({{"x", x}});
  ASSERT_EQ(out.size(), 1u);
  const float want[4] = {2.5f, 0.0f, 7.0f, 4.25f};  // x + w by hand
  for (int i = 0; i < 4; ++i) EXPECT_EQ(out[0].data<float>()[i], want[i]) << i;
}

TEST(StreamingLoader, ShortExternalFileNamesTheTensor) {
  const std::string model = add_external_model(), file = w_file();
  StreamingLoader l;
  stream_model(l, model, 64);
  l.parse();
  try {
    stream_file(l, file, 4, 20);  // 4 bytes short of offset 8 + length 16
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'w'"), std::string::npos) << e.what();
  }
}

TEST(StreamingLoader, StepsOutOfOrderAreErrors) {
  StreamingLoader l;
  EXPECT_THROW(l.write_external("w.bin", 0, 0), Error);
  EXPECT_THROW(l.finish_external("w.bin", 0), Error);
  EXPECT_THROW(l.build(1, 1), Error);
}

TEST(StreamingLoader, MalformedModelFailsAndTheLoaderCanStartAgain) {
  StreamingLoader l;
  const std::string junk = "\x0a\xff\xff\xff\xff\x0f this is not a model";
  stream_model(l, junk, 4);
  EXPECT_THROW(l.parse(), Error);
  EXPECT_THROW(l.build(1, 1), Error);  // parse failure released everything
  // The same loader then loads a good model.
  const std::string model = add_external_model(), file = w_file();
  stream_model(l, model, 100);
  l.parse();
  stream_file(l, file, 24, file.size());
  EXPECT_NE(l.build(1, 1), nullptr);
}
