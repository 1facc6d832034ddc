// The ai.onnx.preview.training optimizers past their first step: the ONNX node tests
// all have T = 0, so the learning-rate decay (Adagrad), the bias correction and
// norm_coefficient_post (Adam) and beta (Momentum) are checked here on values worked
// by hand from the spec's formulas.
#include <gtest/gtest.h>

#include "op_test_context.h"

using namespace qwasm;
using namespace qwasm::test;

namespace {

Node optimizer(const std::string& op, size_t n_in, size_t n_out) {
  Node n = make_node(op, n_in, 1, n_out);
  n.domain = "ai.onnx.preview.training";
  return n;
}

Tensor scalar_f32(float v) { return f32({}, {v}); }

Tensor scalar_i64(int64_t v) {
  Tensor t(DType::Int64, {});
  t.data<int64_t>()[0] = v;
  return t;
}

Tensor f64(std::vector<double> v) { return tensor_of(DType::Float64, {int64_t(v.size())}, v); }

}  // namespace

TEST(TrainingOps, AdagradDecaysTheLearningRate) {
  // r = 0.1 / (1 + T * decay) = 0.05; h = 0.75 + 0.5^2 = 1; x = 1 - 0.05 * 0.5 / sqrt(1) = 0.975.
  Node n = optimizer("Adagrad", 5, 2);
  set_float(n, "decay_factor", 0.5f);
  set_float(n, "epsilon", 0.0f);
  Tensor r = scalar_f32(0.1f), t = scalar_i64(2), x = f32({1}, {1}), g = f32({1}, {0.5f}), h = f32({1}, {0.75f});
  auto y = run_node(n, {&r, &t, &x, &g, &h});
  EXPECT_FLOAT_EQ(y[0].data<float>()[0], 0.975f);
  EXPECT_FLOAT_EQ(y[1].data<float>()[0], 1.0f);
}

TEST(TrainingOps, AdamCorrectsBiasAfterTheFirstStepInDouble) {
  // v = 0.5*1 + 0.5*1 = 1; h = 0.75*0 + 0.25*1 = 0.25; r' = 0.1 * sqrt(1 - 0.75) / (1 - 0.5) = 0.1;
  // x = 2 - 0.1 * 1 / sqrt(0.25) = 1.8, times (1 - norm_coefficient_post) = 0.9.
  Node n = optimizer("Adam", 6, 3);
  set_float(n, "alpha", 0.5f);
  set_float(n, "beta", 0.75f);
  set_float(n, "epsilon", 0.0f);
  set_float(n, "norm_coefficient_post", 0.5f);
  Tensor r = scalar_f32(0.1f), t = scalar_i64(1), x = f64({2}), g = f64({1}), v = f64({1}), h = f64({0});
  auto y = run_node(n, {&r, &t, &x, &g, &v, &h});
  ASSERT_EQ(y[0].dtype(), DType::Float64);
  EXPECT_NEAR(y[0].data<double>()[0], 0.9, 1e-8);  // R is a float32 0.1
  EXPECT_DOUBLE_EQ(y[1].data<double>()[0], 1.0);
  EXPECT_DOUBLE_EQ(y[2].data<double>()[0], 0.25);
}

TEST(TrainingOps, MomentumStandardAndNesterov) {
  Tensor r = scalar_f32(0.1f), x = f32({1}, {1}), g = f32({1}, {2}), v = f32({1}, {4});
  for (const char* mode : {"standard", "nesterov"}) {
    Node n = optimizer("Momentum", 5, 2);
    set_float(n, "alpha", 0.5f);
    set_float(n, "beta", 0.25f);
    set_float(n, "norm_coefficient", 0.0f);
    set_str(n, "mode", mode);
    const bool nesterov = std::string(mode) == "nesterov";
    // T = 3: v = 0.5*4 + 0.25*2 = 2.5; standard x = 1 - 0.1*2.5, nesterov x = 1 - 0.1*(2 + 0.5*2.5).
    Tensor t = scalar_i64(3);
    auto y = run_node(n, {&r, &t, &x, &g, &v});
    EXPECT_FLOAT_EQ(y[1].data<float>()[0], 2.5f) << mode;
    EXPECT_FLOAT_EQ(y[0].data<float>()[0], nesterov ? 0.675f : 0.75f) << mode;
    // T = 0: beta counts as 1, v = 2 + 2 = 4; x = 1 - 0.1*4 and 1 - 0.1*(2 + 0.5*4) are both 0.6.
    Tensor t0 = scalar_i64(0);
    y = run_node(n, {&r, &t0, &x, &g, &v});
    EXPECT_FLOAT_EQ(y[1].data<float>()[0], 4.0f) << mode;
    EXPECT_FLOAT_EQ(y[0].data<float>()[0], 0.6f) << mode;
  }
}

TEST(TrainingOps, BadInputsNameTheNode) {
  Node m = optimizer("Momentum", 5, 2);
  set_float(m, "alpha", 0.5f);
  set_float(m, "beta", 0.5f);
  set_float(m, "norm_coefficient", 0.0f);
  Tensor r = scalar_f32(0.1f), t = scalar_i64(0), x = f32({2}, {1, 2}), g = f32({1}, {1}), v = f32({2}, {0, 0});
  expect_error(m, {&r, &t, &x, &x, &v}, "'mode'");
  set_str(m, "mode", "heavy_ball");
  expect_error(m, {&r, &t, &x, &x, &v}, "heavy_ball");
  set_str(m, "mode", "standard");
  expect_error(m, {&r, &t, &x, &g, &v}, "expected X's [2]");
  Node a = optimizer("Adagrad", 4, 2);  // not 2 + 3n inputs
  expect_error(a, {&r, &t, &x, &x}, "equally long lists");
  Tensor tf = scalar_f32(0);
  expect_error(optimizer("Adagrad", 5, 2), {&r, &tf, &x, &x, &x}, "int64");
}
