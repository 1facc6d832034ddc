// fuse_qdq on small QDQ graphs as onnxruntime's quantize_static writes them:
// Q(input) -> DQ -> Conv/MatMul/Add (weights and bias behind DQ) [-> Relu|Clip] -> Q.
// Each test checks the rewrite happened (or, for the negative cases, did not) and
// compares Executor(model, /*optimize=*/false) with Executor(model, true):
//  - QLinearAdd: bit-identical (the pass marks it to repeat the chain's float arithmetic,
//    kAttrQdqRounding; FusedAddEqualsChainAtExactHalves has inputs where that matters);
//  - QLinearConv / QLinearMatMul: within 1 LSB. The unfused float Conv/MatMul rounds
//    every product and partial sum to float32, the fused op accumulates exactly in
//    int32 and rounds once; when the exact value lies within that float error of a
//    .5 rounding boundary the two round to neighbouring integers. Such cases are
//    rare, so the test also requires at least 97% of outputs to be equal.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "graph/passes/passes.h"
#include "graph/private_attrs.h"
#include "graph_test_util.h"
#include "runtime/executor.h"

using namespace qwasm;
using namespace qwasm::test;

namespace {

Tensor scalar_q(DType type, int v) {
  Tensor t(type, {});
  static_cast<uint8_t*>(t.raw())[0] = uint8_t(v);
  return t;
}
Tensor random_q(DType type, const Shape& s, int lo, int hi, std::mt19937& rng) {
  Tensor t(type, s);
  std::uniform_int_distribution<int> d(lo, hi);
  for (int64_t i = 0; i < t.size(); ++i) static_cast<uint8_t*>(t.raw())[i] = uint8_t(d(rng));
  return t;
}
// The int64 shape input of a Reshape.
Tensor shape_input(const std::vector<int64_t>& dims) {
  Tensor t(DType::Int64, {int64_t(dims.size())});
  std::copy(dims.begin(), dims.end(), t.data<int64_t>());
  return t;
}

// Builds a QDQ graph with readable helpers; every value name is unique.
struct QdqGraph {
  Model m;
  std::mt19937 rng;
  int n = 0;
  explicit QdqGraph(uint32_t seed) : rng(seed) { m.opsets[""] = 17; }

