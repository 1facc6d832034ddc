// square_pow_to_mul: Pow(x, constant 2) runs as Mul(x, x). Expected values are the
// float products x * x computed here (the correctly rounded square); exponents that are
// not exactly a one-element 2 must keep their Pow.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "graph_test_util.h"
#include "runtime/executor.h"

using namespace qwasm;
using namespace qwasm::test;

namespace {

template <typename T>
Tensor scalar_of(DType dt, T v, const Shape& s = {}) {
  Tensor t(dt, s);
  for (int64_t i = 0; i < t.size(); ++i) t.data<T>()[i] = v;
  return t;
}

Model pow_model(Tensor exponent) {
  Model m = chain_model(17, {3, 5});
  m.graph.initializers["e"] = std::move(exponent);
  m.graph.nodes.push_back(make("Pow", {"x", "e"}, {"Y"}));
  return m;
}

TEST(SquarePowToMul, EveryExponentTypeOfTwoBecomesMulOfTheBaseByItself) {
  std::mt19937 rng(7);
  const Tensor x = random_f32({3, 5}, rng, -40.0f, 40.0f);
  for (Tensor e : {scalar_of(DType::Float32, 2.0f), scalar_of(DType::Float64, 2.0), scalar_of(DType::Int64, int64_t(2)),
                   scalar_of(DType::Int32, int32_t(2)), scalar_of(DType::Float32, 2.0f, {1})}) {
    SCOPED_TRACE(dtype_name(e.dtype()));
    const Model m = pow_model(e);
    const Model f = optimized(m);
    ASSERT_EQ(op_types(f), (std::vector<std::string>{"Mul"}));
    EXPECT_EQ(f.graph.nodes[0].inputs, (std::vector<std::string>{"X", "X"}));
    Executor ex(m, true);
    const Tensor y = ex.run({{"X", x}}, {})[0];
    ASSERT_EQ(y.shape(), x.shape());
    for (int64_t i = 0; i < x.size(); ++i) {
      const float v = x.data<float>()[i];
      EXPECT_EQ(y.data<float>()[i], v * v) << "element " << i;
    }
  }
}

TEST(SquarePowToMul, OtherExponentsKeepTheirPow) {
  for (Tensor e : {scalar_of(DType::Float32, 2.5f), scalar_of(DType::Float32, 3.0f),
                   scalar_of(DType::Float32, 2.0f, {2}), scalar_of(DType::Float32, 2.0f, {1, 1})}) {
    EXPECT_EQ(op_types(optimized(pow_model(e))), (std::vector<std::string>{"Pow"}));
  }
  // An exponent fed at run time is not a constant.
  Model m = chain_model(17, {3, 5});
  m.graph.inputs.push_back(value("E", DType::Float32, {}));
  m.graph.nodes.push_back(make("Pow", {"x", "E"}, {"Y"}));
  EXPECT_EQ(op_types(optimized(m)), (std::vector<std::string>{"Pow"}));
}

}  // namespace
