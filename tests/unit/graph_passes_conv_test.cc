// fold_batchnorm and fuse_conv_epilogue: the optimized graph is compared with the
// unfused one (Executor(model, /*optimize=*/false), which runs BatchNormalization and
// the activations as their own ops), and the node lists say what was folded; patterns
// whose intermediate values are seen elsewhere, or whose parameters are not constant,
// stay as they were.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "graph/private_attrs.h"
#include "graph_test_util.h"
#include "runtime/executor.h"

using namespace qwasm;
using namespace qwasm::test;

namespace {

std::mt19937& rng() {
  static std::mt19937 r(1234);
  return r;
}

// BatchNormalization of `c` channels reading `in`, with constant parameters (var > 0).
void add_bn(Graph& g, const std::string& in, const std::string& out, int64_t c, const std::string& tag) {
  g.initializers[tag + "_gamma"] = random_f32({c}, rng(), 0.5f, 1.5f);
  g.initializers[tag + "_beta"] = random_f32({c}, rng(), -0.3f, 0.3f);
  g.initializers[tag + "_mean"] = random_f32({c}, rng(), -0.3f, 0.3f);
  g.initializers[tag + "_var"] = random_f32({c}, rng(), 0.2f, 2.0f);
  Node bn = make("BatchNormalization", {in, tag + "_gamma", tag + "_beta", tag + "_mean", tag + "_var"}, {out});
  bn.attrs["epsilon"] = float_attr(1e-3f);
  g.nodes.push_back(bn);
}

Tensor run(const Model& m, bool optimize, const Tensor& x) {
  Executor ex(m, optimize);
  return ex.run({{"X", x}}, {})[0];
}

void expect_close(const Tensor& a, const Tensor& b, float tol) {
  ASSERT_EQ(a.shape(), b.shape());
  for (int64_t i = 0; i < a.size(); ++i)
    ASSERT_NEAR(a.data<float>()[i], b.data<float>()[i], tol * (1 + std::fabs(b.data<float>()[i]))) << "element " << i;
}

Model model_of(const Shape& x, const Shape& y) {
  Model m;
  m.opsets[""] = 17;
  m.graph.inputs = {value("X", DType::Float32, x)};
  m.graph.outputs = {value("Y", DType::Float32, y)};
  return m;
}

}  // namespace

TEST(FoldBatchNorm, ConvBnReluBecomesOneConv) {
  Model m = model_of({1, 3, 9, 10}, {1, 8, 9, 10});
  Graph& g = m.graph;
  g.initializers["W"] = random_f32({8, 3, 3, 3}, rng());
  g.initializers["B"] = random_f32({8}, rng());
  Node conv = make("Conv", {"X", "W", "B"}, {"c"});
  conv.attrs["pads"] = ints_attr({1, 1, 1, 1});
  g.nodes.push_back(conv);
  add_bn(g, "c", "n", 8, "bn");
  g.nodes.push_back(make("Relu", {"n"}, {"Y"}));
  const Model opt = optimized(m);
  EXPECT_EQ(op_types(opt), (std::vector<std::string>{"Conv"}));
  EXPECT_EQ(opt.graph.nodes[0].attr_s(kAttrFloatAct, ""), "Relu");
  EXPECT_EQ(opt.graph.initializers.count("W"), 0u) << "the unfolded weights are dropped";
  const Tensor x = random_f32({1, 3, 9, 10}, rng());
  expect_close(run(m, true, x), run(m, false, x), 1e-5f);
}