  std::string name(const std::string& base) { return base + "_" + std::to_string(++n); }
  std::string init(const std::string& base, Tensor t) {
    const std::string s = name(base);
    m.graph.initializers[s] = std::move(t);
    return s;
  }
  Node& node(const std::string& op, std::vector<std::string> in, std::string out = "") {
    Node nd;
    nd.op_type = op, nd.name = name(op), nd.opset = 17, nd.inputs = std::move(in);
    nd.outputs = {out.empty() ? name(op + "_out") : out};
    m.graph.nodes.push_back(nd);
    return m.graph.nodes.back();
  }
  std::string out(const Node& nd) { return nd.outputs[0]; }
  // QuantizeLinear to `type` with the given per-tensor parameters.
  std::string q(const std::string& x, float s, int zp, DType type = DType::UInt8, std::string o = "") {
    return out(node("QuantizeLinear", {x, init("s", scalar_f(s)), init("zp", scalar_q(type, zp))}, o));
  }
  std::string dq(const std::string& x, float s, int zp, DType type = DType::UInt8) {
    return out(node("DequantizeLinear", {x, init("s", scalar_f(s)), init("zp", scalar_q(type, zp))}));
  }
  std::string qdq(const std::string& x, float s, int zp, DType type = DType::UInt8) {
    return dq(q(x, s, zp, type), s, zp, type);
  }
  void input(const std::string& x, const Shape& s) { m.graph.inputs.push_back(value(x, DType::Float32, s)); }
  void output(const std::string& x, DType t = DType::UInt8) { m.graph.outputs.push_back(value(x, t, {})); }
};

struct ConvCase {
  int64_t C = 8, M = 12, H = 9, W = 7, k = 3, stride = 1, group = 1, dilation = 1;
  bool asymmetric_pads = false;
  bool per_channel = true, bias = true, uint8_w = false, bias_scale_off = false;
  std::string act;  // "", "Relu", "Clip"
  DType out_type = DType::UInt8;
};

// Q(A) -> DQ -> Conv(DQ(W), DQ(bias)) [-> act] -> Q -> "Y".
Model conv_model(const ConvCase& c, uint32_t seed) {
  QdqGraph b(seed);
  b.input("A", {1, c.C, c.H, c.W});
  const float xs = 0.02f;
  const std::string x = b.qdq("A", xs, 128);
  const int64_t cg = c.C / c.group;
  const DType wt = c.uint8_w ? DType::UInt8 : DType::Int8;
  const Tensor wq = c.uint8_w ? random_q(wt, {c.M, cg, c.k, c.k}, 0, 255, b.rng)
                              : random_q(wt, {c.M, cg, c.k, c.k}, -127, 127, b.rng);
  const Shape ps = c.per_channel ? Shape{c.M} : Shape{};
  Tensor ws = random_f32(ps, b.rng, 0.002f, 0.01f);
  Tensor wz = c.uint8_w ? random_q(wt, ps, 100, 150, b.rng) : Tensor(wt, ps);
  Node& wdq = b.node("DequantizeLinear", {b.init("w", wq), b.init("ws", ws), b.init("wz", wz)});
  wdq.attrs["axis"] = int_attr(0);
  const std::string w = b.out(wdq);
  std::vector<std::string> conv_in = {x, w};
  if (c.bias) {
    Tensor bs(DType::Float32, {c.M});
    for (int64_t m = 0; m < c.M; ++m)
      bs.data<float>()[m] = xs * ws.data<float>()[c.per_channel ? m : 0] * (c.bias_scale_off ? 1.37f : 1.0f);
    Node& bdq = b.node("DequantizeLinear", {b.init("b", random_q(DType::Int32, {c.M}, 0, 0, b.rng)), b.init("bs", bs)});
    Tensor& bq = b.m.graph.initializers[bdq.inputs[0]];
    std::uniform_int_distribution<int> d(-3000, 3000);
    for (int64_t m = 0; m < c.M; ++m) bq.data<int32_t>()[m] = d(b.rng);
    bdq.attrs["axis"] = int_attr(0);
    conv_in.push_back(b.out(bdq));
  }
  Node& conv = b.node("Conv", conv_in);
  conv.attrs["kernel_shape"] = ints_attr({c.k, c.k});
  conv.attrs["strides"] = ints_attr({c.stride, c.stride});
  const int64_t p = c.dilation * (c.k / 2);
  conv.attrs["pads"] = c.asymmetric_pads ? ints_attr({0, p + 1, p, 0}) : ints_attr({p, p, p, p});
  conv.attrs["dilations"] = ints_attr({c.dilation, c.dilation});
  conv.attrs["group"] = int_attr(c.group);
  std::string y = b.out(conv);
  if (c.act == "Relu") y = b.out(b.node("Relu", {y}));
  if (c.act == "Clip") y = b.out(b.node("Clip", {y, b.init("lo", scalar_f(0.0f)), b.init("hi", scalar_f(6.0f))}));
  // An output scale that makes Clip(0, 6) bite inside the quantized range.
  b.q(y, 0.03f, c.out_type == DType::Int8 ? -20 : 40, c.out_type, "Y");
  b.output("Y", c.out_type);
  return b.m;
}

std::vector<Tensor> run(const Model& m, bool optimize, const std::vector<std::pair<std::string, Tensor>>& feeds) {
  Executor ex(m, optimize);
  return ex.run(feeds, {});
}

int32_t qv(const Tensor& t, int64_t i) {
  return t.dtype() == DType::Int8 ? int32_t(static_cast<const int8_t*>(t.raw())[i])
                                  : int32_t(static_cast<const uint8_t*>(t.raw())[i]);
}

// max_diff 0: bit-identical; 1: the float-accumulation bound explained at the top.
void expect_close(const Tensor& want, const Tensor& got, int max_diff) {
  ASSERT_EQ(want.dtype(), got.dtype());
  ASSERT_EQ(want.shape(), got.shape());
  int64_t differ = 0;
  for (int64_t i = 0; i < want.size(); ++i) {
    const int d = std::abs(qv(want, i) - qv(got, i));
    ASSERT_LE(d, max_diff) << "element " << i << ": unfused " << qv(want, i) << ", fused " << qv(got, i);
    differ += d != 0;
  }
  EXPECT_LE(differ * 100, want.size() * 3) << differ << " of " << want.size() << " outputs differ by 1";
}

void check_conv(const ConvCase& c, uint32_t seed) {
  const Model m = conv_model(c, seed);
  ASSERT_EQ(op_types(optimized(m)), (std::vector<std::string>{"QuantizeLinear", "QLinearConv"}));
  std::mt19937 rng(seed + 100);
  const Tensor a = random_f32({1, c.C, c.H, c.W}, rng, -2.5f, 2.5f);
  expect_close(run(m, false, {{"A", a}})[0], run(m, true, {{"A", a}})[0], 1);
}

TEST(QdqPass, ConvPerChannelInt8WithBias) { check_conv(ConvCase{}, 1); }

TEST(QdqPass, ConvPerTensorUint8WeightsStride2NoBias) {
  ConvCase c;
  c.per_channel = false, c.uint8_w = true, c.bias = false, c.stride = 2;
  check_conv(c, 2);
}

TEST(QdqPass, DepthwiseConvWithRelu) {
  ConvCase c;
  c.C = c.M = c.group = 16, c.act = "Relu";
  check_conv(c, 3);
  c.stride = 2, c.H = 12, c.W = 11;
  check_conv(c, 4);
}

TEST(QdqPass, DepthwiseConvDilatedAsymmetricPadsUint8Weights) {
  // The direct depthwise path (src/ops/quant_depthwise.cc) with dilation, uneven
  // padding, strides 1 and 3, per-tensor uint8 weights with a zero point.
  ConvCase c;
  c.C = c.M = c.group = 6, c.dilation = 2, c.asymmetric_pads = true, c.uint8_w = true, c.per_channel = false;
  c.H = 13, c.W = 10;
  check_conv(c, 8);
  c.stride = 3, c.k = 5;
  check_conv(c, 9);
}

TEST(QdqPass, GroupedConvWithClip06Int8Output) {
  ConvCase c;
  c.group = 2, c.act = "Clip", c.out_type = DType::Int8;
  check_conv(c, 5);
}

TEST(QdqPass, PointwiseConvBiasInOtherUnitsIsRescaled) {
  ConvCase c;
  c.k = 1, c.bias_scale_off = true;
  check_conv(c, 6);
}

TEST(QdqPass, ClipFoldsIntoTheExactQuantizedRange) {
  // With the output scale 0.03 and zero point 40, Clip(0, 6) is [40, 240] in integers:
  // every fused output lies inside it and both ends are reached.
  ConvCase c;
  c.act = "Clip";
  const Model m = conv_model(c, 7);
  Model f = m;
  optimize_graph(f, builtin_traits());
  const Node& qc = f.graph.nodes.back();
  EXPECT_EQ(qc.attr_i(kAttrActLo, -1), 40);
  EXPECT_EQ(qc.attr_i(kAttrActHi, -1), 240);
}

// Q(A) -> DQ -> MatMul(DQ(B)) -> Q -> "Y".
Model matmul_model(bool per_column, uint32_t seed) {
  QdqGraph b(seed);
  b.input("A", {3, 5, 40});
  const std::string a = b.qdq("A", 0.015f, 120);
  const Shape ps = per_column ? Shape{24} : Shape{};
  Node& bdq = b.node("DequantizeLinear", {b.init("B", random_q(DType::Int8, {40, 24}, -127, 127, b.rng)),
                                          b.init("bs", random_f32(ps, b.rng, 0.002f, 0.01f))});
  bdq.attrs["axis"] = int_attr(1);
  b.q(b.out(b.node("MatMul", {a, b.out(bdq)})), 0.04f, 128, DType::UInt8, "Y");
  b.output("Y");
  return b.m;
}

TEST(QdqPass, MatMulBecomesQLinearMatMul) {
  for (bool per_column : {false, true}) {
    const Model m = matmul_model(per_column, 11 + per_column);
    ASSERT_EQ(op_types(optimized(m)), (std::vector<std::string>{"QuantizeLinear", "QLinearMatMul"}));
    std::mt19937 rng(12);
    const Tensor a = random_f32({3, 5, 40}, rng, -1.5f, 2.0f);
    expect_close(run(m, false, {{"A", a}})[0], run(m, true, {{"A", a}})[0], 1);
  }
}

// Q(A) -> DQ -> Gemm(DQ(W), DQ(bias)) [-> Relu] -> Q -> "Y", A [3, 40], W [24, 40] or [40, 24].
Model gemm_model(bool trans_b, bool relu, uint32_t seed) {
  QdqGraph b(seed);
  b.input("A", {3, 40});
  const float xs = 0.015f;
  const std::string a = b.qdq("A", xs, 120);
  Tensor ws = random_f32({24}, b.rng, 0.002f, 0.01f);
  Node& wdq = b.node("DequantizeLinear", {b.init("W", random_q(DType::Int8, trans_b ? Shape{24, 40} : Shape{40, 24}, -127, 127, b.rng)),
                                          b.init("ws", ws), b.init("wz", Tensor(DType::Int8, {24}))});
  wdq.attrs["axis"] = int_attr(trans_b ? 0 : 1);
  const std::string w = b.out(wdq);
  Tensor bs(DType::Float32, {24}), bq(DType::Int32, {24});
  for (int64_t n = 0; n < 24; ++n) bs.data<float>()[n] = xs * ws.data<float>()[n], bq.data<int32_t>()[n] = int32_t(n * 97 - 1000);
  Node& bdq = b.node("DequantizeLinear", {b.init("b", bq), b.init("bs", bs)});
  bdq.attrs["axis"] = int_attr(0);
  const std::string bias = b.out(bdq);
  Node& gemm = b.node("Gemm", {a, w, bias});
  if (trans_b) gemm.attrs["transB"] = int_attr(1);
  std::string y = b.out(gemm);
  if (relu) y = b.out(b.node("Relu", {y}));
  b.q(y, 0.04f, 100, DType::UInt8, "Y");
  b.output("Y");
  return b.m;
}

TEST(QdqPass, GemmBecomesPointwiseQLinearConv) {
  for (bool trans_b : {false, true})
    for (bool relu : {false, true}) {
      const Model m = gemm_model(trans_b, relu, 13);
      ASSERT_EQ(op_types(optimized(m)), (std::vector<std::string>{"QuantizeLinear", "Reshape", "QLinearConv", "Reshape"}));
      std::mt19937 rng(14);
      const Tensor a = random_f32({3, 40}, rng, -1.5f, 2.0f);
      const Tensor want = run(m, false, {{"A", a}})[0], got = run(m, true, {{"A", a}})[0];
      EXPECT_EQ(got.shape(), (Shape{3, 24}));
      expect_close(want, got, 1);
    }
}

TEST(QdqPass, GemmWithAlphaStays) {
  Model m = gemm_model(true, false, 15);
  for (Node& n : m.graph.nodes)
    if (n.op_type == "Gemm") n.attrs["alpha"] = Attribute{Attribute::Kind::Float, 0.5f};
  const auto ops = op_types(optimized(m));
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "QLinearConv"), 0);
}

