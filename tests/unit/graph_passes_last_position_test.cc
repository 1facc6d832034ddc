// last_position_outputs: a [batch, seq, n] output of a row-wise product computed for the
// last position only. Expected values: the products summed here in double (within float
// rounding), and the very bits of the last row of the unchanged graph's output.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "graph_test_util.h"
#include "runtime/executor.h"

using namespace qwasm;
using namespace qwasm::test;

namespace {

constexpr int64_t kB = 2, kS = 5, kK = 4, kN = 3;

// X [2, 5, 4] -> Identity -> x -> MatMul(x, W [4, 3]) -> h -> Identity -> logits [2, 5, 3].
Model lm_head_model(std::mt19937& rng) {
  Model m;
  m.opsets[""] = 17;
  Graph& g = m.graph;
  g.inputs = {value("X", DType::Float32, {kB, kS, kK})};
  g.outputs = {value("logits", DType::Float32, {kB, kS, kN})};
  g.initializers["W"] = random_f32({kK, kN}, rng);
  g.nodes.push_back(make("Identity", {"X"}, {"x"}));
  g.nodes.push_back(make("MatMul", {"x", "W"}, {"h"}));
  g.nodes.push_back(make("Identity", {"h"}, {"logits"}));
  return m;
}

TEST(LastPositionOutputs, TheLmHeadRunsOnTheLastPositionAndGivesItsRowOfTheFullProduct) {
  std::mt19937 rng(11);
  const Model full = lm_head_model(rng);
  const Tensor x = random_f32({kB, kS, kK}, rng);
  Model last = full;
  ASSERT_EQ(last_position_outputs(last, {"logits"}), 1);
  EXPECT_EQ(last.graph.outputs[0].dims[1].value, 1);
  const Tensor yf = Executor(full, true).run({{"X", x}}, {})[0];
  const Tensor yl = Executor(last, true).run({{"X", x}}, {})[0];
  ASSERT_EQ(yf.shape(), (Shape{kB, kS, kN}));
  ASSERT_EQ(yl.shape(), (Shape{kB, 1, kN}));
  const float* w = full.graph.initializers.at("W").data<float>();
  for (int64_t b = 0; b < kB; ++b)
    for (int64_t n = 0; n < kN; ++n) {
      double want = 0;
      for (int64_t k = 0; k < kK; ++k) want += double(x.data<float>()[(b * kS + kS - 1) * kK + k]) * w[k * kN + n];
      const float got = yl.data<float>()[b * kN + n], row = yf.data<float>()[(b * kS + kS - 1) * kN + n];
      EXPECT_NEAR(got, want, 1e-5) << "b " << b << " n " << n;
      EXPECT_EQ(std::memcmp(&got, &row, sizeof got), 0) << "b " << b << " n " << n << ": " << got << " vs " << row;
    }
}

TEST(LastPositionOutputs, OtherProducersAndNamesAreLeftAlone) {
  std::mt19937 rng(3);
  Model m = lm_head_model(rng);
  m.graph.nodes[2] = make("Relu", {"h"}, {"logits"});  // not a row-wise product
  Model before = m;
  EXPECT_EQ(last_position_outputs(m, {"logits"}), 0);
  EXPECT_EQ(op_types(m), op_types(before));
  Model n = lm_head_model(rng);
  EXPECT_EQ(last_position_outputs(n, {"not_an_output"}), 0);
  EXPECT_EQ(op_types(n), (std::vector<std::string>{"Identity", "MatMul", "Identity"}));
}

}  // namespace