TEST(FoldBatchNorm, DepthwiseAndPointwiseWithResidualAndHardSwish) {
  // a = Relu(BN(Conv_dw(X))), Y = HardSwish(a + BN(Conv_1x1(a))): an inverted residual.
  Model m = model_of({1, 4, 8, 7}, {1, 4, 8, 7});
  Graph& g = m.graph;
  g.initializers["Wd"] = random_f32({4, 1, 3, 3}, rng());
  Node d = make("Conv", {"X", "Wd"}, {"d"});
  d.attrs["pads"] = ints_attr({1, 1, 1, 1});
  d.attrs["group"] = int_attr(4);
  g.nodes.push_back(d);
  add_bn(g, "d", "dn", 4, "bn1");
  g.nodes.push_back(make("Relu", {"dn"}, {"a"}));
  g.initializers["Wp"] = random_f32({4, 4, 1, 1}, rng());
  g.nodes.push_back(make("Conv", {"a", "Wp"}, {"p"}));
  add_bn(g, "p", "pn", 4, "bn2");
  g.nodes.push_back(make("Add", {"a", "pn"}, {"s"}));
  g.nodes.push_back(make("HardSwish", {"s"}, {"Y"}));
  const Model opt = optimized(m);
  ASSERT_EQ(op_types(opt), (std::vector<std::string>{"Conv", "Conv"}));
  const Node& last = opt.graph.nodes[1];
  EXPECT_EQ(last.attr_i(kAttrResidual, 0), 1);
  EXPECT_EQ(last.attr_s(kAttrFloatAct, ""), "HardSwish");
  ASSERT_EQ(last.inputs.size(), 4u);
  EXPECT_EQ(last.inputs[3], "a");
  const Tensor x = random_f32({1, 4, 8, 7}, rng());
  expect_close(run(m, true, x), run(m, false, x), 1e-5f);
}

TEST(FoldBatchNorm, GemmBothLayouts) {
  for (int tb = 0; tb < 2; ++tb) {
    Model m = model_of({3, 5}, {3, 6});
    Graph& g = m.graph;
    g.initializers["B"] = random_f32(tb ? Shape{6, 5} : Shape{5, 6}, rng());
    g.initializers["C"] = random_f32({6}, rng());
    Node gemm = make("Gemm", {"X", "B", "C"}, {"y"});
    gemm.attrs["transB"] = int_attr(tb);
    gemm.attrs["alpha"] = float_attr(0.7f);
    gemm.attrs["beta"] = float_attr(0.3f);
    g.nodes.push_back(gemm);
    add_bn(g, "y", "Y", 6, "bn");
    const Model opt = optimized(m);
    EXPECT_EQ(op_types(opt), (std::vector<std::string>{"Gemm"})) << "transB " << tb;
    const Tensor x = random_f32({3, 5}, rng());
    expect_close(run(m, true, x), run(m, false, x), 1e-5f);
  }
}

TEST(FoldBatchNorm, GroupedConvTranspose) {
  // W [4, 3, 3, 3] with group 2: 6 output channels, channel 3 + j of group 1 reads W[2..3, j].
  Model m = model_of({1, 4, 5, 5}, {1, 6, 11, 11});
  Graph& g = m.graph;
  g.initializers["W"] = random_f32({4, 3, 3, 3}, rng());
  g.initializers["B"] = random_f32({6}, rng());
  Node t = make("ConvTranspose", {"X", "W", "B"}, {"t"});
  t.attrs["group"] = int_attr(2);
  t.attrs["strides"] = ints_attr({2, 2});
  g.nodes.push_back(t);
  add_bn(g, "t", "Y", 6, "bn");
  const Model opt = optimized(m);
  EXPECT_EQ(op_types(opt), (std::vector<std::string>{"ConvTranspose"}));
  const Tensor x = random_f32({1, 4, 5, 5}, rng());
  expect_close(run(m, true, x), run(m, false, x), 1e-5f);
}