// Residual add: DQ(Q(A)) + DQ(Q(B)) [-> act] -> Q, with B broadcast along rows.
Model add_model(const std::string& act, DType t, uint32_t seed) {
  QdqGraph b(seed);
  b.input("A", {2, 3, 5, 6});
  b.input("B", {3, 1, 6});
  const int z = t == DType::Int8 ? 0 : 128;
  std::string y = b.out(b.node("Add", {b.qdq("A", 0.03f, z - 10, t), b.qdq("B", 0.05f, z + 7, t)}));
  if (act == "Relu") y = b.out(b.node("Relu", {y}));
  b.q(y, 0.06f, z + 3, t, "Y");
  b.output("Y", t);
  return b.m;
}

TEST(QdqPass, ResidualAddIsBitExact) {
  for (DType t : {DType::UInt8, DType::Int8})
    for (const char* act : {"", "Relu"}) {
      const Model m = add_model(act, t, 21);
      ASSERT_EQ(op_types(optimized(m)), (std::vector<std::string>{"QuantizeLinear", "QuantizeLinear", "QLinearAdd"}));
      std::mt19937 rng(22);
      const Tensor a = random_f32({2, 3, 5, 6}, rng, -4.0f, 4.0f), bb = random_f32({3, 1, 6}, rng, -6.0f, 6.0f);
      expect_close(run(m, false, {{"A", a}, {"B", bb}})[0], run(m, true, {{"A", a}, {"B", bb}})[0], 0);
    }
}

