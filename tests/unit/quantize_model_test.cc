// The quantizer's rewrite on models built here. A source whose initializers live in an external
// data file: the output is self-contained (the float tensors it keeps are copied in, inline or
// into the output's own file with external_data_threshold, never referenced in the source's
// file) and a source file that is too short is an Error naming the tensor. Weight-only 8-bit:
// MatMul(A, DequantizeLinear(int8 W_q [K, N], scale [N], axis 1)), opset 13 or later. The
// end-to-end checks (numpy weights, qwasm and onnxruntime-web loading only the result) are
// tests/js/quantizer-external.test.mjs and tests/js/quantizer.test.mjs.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "api/quantize.h"
#include "graph/error.h"
#include "onnx.pb.h"
#include "onnx_model_builder.h"
#include "quantize/block_quant.h"

namespace qwasm {
namespace {

constexpr int64_t kK = 32, kN = 8;

void set_external(onnx::TensorProto* t, const std::string& location, std::string& file, const std::vector<float>& v) {
  auto add = [&](const char* k, const std::string& val) {
    auto* e = t->add_external_data();
    e->set_key(k), e->set_value(val);
  };
  add("location", location);
  add("offset", std::to_string(file.size()));
  add("length", std::to_string(v.size() * sizeof(float)));
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  file.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

// y = MatMul(x, W) + b, W [32, 8] and b [8] both in "src.bin".
struct Source {
  std::string model, file;
  std::vector<float> w, b;
};
Source make_source(int64_t opset = 17) {
  Source s;
  onnx::ModelProto m = test::model_with_opset(opset);
  auto* g = m.mutable_graph();
  for (int64_t i = 0; i < kK * kN; ++i) s.w.push_back(float((i * 37) % 19) / 9.0f - 1.0f);
  for (int64_t i = 0; i < kN; ++i) s.b.push_back(0.25f * float(i) - 1.0f);
  auto init = [&](const char* name, std::vector<int64_t> dims, const std::vector<float>& v) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    set_external(t, "src.bin", s.file, v);
  };
  init("W", {kK, kN}, s.w);
  init("b", {kN}, s.b);
  test::add_value(g->mutable_input(), "x", onnx::TensorProto::FLOAT, {1, kK});
  test::add_value(g->mutable_output(), "y", onnx::TensorProto::FLOAT, {1, kN});
  test::add_node(g, "MatMul", "mm", {"x", "W"}, {"xw"});
  test::add_node(g, "Add", "add", {"xw", "b"}, {"y"});
  s.model = m.SerializeAsString();
  return s;
}

const onnx::TensorProto& find(const onnx::ModelProto& m, const std::string& name) {
  for (const auto& t : m.graph().initializer())
    if (t.name() == name) return t;
  ADD_FAILURE() << "no initializer " << name;
  return m.graph().initializer(0);
}

std::string location_of(const onnx::TensorProto& t) {
  for (const auto& e : t.external_data())
    if (e.key() == "location") return e.value();
  return "";
}

TEST(QuantizeExternal, KeptFloatTensorsAreCopiedInline) {
  const Source s = make_source();
  for (auto mode : {QuantizeOptions::Mode::WeightOnly, QuantizeOptions::Mode::Dynamic}) {
    QuantizeOptions o;
    o.mode = mode;
    const QuantizedModel q = quantize_model(s.model.data(), s.model.size(), {{"src.bin", s.file}}, o);
    EXPECT_TRUE(q.external.empty());
    onnx::ModelProto m;
    ASSERT_TRUE(m.ParseFromString(q.model));
    for (const auto& t : m.graph().initializer())
      EXPECT_NE(t.data_location(), onnx::TensorProto::EXTERNAL) << t.name() << " still points at " << location_of(t);
    const auto& b = find(m, "b");
    ASSERT_EQ(b.raw_data().size(), s.b.size() * sizeof(float));
    EXPECT_EQ(std::memcmp(b.raw_data().data(), s.b.data(), b.raw_data().size()), 0);
  }
}

TEST(QuantizeExternal, WithThresholdKeptTensorsGoToTheOutputsOwnFile) {
  const Source s = make_source();
  QuantizeOptions o;
  o.external_data_threshold = 16;  // b (32 bytes) and the packed weight go out; tiny ones stay
  o.external_data_name = "out.bin";
  const QuantizedModel q = quantize_model(s.model.data(), s.model.size(), {{"src.bin", s.file}}, o);
  ASSERT_EQ(q.external.size(), 1u);
  EXPECT_EQ(q.external[0].first, "out.bin");
  onnx::ModelProto m;
  ASSERT_TRUE(m.ParseFromString(q.model));
  for (const auto& t : m.graph().initializer())
    if (t.data_location() == onnx::TensorProto::EXTERNAL) EXPECT_EQ(location_of(t), "out.bin") << t.name();
  const auto& b = find(m, "b");
  ASSERT_EQ(location_of(b), "out.bin");
  uint64_t offset = 0, length = 0;
  for (const auto& e : b.external_data()) {
    if (e.key() == "offset") offset = std::stoull(e.value());
    if (e.key() == "length") length = std::stoull(e.value());
  }
  ASSERT_EQ(length, s.b.size() * sizeof(float));
  ASSERT_LE(offset + length, q.external[0].second.size());
  EXPECT_EQ(std::memcmp(q.external[0].second.data() + offset, s.b.data(), length), 0);
}

TEST(QuantizeExternal, ShortSourceFileIsAnErrorNamingTheTensor) {
  const Source s = make_source();
  QuantizeOptions o;  // W is read whole (it comes first); the cut falls inside b, which is kept
  const std::string cut = s.file.substr(0, s.file.size() - 4);
  try {
    quantize_model(s.model.data(), s.model.size(), {{"src.bin", cut}}, o);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'src.bin' is too short for initializer 'b'"), std::string::npos) << e.what();
  }
}

TEST(QuantizeWeightOnly8, PerChannelDequantizeLinearFeedsTheMatMul) {
  const Source s = make_source();
  QuantizeOptions o;
  o.bits = 8;
  const QuantizedModel q = quantize_model(s.model.data(), s.model.size(), {{"src.bin", s.file}}, o);
  ASSERT_EQ(q.report.size(), 1u);
  EXPECT_EQ(q.report[0].action, "DequantizeLinear");
  onnx::ModelProto m;
  ASSERT_TRUE(m.ParseFromString(q.model));
  const auto& g = m.graph();
  ASSERT_EQ(g.node_size(), 3);  // DequantizeLinear, MatMul, Add
  const auto& dq = g.node(0);
  const auto& mm = g.node(1);
  EXPECT_EQ(dq.op_type(), "DequantizeLinear");
  ASSERT_EQ(dq.input_size(), 2);  // symmetric: no zero point
  ASSERT_EQ(dq.attribute_size(), 1);
  EXPECT_EQ(dq.attribute(0).name(), "axis");
  EXPECT_EQ(dq.attribute(0).i(), 1);
  EXPECT_EQ(mm.op_type(), "MatMul");
  EXPECT_EQ(mm.name(), "mm");
  EXPECT_EQ(mm.input(0), "x");
  EXPECT_EQ(mm.input(1), dq.output(0));
  EXPECT_EQ(mm.output(0), "xw");
  const auto& wq = find(m, dq.input(0));
  const auto& ws = find(m, dq.input(1));
  EXPECT_EQ(wq.data_type(), onnx::TensorProto::INT8);
  ASSERT_EQ(wq.dims_size(), 2);
  EXPECT_EQ(wq.dims(0), kK);
  EXPECT_EQ(wq.dims(1), kN);
  ASSERT_EQ(ws.raw_data().size(), size_t(kN) * sizeof(float));
  // the per-channel rounding QuantizeInt8.PerChannelSymmetric checks by hand
  const Int8Weight want = quantize_int8_per_channel(s.w.data(), kK, kN);
  EXPECT_EQ(wq.raw_data(), std::string(reinterpret_cast<const char*>(want.q.data()), want.q.size()));
  EXPECT_EQ(std::memcmp(ws.raw_data().data(), want.scales.data(), ws.raw_data().size()), 0);
  for (const auto& t : g.initializer()) EXPECT_NE(t.name(), "W") << "the float weight is still there";
}

TEST(QuantizeWeightOnly8, OpsetBelow13IsAnError) {
  const Source s = make_source(12);
  QuantizeOptions o;
  o.bits = 8;
  try {
    quantize_model(s.model.data(), s.model.size(), {{"src.bin", s.file}}, o);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("needs ai.onnx opset 13 or later; the model imports opset 12"),
              std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace qwasm