TEST(FoldBatchNorm, LeavesSharedOrNonConstantPatternsAlone) {
  // The Conv output is also a graph output: neither the BN nor a Relu is folded into it.
  Model m = model_of({1, 2, 4, 4}, {1, 2, 4, 4});
  Graph& g = m.graph;
  g.outputs.push_back(value("c", DType::Float32, {1, 2, 4, 4}));
  g.initializers["W"] = random_f32({2, 2, 1, 1}, rng());
  g.nodes.push_back(make("Conv", {"X", "W"}, {"c"}));
  add_bn(g, "c", "Y", 2, "bn");
  EXPECT_EQ(op_types(optimized(m)), (std::vector<std::string>{"Conv", "BatchNormalization"}));

  // The BN's mean is a graph input, so not known at load.
  Model v = model_of({1, 2, 4, 4}, {1, 2, 4, 4});
  v.graph.initializers["W"] = random_f32({2, 2, 1, 1}, rng());
  v.graph.nodes.push_back(make("Conv", {"X", "W"}, {"c"}));
  add_bn(v.graph, "c", "Y", 2, "bn");
  v.graph.initializers.erase("bn_mean");
  v.graph.inputs.push_back(value("bn_mean", DType::Float32, {2}));
  EXPECT_EQ(op_types(optimized(v)), (std::vector<std::string>{"Conv", "BatchNormalization"}));

  // A Conv output read twice: the Relu stays a node of its own.
  Model r = model_of({1, 2, 4, 4}, {1, 2, 4, 4});
  r.graph.initializers["W"] = random_f32({2, 2, 1, 1}, rng());
  r.graph.nodes.push_back(make("Conv", {"X", "W"}, {"c"}));
  r.graph.nodes.push_back(make("Relu", {"c"}, {"rl"}));
  r.graph.nodes.push_back(make("Add", {"rl", "c"}, {"Y"}));
  EXPECT_EQ(op_types(optimized(r)), (std::vector<std::string>{"Conv", "Relu", "Add"}));
}

TEST(FuseConvEpilogue, ClipBoundsMustBeConstant) {
  Model m = model_of({1, 2, 5, 5}, {1, 3, 5, 5});
  Graph& g = m.graph;
  g.initializers["W"] = random_f32({3, 2, 1, 1}, rng());
  g.initializers["lo"] = scalar_f(-0.25f);
  g.initializers["hi"] = scalar_f(0.5f);
  g.nodes.push_back(make("Conv", {"X", "W"}, {"c"}));
  g.nodes.push_back(make("Clip", {"c", "lo", "hi"}, {"Y"}));
  const Model opt = optimized(m);
  ASSERT_EQ(op_types(opt), (std::vector<std::string>{"Conv"}));
  EXPECT_EQ(opt.graph.nodes[0].attr_f(kAttrFloatActAlpha, 0), -0.25f);
  EXPECT_EQ(opt.graph.nodes[0].attr_f(kAttrFloatActBeta, 0), 0.5f);
  const Tensor x = random_f32({1, 2, 5, 5}, rng(), -2.0f, 2.0f);
  const Tensor fused = run(m, true, x), plain = run(m, false, x);
  ASSERT_EQ(fused.shape(), plain.shape());
  for (int64_t i = 0; i < fused.size(); ++i) ASSERT_EQ(fused.data<float>()[i], plain.data<float>()[i]);

  // The upper bound a graph input: not folded.
  Model v = m;
  v.graph.initializers.erase("hi");
  v.graph.inputs.push_back(value("hi", DType::Float32, {}));
  EXPECT_EQ(op_types(optimized(v)), (std::vector<std::string>{"Conv", "Clip"}));
}

// Bitwise equal to the unfused graph (which runs LeakyRelu, Max and Min as their own ops).
void expect_same_bits(const Model& m, const Tensor& x) {
  const Tensor fused = run(m, true, x), plain = run(m, false, x);
  ASSERT_EQ(fused.shape(), plain.shape());
  for (int64_t i = 0; i < fused.size(); ++i) {
    const float a = fused.data<float>()[i], b = plain.data<float>()[i];
    ASSERT_TRUE(std::memcmp(&a, &b, sizeof a) == 0) << "element " << i << ": " << a << " vs " << b;
  }
}