TEST(QdqPass, QLinearAddTableEqualsRuntimeParameters) {
  // The fused Add tabulates all 65536 byte pairs at build time; with a scale that is
  // a graph input it computes per call. Both must agree on every pair, in either rounding
  // (the chain's, which the pass asks for, and onnxruntime's, a model's own node).
  for (bool qdq_rounding : {true, false})
  for (DType t : {DType::UInt8, DType::Int8}) {
    auto model = [&](bool runtime_scale) {
      QdqGraph b(51);
      b.m.graph.inputs = {value("A", t, {256, 256}), value("B", t, {256})};
      if (runtime_scale) b.m.graph.inputs.push_back(value("SA", DType::Float32, {}));
      const int z = t == DType::Int8 ? 0 : 128;
      Node& n = b.node("QLinearAdd", {"A", runtime_scale ? "SA" : b.init("sa", scalar_f(0.031f)), b.init("za", scalar_q(t, z - 9)),
                                      "B", b.init("sb", scalar_f(0.047f)), b.init("zb", scalar_q(t, z + 5)),
                                      b.init("sc", scalar_f(0.06f)), b.init("zc", scalar_q(t, z + 2))}, "Y");
      n.domain = "com.microsoft", n.opset = 1;
      n.attrs[kAttrActLo] = int_attr(t == DType::Int8 ? -100 : 20);
      if (qdq_rounding) n.attrs[kAttrQdqRounding] = int_attr(1);
      b.m.opsets["com.microsoft"] = 1;
      b.output("Y", t);
      return b.m;
    };
    Tensor a(t, {256, 256}), bb(t, {256});
    for (int64_t i = 0; i < a.size(); ++i) static_cast<uint8_t*>(a.raw())[i] = uint8_t(i / 256);
    for (int64_t i = 0; i < bb.size(); ++i) static_cast<uint8_t*>(bb.raw())[i] = uint8_t(i);
    const Tensor table = run(model(false), true, {{"A", a}, {"B", bb}})[0];
    const Tensor direct = run(model(true), true, {{"A", a}, {"B", bb}, {"SA", scalar_f(0.031f)}})[0];
    expect_close(direct, table, 0);
  }
}

