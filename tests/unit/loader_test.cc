// Loader: protobuf -> IR, tensor decoding, external-data rules, chunked parsing.
#include <gtest/gtest.h>

#include "onnx.pb.h"
#include "onnx/loader.h"
#include "onnx/tensor_proto.h"
#include "onnx_model_builder.h"

using namespace qwasm;

namespace {

onnx::ModelProto tiny_model() {
  onnx::ModelProto m = test::model_with_opset(17);
  auto* g = m.mutable_graph();
  auto* n = test::add_node(g, "Relu", "r", {"x"}, {"y"});
  auto* a = n->add_attribute();  // an attribute whose type field was left unset
  a->set_name("alpha");
  a->set_f(0.5f);
  test::add_value(g->mutable_input(), "x", onnx::TensorProto::FLOAT, {0, 4}, {"n"});
  test::add_value(g->mutable_output(), "y", onnx::TensorProto::FLOAT, {0, 4}, {"n"});
  auto* w = g->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::INT64);
  w->add_dims(3);
  for (int64_t v : {7, -8, 9}) w->add_int64_data(v);
  return m;
}

}  // namespace

TEST(Loader, ConvertsGraphAttributesAndInitializers) {
  std::string bytes = tiny_model().SerializeAsString();
  Model m = load_model(bytes.data(), bytes.size(), {});
  EXPECT_EQ(m.opsets.at(""), 17);
  ASSERT_EQ(m.graph.nodes.size(), 1u);
  const Node& n = m.graph.nodes[0];
  EXPECT_EQ(n.op_type, "Relu");
  EXPECT_EQ(n.opset, 17);
  EXPECT_FLOAT_EQ(n.attr_f("alpha", 0), 0.5f);
  ASSERT_EQ(m.graph.inputs.size(), 1u);
  EXPECT_EQ(m.graph.inputs[0].dims[0].param, "n");
  EXPECT_EQ(m.graph.inputs[0].dims[1].value, 4);
  const Tensor& w = m.graph.initializers.at("w");
  EXPECT_EQ(w.dtype(), DType::Int64);
  EXPECT_EQ(w.data<int64_t>()[1], -8);
}

TEST(Loader, ParsesFromManySmallChunks) {
  std::string bytes = tiny_model().SerializeAsString();
  std::vector<ByteChunk> chunks;
  for (size_t i = 0; i < bytes.size(); i += 3) chunks.push_back({bytes.data() + i, std::min<size_t>(3, bytes.size() - i)});
  Model m = load_model(chunks, {});
  EXPECT_EQ(m.graph.nodes.at(0).name, "r");
}

TEST(Loader, RejectsTruncatedAndMalformedBytes) {
  std::string bytes = tiny_model().SerializeAsString();
  EXPECT_THROW(load_model(bytes.data(), bytes.size() - 5, {}), Error);
  const char junk[] = {0x0a, char(0xff), char(0xff), 0x01};
  EXPECT_THROW(load_model(junk, sizeof junk, {}), Error);
  EXPECT_THROW(load_model(bytes.data(), 0, {}), Error);
}

TEST(TensorProto, RawDataSizeMustMatchShape) {
  onnx::TensorProto tp;
  tp.set_name("t");
  tp.set_data_type(onnx::TensorProto::FLOAT);
  tp.add_dims(2);
  tp.set_raw_data(std::string(7, '\0'));
  try {
    tensor_from_proto(tp, {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tensor 't'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("expected 8"), std::string::npos) << e.what();
  }
}

TEST(TensorProto, LargeRawDataIsAdoptedAndAligned) {
  onnx::TensorProto tp;
  tp.set_name("big");
  tp.set_data_type(onnx::TensorProto::FLOAT);
  tp.add_dims(100);
  std::string raw(400, '\0');
  float v = 1.5f;
  std::memcpy(&raw[4 * 99], &v, 4);
  tp.set_raw_data(raw);
  Tensor t = tensor_from_proto(tp, {});
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw()) % 8, 0u);
  EXPECT_EQ(t.data<float>()[99], 1.5f);
  EXPECT_FALSE(tp.has_raw_data());  // bytes moved, not copied
}