TEST(FuseConvEpilogue, ScalarMaxMinAfterTheActivation) {
  // openWakeWord's embedding model: Conv -> LeakyRelu -> Max(., [1,1,1,1] constant -0.4).
  Model m = model_of({1, 3, 6, 7}, {1, 4, 6, 5});
  Graph& g = m.graph;
  g.initializers["W"] = random_f32({4, 3, 1, 3}, rng());
  g.initializers["B"] = random_f32({4}, rng());
  g.initializers["lo"] = scalar_f(-0.4f, {1, 1, 1, 1});
  g.nodes.push_back(make("Conv", {"X", "W", "B"}, {"c"}));
  Node lr = make("LeakyRelu", {"c"}, {"a"});
  lr.attrs["alpha"] = float_attr(0.2f);
  g.nodes.push_back(lr);
  g.nodes.push_back(make("Max", {"a", "lo"}, {"Y"}));
  Model opt = optimized(m);
  ASSERT_EQ(op_types(opt), (std::vector<std::string>{"Conv"}));
  EXPECT_EQ(opt.graph.nodes[0].attr_ints(kAttrPostClampOps), (std::vector<int64_t>{0}));
  EXPECT_EQ(opt.graph.nodes[0].attr_floats(kAttrPostClampValues), (std::vector<float>{-0.4f}));
  const Tensor x = random_f32({1, 3, 6, 7}, rng(), -3.0f, 3.0f);
  expect_same_bits(m, x);

  // Min(6, .) then Max(., 0) straight after a Conv (a ReLU6 written as two ops), the
  // constant first in Min: both steps in graph order.
  Model r = model_of({1, 3, 6, 7}, {1, 4, 6, 5});
  r.graph.initializers = {{"W", g.initializers["W"]}, {"six", scalar_f(0.5f)}, {"zero", scalar_f(0.0f, {1})}};
  r.graph.nodes = {make("Conv", {"X", "W"}, {"c"}), make("Min", {"six", "c"}, {"m"}),
                   make("Max", {"m", "zero"}, {"Y"})};
  opt = optimized(r);
  ASSERT_EQ(op_types(opt), (std::vector<std::string>{"Conv"}));
  EXPECT_EQ(opt.graph.nodes[0].attr_ints(kAttrPostClampOps), (std::vector<int64_t>{3, 0}));
  expect_same_bits(r, x);
  // Max(0, .) with the constant first: a -0 product stays what the Max op gives (+0).
  r.graph.nodes[2] = make("Max", {"zero", "m"}, {"Y"});
  ASSERT_EQ(op_types(optimized(r)), (std::vector<std::string>{"Conv"}));
  Tensor zeros = random_f32({1, 3, 6, 7}, rng());
  for (int64_t i = 0; i < zeros.size(); ++i) zeros.data<float>()[i] = i % 2 ? -0.0f : 0.0f;
  expect_same_bits(r, zeros);
  expect_same_bits(r, x);
}