// DQ(A) + DQ(B) -> Add -> Q over every byte pair, with power-of-two scales and odd zero
// points: v = (a - 3) / 2 + (b - 1) is an exact half for every even a, where the chain's
// round(v) + 7 and onnxruntime's round(v + 7) are one quantum apart (round half to even).
// The fused QLinearAdd must still equal the unfused chain there.
Model add_ties_model(DType t) {
  QdqGraph b(71);
  b.m.graph.inputs = {value("A", t, {256, 256}), value("B", t, {256})};
  const std::string y = b.out(b.node("Add", {b.dq("A", 0.25f, 3, t), b.dq("B", 0.5f, 1, t)}));
  b.q(y, 0.5f, 7, t, "Y");
  b.output("Y", t);
  return b.m;
}

TEST(QdqPass, FusedAddEqualsChainAtExactHalves) {
  for (DType t : {DType::UInt8, DType::Int8}) {
    SCOPED_TRACE(dtype_name(t));
    const Model m = add_ties_model(t);
    Model fused = optimized(m);
    ASSERT_EQ(op_types(fused), (std::vector<std::string>{"QLinearAdd"}));
    EXPECT_EQ(fused.graph.nodes[0].attr_i(kAttrQdqRounding, 0), 1);
    Tensor a(t, {256, 256}), bb(t, {256});
    for (int64_t i = 0; i < a.size(); ++i) static_cast<uint8_t*>(a.raw())[i] = uint8_t(i / 256);
    for (int64_t i = 0; i < bb.size(); ++i) static_cast<uint8_t*>(bb.raw())[i] = uint8_t(i);
    const std::vector<std::pair<std::string, Tensor>> feeds = {{"A", a}, {"B", bb}};
    const Tensor chain = run(m, false, feeds)[0];
    expect_close(chain, run(m, true, feeds)[0], 0);
    // By hand: a = 5, b = 2 gives v = 1 + 1 = 2, c = 9 either way; a = 4, b = 1 gives
    // v = 0.5: the chain rounds to 0 and adds 7, onnxruntime rounds 7.5 to 8.
    EXPECT_EQ(qv(chain, 5 * 256 + 2), 9);
    EXPECT_EQ(qv(chain, 4 * 256 + 1), 7);
    // The inputs do reach the halves: the same node without the attribute (onnxruntime's
    // rounding) differs from the chain, by one, there.
    fused.graph.nodes[0].attrs.erase(kAttrQdqRounding);
    const Tensor ort = run(fused, false, feeds)[0];
    EXPECT_EQ(qv(ort, 4 * 256 + 1), 8);
    int64_t differ = 0;
    for (int64_t i = 0; i < chain.size(); ++i) differ += qv(chain, i) != qv(ort, i);
    EXPECT_GT(differ, 1000);
  }
}

