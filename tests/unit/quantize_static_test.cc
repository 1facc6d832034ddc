// Static-range quantization (quantize/static_quant.h) of a small float CNN built here: a
// 3x3 Conv + Relu, a depthwise 3x3 Conv + Clip, a 1x1 Conv, Flatten, then a Gemm and a MatMul
// that are graph outputs. The quantized model must (a) be in the QDQ form qwasm's fuse_qdq
// pass turns into QLinearConv / QLinearMatMul (checked on the executor's optimized graph),
// (b) give the same outputs fused as the QDQ chain run as written (within one output step),
// (c) stay close to the float model on held-out inputs; bad input is a clear Error.
// onnxruntime-web runs the same kind of model in tests/js/quantizer-static.test.mjs.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "api/quantize.h"
#include "graph/error.h"
#include "onnx.pb.h"
#include "onnx/loader.h"
#include "portable_normal.h"
#include "runtime/executor.h"

namespace qwasm {
namespace {

using Feeds = std::vector<std::pair<std::string, Tensor>>;

using test::portable_normal;

struct Builder {
  onnx::ModelProto m;
  onnx::GraphProto* g;
  std::mt19937 rng{1234};
  explicit Builder(int opset = 13) {
    m.set_ir_version(8);
    m.add_opset_import()->set_version(opset);
    g = m.mutable_graph();
    g->set_name("cnn");
  }
  std::string init(const std::string& name, std::vector<int64_t> dims, float scale) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    int64_t n = 1;
    for (int64_t v : dims) t->add_dims(v), n *= v;
    for (int64_t i = 0; i < n; ++i) t->add_float_data(scale * portable_normal(rng));
    return name;
  }
  onnx::NodeProto* node(const std::string& op, std::vector<std::string> in, std::string out) {
    auto* n = g->add_node();
    n->set_op_type(op);
    n->set_name(op + "_" + out);
    for (auto& s : in) n->add_input(s);
    n->add_output(out);
    return n;
  }
  static void ints(onnx::NodeProto* n, const char* name, std::vector<int64_t> v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  static void i(onnx::NodeProto* n, const char* name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  void io(onnx::ValueInfoProto* v, const std::string& name, std::vector<int64_t> dims,
          int elem = onnx::TensorProto::FLOAT) {
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(elem);
    for (int64_t d : dims) t->mutable_shape()->add_dim()->set_dim_value(d);
  }
  std::string bytes() const { return m.SerializeAsString(); }
};

std::string cnn(int opset = 13) {
  Builder b(opset);
  b.io(b.g->add_input(), "x", {1, 3, 8, 8});
  auto* c1 = b.node("Conv", {"x", b.init("w1", {8, 3, 3, 3}, 0.3f), b.init("b1", {8}, 0.1f)}, "c1");
  Builder::ints(c1, "pads", {1, 1, 1, 1});
  b.node("Relu", {"c1"}, "r1");
  auto* dw = b.node("Conv", {"r1", b.init("w2", {8, 1, 3, 3}, 0.4f), b.init("b2", {8}, 0.1f)}, "c2");
  Builder::ints(dw, "pads", {1, 1, 1, 1});
  Builder::i(dw, "group", 8);
  auto* lo = b.g->add_initializer();
  lo->set_name("lo"), lo->set_data_type(onnx::TensorProto::FLOAT), lo->add_float_data(0.0f);
  auto* hi = b.g->add_initializer();
  hi->set_name("hi"), hi->set_data_type(onnx::TensorProto::FLOAT), hi->add_float_data(6.0f);
  b.node("Clip", {"c2", "lo", "hi"}, "r2");
  b.node("Conv", {"r2", b.init("w3", {4, 8, 1, 1}, 0.3f), b.init("b3", {4}, 0.1f)}, "c3");
  b.node("Flatten", {"c3"}, "f");
  b.node("Gemm", {"f", b.init("wg", {256, 10}, 0.1f), b.init("bg", {10}, 0.1f)}, "y");
  b.node("MatMul", {"f", b.init("wm", {256, 6}, 0.1f)}, "z");
  b.io(b.g->add_output(), "y", {1, 10});
  b.io(b.g->add_output(), "z", {1, 6});
  return b.bytes();
}

Tensor input(uint32_t seed, Shape shape = {1, 3, 8, 8}) {
  std::mt19937 rng(seed);
  Tensor t(DType::Float32, shape);
  for (int64_t i = 0; i < t.size(); ++i) t.data<float>()[i] = portable_normal(rng);
  return t;
}

std::vector<Feeds> feeds(uint32_t seed, int n) {
  std::vector<Feeds> out;
  for (int k = 0; k < n; ++k) out.push_back({{"x", input(seed + uint32_t(k))}});
  return out;
}

std::vector<Tensor> run(const std::string& model, const Feeds& f, bool optimize = true) {
  Executor ex(load_model(model.data(), model.size(), {}), optimize);
  return ex.run(f, {});
}

double cosine(const Tensor& a, const Tensor& b) {
  double ab = 0, aa = 0, bb = 0;
  for (int64_t i = 0; i < a.size(); ++i) {
    const double x = a.data<float>()[i], y = b.data<float>()[i];
    ab += x * y, aa += x * x, bb += y * y;
  }
  return ab / std::sqrt(aa * bb);
}

int count(const Graph& g, const std::string& op) {
  int n = 0;
  for (const auto& node : g.nodes) n += node.op_type == op;
  return n;
}

// The scale of the DequantizeLinear writing `value` in the quantized model.
float output_step(const std::string& model, const std::string& value) {
  onnx::ModelProto m;
  EXPECT_TRUE(m.ParseFromString(model));
  for (const auto& n : m.graph().node())
    if (n.op_type() == "DequantizeLinear" && n.output(0) == value)
      for (const auto& t : m.graph().initializer())
        if (t.name() == n.input(1)) return *reinterpret_cast<const float*>(t.raw_data().data());
  ADD_FAILURE() << "no DequantizeLinear writes " << value;
  return 0;
}

QuantizeOptions static_options() {
  QuantizeOptions o;
  o.mode = QuantizeOptions::Mode::Static;
  o.calibration = feeds(100, 16);
  o.keep_float = 0;
  return o;
}

void check_quantized(const std::string& src, const QuantizedModel& q, double min_cos) {
  int qdq = 0;
  for (const auto& r : q.report) qdq += r.action == "QDQ";
  EXPECT_EQ(qdq, 5);
  // (a) every Conv / Gemm / MatMul runs fused: 3 Convs + the Gemm (a 1x1 QLinearConv) and the MatMul.
  Executor fused(load_model(q.model.data(), q.model.size(), {}));
  const Graph& g = fused.model().graph;
  EXPECT_EQ(count(g, "QLinearConv"), 4);
  EXPECT_EQ(count(g, "QLinearMatMul"), 1);
  EXPECT_EQ(count(g, "Conv") + count(g, "Gemm") + count(g, "MatMul"), 0);
  const float ys = output_step(q.model, "y"), zs = output_step(q.model, "z");
  for (uint32_t seed : {7u, 8u, 9u, 10u}) {
    const Feeds f = {{"x", input(seed)}};
    const auto want = run(src, f);
    const auto got = fused.run(f, {});
    const auto chain = run(q.model, f, /*optimize=*/false);
    for (int o = 0; o < 2; ++o) {
      // (b) fused integer kernels vs the QDQ chain: at most one output step apart.
      const float step = o == 0 ? ys : zs;
      for (int64_t i = 0; i < got[size_t(o)].size(); ++i)
        EXPECT_LE(std::fabs(got[size_t(o)].data<float>()[i] - chain[size_t(o)].data<float>()[i]), step * 1.001f)
            << "output " << o << " element " << i << " seed " << seed;
      // (c) close to the float model.
      EXPECT_GE(cosine(got[size_t(o)], want[size_t(o)]), min_cos) << "output " << o << " seed " << seed;
      if (getenv("QWASM_PRINT_COSINE")) printf("cosine output %d seed %u: %.5f\n", o, seed, cosine(got[size_t(o)], want[size_t(o)]));
    }
  }
}

TEST(QuantizeStatic, MinMaxUint8FusesAndStaysClose) {
  const std::string src = cnn();
  const std::string before = src;
  const QuantizedModel q = quantize_model(src.data(), src.size(), {}, static_options());
  EXPECT_EQ(src, before);
  check_quantized(src, q, 0.99);
  for (const auto& r : q.report) EXPECT_NE(r.detail.find("uint8 activations"), std::string::npos) << r.detail;
}

TEST(QuantizeStatic, Int8ActivationsAndReducedRange) {
  const std::string src = cnn();
  QuantizeOptions o = static_options();
  o.activations = QuantizeOptions::Activations::Int8;
  check_quantized(src, quantize_model(src.data(), src.size(), {}, o), 0.99);
  o.activations = QuantizeOptions::Activations::UInt8;
  o.reduce_range = true;
  const QuantizedModel q = quantize_model(src.data(), src.size(), {}, o);
  check_quantized(src, q, 0.98);
  // 7-bit weights: every quantized weight within [-63, 63].
  onnx::ModelProto m;
  ASSERT_TRUE(m.ParseFromString(q.model));
  for (const auto& t : m.graph().initializer())
    if (t.data_type() == onnx::TensorProto::INT8 && t.name().find("_quantized") != std::string::npos)
      for (char c : t.raw_data()) EXPECT_LE(std::abs(int(int8_t(c))), 63) << t.name();
}

TEST(QuantizeStatic, PercentileAndEntropyCalibration) {
  const std::string src = cnn();
  QuantizeOptions o = static_options();
  o.calibration_method = QuantizeOptions::Calibration::Percentile;
  check_quantized(src, quantize_model(src.data(), src.size(), {}, o), 0.98);
  o.calibration_method = QuantizeOptions::Calibration::Entropy;
  // Entropy clips hard on 16 tiny feeds (measured 0.80 .. 0.98 on the 8 checks here).
  check_quantized(src, quantize_model(src.data(), src.size(), {}, o), 0.75);
}

TEST(QuantizeStatic, SensitivityPassLeavesTheCostliestNodeFloat) {
  const std::string src = cnn();
  QuantizeOptions o = static_options();
  o.keep_float = 1;
  const QuantizedModel q = quantize_model(src.data(), src.size(), {}, o);
  int floats = 0, qdq = 0;
  for (const auto& r : q.report) {
    if (r.action == "float") {
      ++floats;
      EXPECT_NE(r.detail.find("left float by the sensitivity pass"), std::string::npos) << r.detail;
    } else {
      ++qdq;
      EXPECT_NE(r.detail.find("sensitivity: alone it costs"), std::string::npos) << r.detail;
    }
  }
  EXPECT_EQ(floats, 1);
  EXPECT_EQ(qdq, 4);
  // The automatic default runs too and keeps at least 4 of the 5 quantized (1 in 8, at least 1).
  o.keep_float = -1;
  const QuantizedModel a = quantize_model(src.data(), src.size(), {}, o);
  int left = 0;
  for (const auto& r : a.report) left += r.action == "float";
  EXPECT_LE(left, 1);
  const auto got = run(a.model, {{"x", input(3)}});
  const auto want = run(src, {{"x", input(3)}});
  EXPECT_GE(cosine(got[0], want[0]), 0.99);
}

TEST(QuantizeStatic, ExcludeAndOpsChooseTheNodes) {
  const std::string src = cnn();
  QuantizeOptions o = static_options();
  o.ops = {"Conv"};
  o.exclude = {"Conv_c2"};
  const QuantizedModel q = quantize_model(src.data(), src.size(), {}, o);
  std::map<std::string, std::string> action;
  for (const auto& r : q.report) action[r.node] = r.action;
  EXPECT_EQ(action["Conv_c1"], "QDQ");
  EXPECT_EQ(action["Conv_c2"], "float");
  EXPECT_EQ(action["Conv_c3"], "QDQ");
  EXPECT_EQ(action.count("Gemm_y"), 0u);
  const auto got = run(q.model, {{"x", input(5)}});
  const auto want = run(src, {{"x", input(5)}});
  EXPECT_GE(cosine(got[0], want[0]), 0.99);
}

void expect_error(const std::string& src, const QuantizeOptions& o, const std::string& what) {
  try {
    quantize_model(src.data(), src.size(), {}, o);
    ADD_FAILURE() << "no error, expected: " << what;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
  }
}

TEST(QuantizeStatic, BadInputIsAClearError) {
  const std::string src = cnn();
  QuantizeOptions o = static_options();
  o.calibration.clear();
  expect_error(src, o, "mode 'static' needs calibration data");
  o.calibration = {{{"image", input(1)}}};
  expect_error(src, o, "calibration feed 0 (float model, ranges): unknown input 'image'");
  o.calibration = {{{"x", input(1)}}, {{"x", input(2, {1, 3, 8, 9})}}};
  expect_error(src, o, "calibration feed 1 (float model, ranges): input 'x': expected shape [1,3,8,8]");
  o.calibration = {{{"x", Tensor(DType::Int64, {1, 3, 8, 8})}}};
  expect_error(src, o, "calibration feed 0 (float model, ranges): input 'x': expected float32, got int64");
  o.calibration = {{}};
  expect_error(src, o, "missing input 'x'");
  o = static_options();
  o.ops = {"Add"};
  expect_error(src, o, "op type 'Add' cannot be quantized in mode 'static'");
  o = static_options();
  o.bits = 4;
  expect_error(src, o, "4-bit weights need mode 'weight-only'");
  o = static_options();
  const std::string q = quantize_model(src.data(), src.size(), {}, o).model;
  expect_error(q, o, "already quantized (node 'x_QuantizeLinear' is QuantizeLinear)");
  expect_error(cnn(11), o, "needs ai.onnx opset 13 or later; the model imports opset 11");
  o.exclude = {"Conv_c1", "Conv_c2", "Conv_c3", "Gemm_y", "MatMul_z"};
  expect_error(src, o, "no node mode 'static' can quantize");
  expect_error(src, o, "Conv_c2: excluded by options.exclude");
}

// Conv -> BatchNormalization -> Relu (as exporters write it): the BatchNormalization is folded
// into the Conv first, so the pair still fuses into QLinearConv with the Relu as its clamp.
TEST(QuantizeStatic, FoldsBatchNormalizationFirst) {
  Builder b;
  b.io(b.g->add_input(), "x", {1, 3, 8, 8});
  Builder::ints(b.node("Conv", {"x", b.init("w1", {8, 3, 3, 3}, 0.3f)}, "c1"), "pads", {1, 1, 1, 1});
  std::string var = b.init("var", {8}, 0.2f);
  for (auto& t : *b.g->mutable_initializer())
    if (t.name() == "var")
      for (auto& v : *t.mutable_float_data()) v = 0.5f + std::fabs(v);
  b.node("BatchNormalization", {"c1", b.init("gamma", {8}, 1.0f), b.init("beta", {8}, 0.2f), b.init("mean", {8}, 0.2f), var}, "bn");
  b.node("Relu", {"bn"}, "r");
  b.node("Conv", {"r", b.init("w2", {4, 8, 1, 1}, 0.3f), b.init("b2", {4}, 0.1f)}, "y");
  b.io(b.g->add_output(), "y", {1, 4, 8, 8});
  const std::string src = b.bytes();
  const QuantizedModel q = quantize_model(src.data(), src.size(), {}, static_options());
  std::map<std::string, std::string> action;
  for (const auto& r : q.report) action[r.node] = r.action;
  EXPECT_EQ(action["BatchNormalization_bn"], "folded");
  EXPECT_EQ(action["Conv_c1"], "QDQ");
  Executor fused(load_model(q.model.data(), q.model.size(), {}));
  EXPECT_EQ(count(fused.model().graph, "QLinearConv"), 2);
  EXPECT_EQ(count(fused.model().graph, "BatchNormalization"), 0);
  for (uint32_t seed : {3u, 4u}) {
    const auto want = run(src, {{"x", input(seed)}});
    EXPECT_GE(cosine(fused.run({{"x", input(seed)}}, {})[0], want[0]), 0.99);
  }
}

// Mode 'dynamic' on the same CNN: ConvInteger for the three Convs (uint8 weights, zero point
// 128, per-channel scales), MatMulInteger for the Gemm (then Add(C)) and the MatMul.
TEST(QuantizeDynamic, ConvAndGemmTooStayClose) {
  const std::string src = cnn();
  QuantizeOptions o;
  o.mode = QuantizeOptions::Mode::Dynamic;
  const QuantizedModel q = quantize_model(src.data(), src.size(), {}, o);
  std::map<std::string, std::string> action;
  for (const auto& r : q.report) action[r.node] = r.action;
  EXPECT_EQ(action, (std::map<std::string, std::string>{{"Conv_c1", "ConvInteger"}, {"Conv_c2", "ConvInteger"},
                                                         {"Conv_c3", "ConvInteger"}, {"Gemm_y", "MatMulInteger"},
                                                         {"MatMul_z", "MatMulInteger"}}));
  onnx::ModelProto m;
  ASSERT_TRUE(m.ParseFromString(q.model));
  int conv_integer = 0;
  for (const auto& n : m.graph().node()) conv_integer += n.op_type() == "ConvInteger";
  EXPECT_EQ(conv_integer, 3);
  for (uint32_t seed : {7u, 8u}) {
    const auto want = run(src, {{"x", input(seed)}});
    const auto got = run(q.model, {{"x", input(seed)}});
    EXPECT_GE(cosine(got[0], want[0]), 0.99);
    EXPECT_GE(cosine(got[1], want[1]), 0.99);
  }
  // Weight-only leaves Conv and Gemm float and says why; asking for them is an Error.
  QuantizeOptions w;
  const QuantizedModel wq = quantize_model(src.data(), src.size(), {}, w);
  for (const auto& r : wq.report)
    if (r.op_type != "MatMul") EXPECT_NE(r.detail.find("not quantized in mode 'weight-only'"), std::string::npos) << r.detail;
  w.ops = {"Conv"};
  expect_error(src, w, "op type 'Conv' cannot be quantized yet in mode 'weight-only'");
}

TEST(ExecutorObserver, SeesEveryStepAndCostsNothingWhenUnset) {
  const std::string src = cnn();
  Executor ex(load_model(src.data(), src.size(), {}), /*optimize=*/false);
  std::vector<std::string> seen;
  size_t inputs_seen = 0;
  const Executor::StepObserver obs = [&](const Node& n, const std::vector<const Tensor*>& in,
                                         const std::vector<Tensor>& out) {
    seen.push_back(n.op_type + ":" + n.outputs[0]);
    inputs_seen += in.size();
    EXPECT_EQ(out.size(), n.outputs.size());
  };
  ex.set_observer(&obs);
  const auto a = ex.run({{"x", input(1)}}, {});
  EXPECT_EQ(seen, (std::vector<std::string>{"Conv:c1", "Relu:r1", "Conv:c2", "Clip:r2", "Conv:c3", "Flatten:f",
                                            "Gemm:y", "MatMul:z"}));
  EXPECT_EQ(inputs_seen, 3u + 1 + 3 + 3 + 3 + 1 + 3 + 2);
  ex.set_observer(nullptr);
  seen.clear();
  const auto b = ex.run({{"x", input(1)}}, {});
  EXPECT_TRUE(seen.empty());
  EXPECT_EQ(a[0].data<float>()[0], b[0].data<float>()[0]);
}

}  // namespace
}  // namespace qwasm