TEST(FuseConvEpilogue, MaxLeftAloneWhenNotAScalarOrSeenElsewhere) {
  Model m = model_of({1, 3, 6, 7}, {1, 4, 6, 5});
  Graph& g = m.graph;
  g.initializers["W"] = random_f32({4, 3, 1, 3}, rng());
  g.initializers["lo"] = random_f32({1, 4, 1, 1}, rng());  // per channel: no scalar
  g.nodes.push_back(make("Conv", {"X", "W"}, {"c"}));
  g.nodes.push_back(make("Max", {"c", "lo"}, {"Y"}));
  EXPECT_EQ(op_types(optimized(m)), (std::vector<std::string>{"Conv", "Max"}));
  // A scalar of rank 5 would broadcast the 4-D output up to 5-D: not folded.
  g.initializers["lo"] = scalar_f(-0.4f, {1, 1, 1, 1, 1});
  m.graph.outputs = {value("Y", DType::Float32, {1, 1, 4, 6, 5})};
  EXPECT_EQ(op_types(optimized(m)), (std::vector<std::string>{"Conv", "Max"}));
  // A scalar, but the Conv's output also read by another node: not folded.
  m.graph.outputs = {value("Y", DType::Float32, {1, 4, 6, 5}), value("Z", DType::Float32, {1, 4, 6, 5})};
  g.initializers["lo"] = scalar_f(-0.4f);
  g.nodes.push_back(make("Relu", {"c"}, {"Z"}));
  EXPECT_EQ(op_types(optimized(m)), (std::vector<std::string>{"Conv", "Max", "Relu"}));
  // The Max's bound a graph input: not folded.
  Model v = model_of({1, 3, 6, 7}, {1, 4, 6, 5});
  v.graph.initializers["W"] = g.initializers["W"];
  v.graph.inputs.push_back(value("lo", DType::Float32, {}));
  v.graph.nodes = {make("Conv", {"X", "W"}, {"c"}), make("Max", {"c", "lo"}, {"Y"})};
  EXPECT_EQ(op_types(optimized(v)), (std::vector<std::string>{"Conv", "Max"}));
}

TEST(FuseHardSwish, DecomposedChainBecomesOneNodeThenJoinsTheConv) {
  // Paddle2ONNX's form after a Conv with a learnable affine block on each side:
  // Conv -> Mul(a [1,M,1,1]) -> Add(b) -> Add 3 -> Clip(0, 6) -> Mul(x, .) -> Div 6 -> Mul(c) -> Add(d).
  Model m = model_of({1, 3, 6, 7}, {1, 4, 6, 7});
  Graph& g = m.graph;
  g.initializers["W"] = random_f32({4, 3, 3, 3}, rng());
  g.initializers["B"] = random_f32({4}, rng());
  g.initializers["a"] = random_f32({1, 4, 1, 1}, rng(), 0.5f, 2.0f);
  g.initializers["b"] = scalar_f(0.3f, {1});
  g.initializers["three"] = scalar_f(3.0f);
  g.initializers["zero"] = scalar_f(0.0f);
  g.initializers["six"] = scalar_f(6.0f);
  g.initializers["c"] = scalar_f(0.7f, {1});
  g.initializers["d"] = scalar_f(-0.2f, {1});
  Node conv = make("Conv", {"X", "W", "B"}, {"y"});
  conv.attrs["pads"] = ints_attr({1, 1, 1, 1});
  g.nodes.push_back(conv);
  g.nodes.push_back(make("Mul", {"a", "y"}, {"ya"}));
  g.nodes.push_back(make("Add", {"ya", "b"}, {"x"}));
  g.nodes.push_back(make("Add", {"x", "three"}, {"x3"}));
  g.nodes.push_back(make("Clip", {"x3", "zero", "six"}, {"cl"}));
  g.nodes.push_back(make("Mul", {"x", "cl"}, {"p"}));
  g.nodes.push_back(make("Div", {"p", "six"}, {"h"}));
  g.nodes.push_back(make("Mul", {"c", "h"}, {"hc"}));
  g.nodes.push_back(make("Add", {"hc", "d"}, {"Y"}));
  const Model opt = optimized(m);
  ASSERT_EQ(op_types(opt), (std::vector<std::string>{"Conv"}));
  const Node& f = opt.graph.nodes[0];
  EXPECT_EQ(f.attr_s(kAttrFloatAct, ""), "HardSwish");
  EXPECT_EQ(f.attr_f(kAttrPostScale, 0), 0.7f);
  EXPECT_EQ(f.attr_f(kAttrPostShift, 0), -0.2f);
  const Tensor x = random_f32({1, 3, 6, 7}, rng(), -2.0f, 2.0f);
  expect_close(run(m, true, x), run(m, false, x), 2e-6f);

  // The same chain without the Conv: a HardSwish node of its own.
  Model h = model_of({2, 9}, {2, 9});
  h.graph.initializers = {{"three", scalar_f(3.0f)}, {"zero", scalar_f(0.0f)}, {"six", scalar_f(6.0f)}};
  h.graph.nodes = {make("Identity", {"X"}, {"x"}), make("Add", {"three", "x"}, {"x3"}),
                   make("Clip", {"x3", "zero", "six"}, {"cl"}), make("Mul", {"cl", "x"}, {"p"}),
                   make("Div", {"p", "six"}, {"Y"})};
  EXPECT_EQ(op_types(optimized(h)), (std::vector<std::string>{"HardSwish"}));
  const Tensor v = random_f32({2, 9}, rng(), -5.0f, 5.0f);
  expect_close(run(h, true, v), run(h, false, v), 1e-6f);

  // Clip to 0..5: not HardSwish.
  h.graph.initializers["five"] = scalar_f(5.0f);
  h.graph.nodes[2].inputs[2] = "five";
  EXPECT_EQ(op_types(optimized(h)), (std::vector<std::string>{"Add", "Clip", "Mul", "Div"}));
}