TEST(QdqPass, MobileNetBlockChainsFuseAndSharedDequantizeStays) {
  // expand 1x1 -> depthwise 3x3 -> project 1x1, plus the residual Add reading the
  // block input's DQ a second time: every op fuses, only the input Q is left.
  QdqGraph b(31);
  b.input("A", {1, 8, 6, 6});
  const std::string x = b.qdq("A", 0.02f, 128);
  auto conv = [&](const std::string& in, float in_s, int64_t cin, int64_t cout, int64_t k, int64_t group, float os) {
    Tensor ws = random_f32({cout}, b.rng, 0.003f, 0.01f);
    Node& wdq = b.node("DequantizeLinear", {b.init("w", random_q(DType::Int8, {cout, cin / group, k, k}, -127, 127, b.rng)),
                                            b.init("ws", ws), b.init("wz", Tensor(DType::Int8, {cout}))});
    wdq.attrs["axis"] = int_attr(0);
    const std::string w = b.out(wdq);
    Tensor bs(DType::Float32, {cout});
    for (int64_t m = 0; m < cout; ++m) bs.data<float>()[m] = in_s * ws.data<float>()[m];
    Node& bdq = b.node("DequantizeLinear", {b.init("b", Tensor(DType::Int32, {cout})), b.init("bs", bs)});
    bdq.attrs["axis"] = int_attr(0);
    const std::string bias = b.out(bdq);
    Node& c = b.node("Conv", {in, w, bias});
    c.attrs["kernel_shape"] = ints_attr({k, k});
    c.attrs["pads"] = ints_attr({k / 2, k / 2, k / 2, k / 2});
    c.attrs["group"] = int_attr(group);
    return b.qdq(b.out(c), os, 0);
  };
  std::string h = conv(x, 0.02f, 8, 48, 1, 1, 0.05f);
  h = conv(h, 0.05f, 48, 48, 3, 48, 0.05f);
  h = conv(h, 0.05f, 48, 8, 1, 1, 0.08f);
  const std::string y = b.out(b.node("Add", {x, h}));
  b.q(y, 0.1f, 0, DType::UInt8, "Y");
  b.output("Y");
  EXPECT_EQ(op_types(optimized(b.m)), (std::vector<std::string>{"QuantizeLinear", "QLinearConv", "QLinearConv", "QLinearConv",
                                                     "QLinearAdd"}));
  std::mt19937 rng(32);
  const Tensor a = random_f32({1, 8, 6, 6}, rng, -2.0f, 2.0f);
  expect_close(run(b.m, false, {{"A", a}})[0], run(b.m, true, {{"A", a}})[0], 1);
}

TEST(QdqPass, ReshapeAndTransposeRunOnQuantizedBytes) {
  QdqGraph b(61);
  b.input("A", {2, 3, 4});
  const std::string r = b.out(b.node("Reshape", {b.qdq("A", 0.02f, 100), b.init("shape", shape_input({6, 4}))}));
  Node& t = b.node("Transpose", {b.dq(b.q(r, 0.02f, 100), 0.02f, 100)});
  t.attrs["perm"] = ints_attr({1, 0});
  b.q(b.out(t), 0.02f, 100, DType::UInt8, "Y");
  b.output("Y");
  EXPECT_EQ(op_types(optimized(b.m)), (std::vector<std::string>{"QuantizeLinear", "Reshape", "Transpose"}));
  std::mt19937 rng(62);
  const Tensor a = random_f32({2, 3, 4}, rng, -3.0f, 3.0f);
  expect_close(run(b.m, false, {{"A", a}})[0], run(b.m, true, {{"A", a}})[0], 0);
}