TEST(TensorProto, TypedFieldsAndCounts) {
  onnx::TensorProto tp;
  tp.set_name("h");
  tp.set_data_type(onnx::TensorProto::FLOAT16);
  tp.add_dims(2);
  tp.add_int32_data(0x3c00);
  EXPECT_THROW(tensor_from_proto(tp, {}), Error);  // one value for two elements
  tp.add_int32_data(0xc000);
  Tensor t = tensor_from_proto(tp, {});
  EXPECT_EQ(t.data<uint16_t>()[1], 0xc000);
}


// Found by the loader fuzzer: 60 bytes declaring float32 [1, 1024, 111, 102, 102, 115,
// 101, 84] with no data made the loader allocate 4.6 PB before it counted the values.
TEST(TensorProto, HugeDeclaredShapesFailBeforeAllocating) {
  onnx::TensorProto tp;
  tp.set_name("w");
  tp.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : {1, 1024, 111, 102, 102, 115, 101, 84}) tp.add_dims(d);
  try {
    tensor_from_proto(tp, {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tensor 'w'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("more than one tensor may hold"), std::string::npos) << e.what();
  }
  // Within the limit but without the values: the count error, still before allocating.
  onnx::TensorProto mid;
  mid.set_name("m");
  mid.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : {1024, 1024, 64}) mid.add_dims(d);  // 256 MiB declared, no values
  mid.add_float_data(1.0f);
  try {
    tensor_from_proto(mid, {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("has 1 values in its typed field, expected 67108864"), std::string::npos)
        << e.what();
  }
  // A tensor the size of which wraps a 32-bit size_t: 2^30 float32 = 4 GiB.
  EXPECT_GT(storage_bytes_u64(DType::Float32, int64_t(1) << 30), uint64_t(1) << 31);
  if (sizeof(size_t) == 4) EXPECT_THROW(storage_bytes(DType::Float32, int64_t(1) << 30), Error);
}
TEST(ExternalData, LocationsThatLeaveTheModelDirAreRejected) {
  EXPECT_THROW(validate_external_location("../w.bin", "w"), Error);
  EXPECT_THROW(validate_external_location("a/../../w.bin", "w"), Error);
  EXPECT_THROW(validate_external_location("/etc/passwd", "w"), Error);
  EXPECT_THROW(validate_external_location("C:\\w.bin", "w"), Error);
  EXPECT_THROW(validate_external_location("", "w"), Error);
  EXPECT_NO_THROW(validate_external_location("weights/model..bin", "w"));
  EXPECT_NO_THROW(validate_external_location("model.onnx_data", "w"));
}

TEST(ExternalData, ReaderIsCalledWithOffsetAndLength) {
  onnx::TensorProto tp;
  tp.set_name("e");
  tp.set_data_type(onnx::TensorProto::INT32);
  tp.add_dims(2);
  tp.set_data_location(onnx::TensorProto::EXTERNAL);
  for (auto kv : {std::pair<const char*, const char*>{"location", "w.bin"}, {"offset", "16"}, {"length", "8"}}) {
    auto* e = tp.add_external_data();
    e->set_key(kv.first);
    e->set_value(kv.second);
  }
  LoadOptions opts;
  opts.external = [](const ExternalRef& ref, void* dst, size_t bytes) {
    EXPECT_EQ(ref.location, "w.bin");
    EXPECT_EQ(ref.offset, 16u);
    ASSERT_EQ(bytes, 8u);
    int32_t v[2] = {5, -6};
    std::memcpy(dst, v, 8);
  };
  Tensor t = tensor_from_proto(tp, opts);
  EXPECT_EQ(t.data<int32_t>()[1], -6);
  EXPECT_THROW(tensor_from_proto(tp, {}), Error);  // no reader given
}
