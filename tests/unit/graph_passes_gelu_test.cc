// fuse_gelu: the exported erf GELU chain becomes one com.microsoft Gelu. The fused
// graph is compared with the unfused one (Executor(model, /*optimize=*/false)) and
// both with GELU computed in double from std::erf; patterns that differ in any
// constant, share an intermediate value or broadcast are checked to stay unfused.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "graph_test_util.h"
#include "runtime/executor.h"

using namespace qwasm;
using namespace qwasm::test;

namespace {

struct GeluChain {
  bool half_first = false;  // Mul(Mul(x, 0.5), a) instead of Mul(Mul(x, a), 0.5)
  bool mul_by_rsqrt2 = false;  // Mul(x, 1/sqrt 2) instead of Div(x, sqrt 2)
  bool swap = false;  // constants and x as the first operand where the op allows it
  float sqrt2 = 1.41421353816986083984375f, one = 1.0f, half = 0.5f;
  Shape half_shape = {};
};

// X -> Identity (so x is a node output, as in a model) -> the chain -> Y.
Model gelu_model(const GeluChain& o, const Shape& s) {
  Model m = chain_model(17, s);
  Graph& g = m.graph;
  auto pair = [&](const std::string& a, const std::string& b) { return operands(o.swap, a, b); };
  if (o.mul_by_rsqrt2) {
    g.initializers["c"] = scalar_f(0.707106769084930419921875f);
    g.nodes.push_back(make("Mul", pair("x", "c"), {"d"}));
  } else {
    g.initializers["c"] = scalar_f(o.sqrt2);
    g.nodes.push_back(make("Div", {"x", "c"}, {"d"}));
  }
  g.nodes.push_back(make("Erf", {"d"}, {"e"}));
  g.initializers["one"] = scalar_f(o.one);
  g.nodes.push_back(make("Add", pair("e", "one"), {"a"}));
  g.initializers["half"] = scalar_f(o.half, o.half_shape);
  if (o.half_first) {
    g.nodes.push_back(make("Mul", pair("x", "half"), {"h"}));
    g.nodes.push_back(make("Mul", pair("h", "a"), {"Y"}));
  } else {
    g.nodes.push_back(make("Mul", pair("x", "a"), {"m"}));
    g.nodes.push_back(make("Mul", pair("m", "half"), {"Y"}));
  }
  return m;
}

Tensor run(const Model& m, bool optimize, const Tensor& x) {
  Executor ex(m, optimize);
  return ex.run({{"X", x}}, {})[0];
}

// Inputs over the whole interesting range: the erf clamp at 3.92, both tails, 0.
Tensor gelu_input(const Shape& s, uint32_t seed) {
  std::mt19937 rng(seed);
  Tensor x = random_f32(s, rng, -6.0f, 6.0f);
  x.data<float>()[0] = 0.0f;
  return x;
}

// 0.5 x (1 + erf(x / sqrt 2)) in double. fast_erff is within 3.5e-7 of erf, which
// moves GELU by at most 0.5 |x| 3.5e-7; float rounding adds a few ulps of the result.
void expect_near_exact_gelu(const Tensor& x, const Tensor& y) {
  ASSERT_EQ(x.shape(), y.shape());
  for (int64_t i = 0; i < x.size(); ++i) {
    const double v = x.data<float>()[i], want = 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
    const double bound = 0.5 * std::fabs(v) * 3.5e-7 + 4.8e-7 * std::fabs(want) + 1e-30;
    ASSERT_LE(std::fabs(y.data<float>()[i] - want), bound) << "x = " << v;
  }
}

void expect_fused(const GeluChain& o, uint32_t seed) {
  const Shape s = {3, 257};
  const Model m = gelu_model(o, s);
  const Model f = optimized(m);
  ASSERT_EQ(op_types(f), (std::vector<std::string>{"Gelu"}));
  EXPECT_EQ(f.graph.nodes[0].domain, "com.microsoft");
  EXPECT_EQ(f.graph.nodes[0].inputs, std::vector<std::string>{"X"});
  EXPECT_EQ(f.graph.nodes[0].outputs, std::vector<std::string>{"Y"});
  const Tensor x = gelu_input(s, seed);
  const Tensor unfused = run(m, false, x), fused = run(m, true, x);
  expect_near_exact_gelu(x, unfused);
  expect_near_exact_gelu(x, fused);
  // So they are within the sum of those bounds of each other (the float erf's error is
  // not smooth: neighbouring inputs, x / sqrt 2 against x * (1/sqrt 2), may land on
  // errors of opposite sign).
  for (int64_t i = 0; i < x.size(); ++i) {
    const float v = x.data<float>()[i], u = unfused.data<float>()[i];
    ASSERT_NEAR(fused.data<float>()[i], u, 3.5e-7 * std::fabs(v) + 9.6e-7 * std::fabs(u) + 1e-30) << "x = " << v;
  }
}

TEST(GeluPass, DivErfAddMulMulAsPyTorchExportsIt) { expect_fused(GeluChain{}, 1); }

TEST(GeluPass, HalfFirstWithReciprocalSqrt2AndSwappedOperands) {
  GeluChain o;
  o.half_first = o.mul_by_rsqrt2 = o.swap = true;
  expect_fused(o, 2);
}

TEST(GeluPass, OneElementRank1ConstantsFuse) {
  GeluChain o;
  o.half_shape = {1};
  expect_fused(o, 3);
}

TEST(GeluPass, OtherConstantsOrSharedValuesStayUnfused) {
  const Shape s = {2, 5};
  const std::vector<std::string> chain = {"Div", "Erf", "Add", "Mul", "Mul"};
  GeluChain o;
  o.half = 0.6f;
  EXPECT_EQ(op_types(optimized(gelu_model(o, s))), chain);
  o = GeluChain{};
  o.one = 2.0f;
  EXPECT_EQ(op_types(optimized(gelu_model(o, s))), chain);
  o = GeluChain{};
  o.sqrt2 = 1.5f;
  EXPECT_EQ(op_types(optimized(gelu_model(o, s))), chain);
  o = GeluChain{};
  o.half_shape = {1, 1, 1};  // would broadcast [2, 5] up to rank 3
  EXPECT_EQ(op_types(optimized(gelu_model(o, s))), chain);

  Model seen = gelu_model(GeluChain{}, s);  // the caller reads erf's output
  seen.graph.outputs.push_back(value("e", DType::Float32, s));
  EXPECT_EQ(op_types(optimized(seen)), chain);
  Model shared = gelu_model(GeluChain{}, s);  // the 1 + erf term feeds another node
  shared.graph.nodes.push_back(make("Neg", {"a"}, {"n"}));
  shared.graph.outputs.push_back(value("n", DType::Float32, s));
  EXPECT_EQ(op_types(optimized(shared)), (std::vector<std::string>{"Div", "Erf", "Add", "Mul", "Mul", "Neg"}));
}

TEST(GeluPass, ContribGeluNodeRunsDirectly) {
  Model m;
  m.opsets[""] = 17, m.opsets["com.microsoft"] = 1;
  m.graph.inputs = {value("X", DType::Float32, {4, 33})};
  m.graph.outputs = {value("Y", DType::Float32, {4, 33})};
  m.graph.nodes.push_back(make_ms("Gelu", {"X"}, {"Y"}));
  const Tensor x = gelu_input({4, 33}, 4);
  expect_near_exact_gelu(x, run(m, false, x));
}

}  // namespace
