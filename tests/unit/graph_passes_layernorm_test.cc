// fuse_layernorm: layer normalization written out op by op (ReduceMean, Sub, Pow, ReduceMean,
// Add eps, Sqrt, Div, Mul gamma, Add beta) becomes one LayerNormalization. The fused and the
// unfused graph (Executor(model, /*optimize=*/false)) are both compared with the
// normalization computed in double here; patterns that differ in a constant, reduce another
// axis or share an intermediate value are checked to stay unfused.
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

struct LnChain {
  bool beta = true;      // the final Add(., beta)
  bool swap = false;     // gamma / beta / eps as the first operand
  float two = 2.0f;      // the Pow exponent
  std::vector<int64_t> axes = {-1};
};

const std::vector<std::string> kUnfused = {"ReduceMean", "Sub", "Pow", "ReduceMean", "Add",
                                           "Sqrt", "Div", "Mul", "Add"};
// The same chain left unfused with its exponent 2: the square then runs as Mul(d, d)
// (square_pow_to_mul, after this pass).
const std::vector<std::string> kUnfusedSquare = {"ReduceMean", "Sub", "Mul", "ReduceMean", "Add",
                                                 "Sqrt", "Div", "Mul", "Add"};

Node reduce_mean(const std::string& in, const std::string& out, const std::vector<int64_t>& axes) {
  Node n = make("ReduceMean", {in}, {out});
  n.attrs["axes"] = ints_attr(axes);
  return n;
}

// X -> Identity (x is a node output, as in a model) -> the chain -> Y; rows of 6.
Model ln_model(const LnChain& o, const Shape& s) {
  Model m = chain_model(13, s);
  Graph& g = m.graph;
  auto pair = [&](const std::string& a, const std::string& b) { return operands(o.swap, a, b); };
  const int64_t row = s.back();
  Tensor gamma(DType::Float32, {row}), beta(DType::Float32, {row});
  for (int64_t i = 0; i < row; ++i) gamma.data<float>()[i] = 0.5f + 0.25f * float(i), beta.data<float>()[i] = 0.1f * float(i) - 0.2f;
  g.initializers["gamma"] = gamma;
  g.initializers["beta"] = beta;
  g.initializers["two"] = scalar_f(o.two);
  g.initializers["eps"] = scalar_f(1e-5f);
  g.nodes.push_back(reduce_mean("x", "m", o.axes));
  g.nodes.push_back(make("Sub", {"x", "m"}, {"d"}));
  g.nodes.push_back(make("Pow", {"d", "two"}, {"p"}));
  g.nodes.push_back(reduce_mean("p", "v", o.axes));
  g.nodes.push_back(make("Add", pair("v", "eps"), {"ve"}));
  g.nodes.push_back(make("Sqrt", {"ve"}, {"s"}));
  g.nodes.push_back(make("Div", {"d", "s"}, {"n"}));
  g.nodes.push_back(make("Mul", pair("n", "gamma"), {o.beta ? "gn" : "Y"}));
  if (o.beta) g.nodes.push_back(make("Add", pair("gn", "beta"), {"Y"}));
  return m;
}

Tensor run(const Model& m, bool optimize, const Tensor& x) {
  Executor ex(m, optimize);
  return ex.run({{"X", x}}, {})[0];
}

// (x - mean) / sqrt(var + 1e-5) * gamma + beta per row, in double.
void expect_near_exact(const Tensor& x, const Tensor& y, bool beta) {
  ASSERT_EQ(x.shape(), y.shape());
  const int64_t row = x.shape().back();
  for (int64_t r = 0; r < x.size() / row; ++r) {
    const float* xr = x.data<float>() + r * row;
    double mean = 0, var = 0;
    for (int64_t i = 0; i < row; ++i) mean += xr[i];
    mean /= double(row);
    for (int64_t i = 0; i < row; ++i) var += (xr[i] - mean) * (xr[i] - mean);
    var /= double(row);
    for (int64_t i = 0; i < row; ++i) {
      const double want = (xr[i] - mean) / std::sqrt(var + 1e-5) * (0.5 + 0.25 * double(i)) +
                          (beta ? 0.1 * double(i) - 0.2 : 0.0);
      ASSERT_NEAR(y.data<float>()[r * row + i], want, 2e-6 * (1.0 + std::fabs(want))) << "row " << r << " i " << i;
    }
  }
}

void expect_fused(const LnChain& o, uint32_t seed) {
  const Shape s = {2, 3, 6};
  const Model m = ln_model(o, s);
  const Model f = optimized(m);
  ASSERT_EQ(op_types(f), (std::vector<std::string>{"LayerNormalization"}));
  const Node& ln = f.graph.nodes[0];
  EXPECT_EQ(ln.inputs, o.beta ? (std::vector<std::string>{"X", "gamma", "beta"}) : (std::vector<std::string>{"X", "gamma"}));
  EXPECT_EQ(ln.outputs, std::vector<std::string>{"Y"});
  EXPECT_EQ(ln.attr_i("axis", 0), -1);
  EXPECT_FLOAT_EQ(ln.attr_f("epsilon", 0), 1e-5f);
  std::mt19937 rng(seed);
  const Tensor x = random_f32(s, rng, -3.0f, 5.0f);
  expect_near_exact(x, run(m, false, x), o.beta);
  expect_near_exact(x, run(m, true, x), o.beta);
}

TEST(LayerNormPass, ChainAsPyTorchExportsIt) { expect_fused(LnChain{}, 1); }

TEST(LayerNormPass, SwappedOperandsAndNoBias) {
  LnChain o;
  o.swap = true;
  o.beta = false;
  expect_fused(o, 2);
}

TEST(LayerNormPass, OtherConstantsAxesOrSharedValuesStayUnfused) {
  const Shape s = {2, 6};
  LnChain o;
  o.two = 3.0f;
  EXPECT_EQ(op_types(optimized(ln_model(o, s))), kUnfused);
  o = LnChain{};
  o.axes = {0};
  EXPECT_EQ(op_types(optimized(ln_model(o, s))), kUnfusedSquare);

  Model seen = ln_model(LnChain{}, s);  // the caller reads the variance
  seen.graph.outputs.push_back(value("v", DType::Float32, {2, 1}));
  EXPECT_EQ(op_types(optimized(seen)), kUnfusedSquare);
  Model shared = ln_model(LnChain{}, s);  // the centred x feeds another node too
  shared.graph.nodes.push_back(make("Neg", {"d"}, {"nd"}));
  shared.graph.outputs.push_back(value("nd", DType::Float32, s));
  std::vector<std::string> with_neg = kUnfusedSquare;
  with_neg.push_back("Neg");
  EXPECT_EQ(op_types(optimized(shared)), with_neg);
}

}  // namespace