TEST(FoldConvScaleShift, OnlyPerChannelOrScalarConstants) {
  // Mul by [1, 1, 1, 5] varies along W: it stays (and, not being a scalar, is no epilogue).
  Model m = model_of({1, 2, 4, 5}, {1, 3, 4, 5});
  Graph& g = m.graph;
  g.initializers["W"] = random_f32({3, 2, 1, 1}, rng());
  g.initializers["s"] = random_f32({1, 1, 1, 5}, rng());
  g.nodes.push_back(make("Conv", {"X", "W"}, {"y"}));
  g.nodes.push_back(make("Mul", {"y", "s"}, {"Y"}));
  EXPECT_EQ(op_types(optimized(m)), (std::vector<std::string>{"Conv", "Mul"}));
  // Per output channel [3, 1, 1], then a scalar Add: folded into W and the bias.
  g.initializers["s"] = random_f32({3, 1, 1}, rng());
  g.initializers["t"] = scalar_f(0.5f);
  g.nodes[1].outputs = {"ys"};
  g.nodes.push_back(make("Add", {"ys", "t"}, {"Y"}));
  const Model opt = optimized(m);
  ASSERT_EQ(op_types(opt), (std::vector<std::string>{"Conv"}));
  EXPECT_EQ(opt.graph.nodes[0].attrs.count(kAttrPostScale), 0u) << "folded into the weights, not an epilogue";
  const Tensor x = random_f32({1, 2, 4, 5}, rng());
  expect_close(run(m, true, x), run(m, false, x), 1e-6f);
}

TEST(FoldConvScaleShift, ConvTransposeBiasAddThenBatchNorm) {
  // Paddle2ONNX's upsampling: ConvTranspose (no bias) -> Add(b [1, M, 1, 1]) -> BN.
  Model m = model_of({1, 4, 5, 5}, {1, 6, 10, 10});
  Graph& g = m.graph;
  g.initializers["W"] = random_f32({4, 3, 2, 2}, rng());
  g.initializers["b"] = random_f32({1, 6, 1, 1}, rng());
  Node t = make("ConvTranspose", {"X", "W"}, {"t"});
  t.attrs["group"] = int_attr(2);
  t.attrs["strides"] = ints_attr({2, 2});
  g.nodes.push_back(t);
  g.nodes.push_back(make("Add", {"t", "b"}, {"tb"}));
  add_bn(g, "tb", "Y", 6, "bn");
  const Model opt = optimized(m);
  EXPECT_EQ(op_types(opt), (std::vector<std::string>{"ConvTranspose"}));
  const Tensor x = random_f32({1, 4, 5, 5}, rng());
  expect_close(run(m, true, x), run(m, false, x), 1e-5f);
}