TEST(QdqPass, MovesOnlyThroughOpsWhoseTraitsSaySo) {
  // The same Reshape chain as above; a lookup that declares no op moves_values (as for
  // an op registered without the trait) leaves every DequantizeLinear in place.
  QdqGraph b(65);
  b.input("A", {2, 3, 4});
  const std::string r = b.out(b.node("Reshape", {b.qdq("A", 0.02f, 100), b.init("shape", shape_input({6, 4}))}));
  b.q(r, 0.02f, 100, DType::UInt8, "Y");
  b.output("Y");
  Model plain = b.m;
  optimize_graph(plain, [](const Node&) { return OpTraits{}; });
  EXPECT_EQ(op_types(plain),
            (std::vector<std::string>{"QuantizeLinear", "DequantizeLinear", "Reshape", "QuantizeLinear"}));
  EXPECT_EQ(op_types(optimized(b.m)), (std::vector<std::string>{"QuantizeLinear", "Reshape"}));
}

// ------------------------------------------------------------ must not fuse

TEST(QdqPass, ReshapeBetweenDifferentScalesStays) {
  QdqGraph b(63);
  b.input("A", {2, 6});
  const std::string r = b.out(b.node("Reshape", {b.qdq("A", 0.02f, 100), b.init("shape", shape_input({12}))}));
  b.q(r, 0.03f, 100, DType::UInt8, "Y");
  b.output("Y");
  const auto ops = op_types(optimized(b.m));
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "DequantizeLinear"), 1);
}

TEST(QdqPass, ConvOutputThatIsAlsoAGraphOutputStays) {
  Model m = conv_model(ConvCase{}, 41);
  for (const Node& n : m.graph.nodes)
    if (n.op_type == "Conv") m.graph.outputs.push_back(value(n.outputs[0], DType::Float32, {}));
  const auto ops = op_types(optimized(m));
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "Conv"), 1);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "QLinearConv"), 0);
}

TEST(QdqPass, ReluWithASecondConsumerStays) {
  ConvCase c;
  c.act = "Relu";
  Model m = conv_model(c, 42);
  std::string relu;
  for (const Node& n : m.graph.nodes)
    if (n.op_type == "Relu") relu = n.outputs[0];
  Node extra;
  extra.op_type = "Neg", extra.name = "neg", extra.opset = 17, extra.inputs = {relu}, extra.outputs = {"N"};
  m.graph.nodes.push_back(extra);
  m.graph.outputs.push_back(value("N", DType::Float32, {}));
  const auto ops = op_types(optimized(m));
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "QLinearConv"), 0);
}

TEST(QdqPass, NonConstantScaleOrPerAxisActivationStays) {
  // The output scale is a graph input: not known at load.
  Model m = conv_model(ConvCase{}, 43);
  for (Node& n : m.graph.nodes)
    if (n.op_type == "QuantizeLinear" && n.outputs[0] == "Y") {
      n.inputs[1] = "YS";
      m.graph.inputs.push_back(value("YS", DType::Float32, {}));
    }
  auto ops = op_types(optimized(m));
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "QLinearConv"), 0);
  // Weight scales per input channel (axis 1) are not QLinearConv's per-output-channel.
  ConvCase c;
  c.C = c.M = 8;
  m = conv_model(c, 44);
  for (Node& n : m.graph.nodes)
    if (n.op_type == "DequantizeLinear" && n.attrs.count("axis") && m.graph.initializers.count(n.inputs[0]) &&
        m.graph.initializers[n.inputs[0]].rank() == 4)
      n.attrs["axis"] = int_attr(1);
  ops = op_types(optimized(m));
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "QLinearConv"), 0);
}

TEST(QdqPass, AddOfMixedTypesStays) {
  // QLinearAdd writes A's type; a uint8 + uint8 -> int8 chain cannot use it.
  QdqGraph b(45);
  b.input("A", {4, 4});
  b.input("B", {4, 4});
  b.q(b.out(b.node("Add", {b.qdq("A", 0.1f, 128), b.qdq("B", 0.1f, 128)})), 0.1f, 0, DType::Int8, "Y");
  b.output("Y", DType::Int8);
  const auto ops = op_types(optimized(b.m));
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "QLinearAdd"), 0);
}

}  // namespace
