// com.microsoft transformer contrib ops on hand-worked examples (the comparison with
// onnxruntime-web over many variants is tests/js/contrib-ops.test.mjs): Attention's mask
// forms and causal mask, the additive attention bias, SkipLayerNormalization's outputs,
// EmbedLayerNormalization's mask_index, FusedMatMul's transposes, QuickGelu, BiasSoftmax
// broadcasting, and the errors bad shapes give.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "op_test_context.h"

using namespace qwasm;
using test::expect_error;
using test::f32;
using test::run_node;

namespace {

Node ms_node(const std::string& op, size_t n_in, size_t n_out = 1) {
  Node n = test::make_node(op, n_in, 1, n_out);
  n.domain = "com.microsoft";
  return n;
}

std::vector<float> values(const Tensor& t) { return std::vector<float>(t.data<float>(), t.data<float>() + t.size()); }

// One head of size 1 whose projection is q = k = v = x (weights [1, 3] of ones): the
// output for a query is the softmax(x_i * x_j)-weighted mean of the visible x_j.
struct TinyAttention {
  Node n = ms_node("Attention", 4);
  Tensor x = f32({1, 3, 1}, {1.0f, 2.0f, -1.0f});
  Tensor w = f32({1, 3}, {1, 1, 1});
  Tensor bias = f32({3}, {0, 0, 0});
  TinyAttention() { test::set_int(n, "num_heads", 1); }
  // The expected output of query i over keys `keys`.
  float expect(int i, std::vector<int> keys) const {
    const float* xv = x.data<float>();
    double num = 0, den = 0;
    for (int j : keys) {
      const double e = std::exp(double(xv[i]) * xv[j]);
      num += e * xv[j], den += e;
    }
    return float(num / den);
  }
};

TEST(ContribAttention, NoMaskAttendsToEveryKey) {
  TinyAttention t;
  const auto y = values(run_node(t.n, {&t.x, &t.w, &t.bias})[0]);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(y[size_t(i)], t.expect(i, {0, 1, 2}), 1e-6) << i;
}

TEST(ContribAttention, RightPaddingMaskIndex) {
  TinyAttention t;
  const Tensor mask = test::i32({2});  // keys 0 and 1 only
  const auto y = values(run_node(t.n, {&t.x, &t.w, &t.bias, &mask})[0]);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(y[size_t(i)], t.expect(i, {0, 1}), 1e-6) << i;
}

TEST(ContribAttention, StartEndMaskIndex) {
  TinyAttention t;
  const Tensor mask = test::i32({3, 1});  // end 3, start 1: keys 1 and 2
  const auto y = values(run_node(t.n, {&t.x, &t.w, &t.bias, &mask})[0]);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(y[size_t(i)], t.expect(i, {1, 2}), 1e-6) << i;
}

TEST(ContribAttention, RawMaskAndCausal) {
  TinyAttention t;
  test::set_int(t.n, "unidirectional", 1);
  const Tensor mask = test::tensor_of<int32_t>(DType::Int32, {1, 3}, {0, 1, 1});  // key 0 masked
  const auto y = values(run_node(t.n, {&t.x, &t.w, &t.bias, &mask})[0]);
  // Query 0 sees no key (key 0 padded, keys 1 and 2 in its future): every score gets
  // mask_filter_value, which cancels in the softmax, so it attends to all three.
  EXPECT_NEAR(y[0], t.expect(0, {0, 1, 2}), 1e-6);
  EXPECT_NEAR(y[1], t.expect(1, {1}), 1e-6);
  EXPECT_NEAR(y[2], t.expect(2, {1, 2}), 1e-6);
}

TEST(ContribAttention, AttentionBiasIsAdded) {
  TinyAttention t;
  t.n.inputs = {"x0", "x1", "x2", "", "", "x5"};
  // A bias of log(2) on key 2 doubles its weight.
  const Tensor ab = f32({1, 1, 3, 3}, {0, 0, std::log(2.0f), 0, 0, std::log(2.0f), 0, 0, std::log(2.0f)});
  const auto y = values(run_node(t.n, {&t.x, &t.w, &t.bias, nullptr, nullptr, &ab})[0]);
  const float* xv = t.x.data<float>();
  for (int i = 0; i < 3; ++i) {
    double num = 0, den = 0;
    for (int j = 0; j < 3; ++j) {
      const double e = std::exp(double(xv[i]) * xv[j]) * (j == 2 ? 2.0 : 1.0);
      num += e * xv[j], den += e;
    }
    EXPECT_NEAR(y[size_t(i)], num / den, 1e-6) << i;
  }
}

TEST(ContribAttention, BadShapesNameTheNode) {
  TinyAttention t;
  const Tensor mask4 = test::tensor_of<int32_t>(DType::Int32, {1, 1, 3, 3}, std::vector<int32_t>(9, 1));
  expect_error(t.n, {&t.x, &t.w, &t.bias, &mask4}, "mask_index shape");
  const Tensor w_bad = f32({2, 3}, {1, 1, 1, 1, 1, 1});
  expect_error(t.n, {&t.x, &w_bad, &t.bias}, "weights must be");
  const Tensor mask_f = f32({1}, {3});
  expect_error(t.n, {&t.x, &t.w, &t.bias, &mask_f}, "mask_index must be int32");
}

TEST(ContribNorm, SkipLayerNormOutputs) {
  Node n = ms_node("SkipLayerNormalization", 5, 4);
  test::set_float(n, "epsilon", 0.0f);
  const Tensor x = f32({1, 1, 4}, {1, 2, 3, 4}), skip = f32({1, 1, 4}, {1, 0, 1, 0});
  const Tensor g = f32({4}, {1, 1, 2, 2}), b = f32({4}, {0, 0, 0, 1}), bias = f32({4}, {0, 0, -2, 0});
  const auto outs = run_node(n, {&x, &skip, &g, &b, &bias});
  // sum = [2, 2, 2, 4]: mean 2.5, variance 0.75.
  EXPECT_EQ(values(outs[3]), std::vector<float>({2, 2, 2, 4}));
  const float inv = 1.0f / std::sqrt(0.75f);
  EXPECT_FLOAT_EQ(outs[1].data<float>()[0], 2.5f);
  EXPECT_FLOAT_EQ(outs[2].data<float>()[0], inv);
  EXPECT_EQ(outs[1].shape(), Shape({1, 1, 1}));
  const auto y = values(outs[0]);
  const float want[4] = {-0.5f * inv, -0.5f * inv, -1.0f * inv, 3.0f * inv + 1.0f};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(y[size_t(i)], want[i], 1e-6) << i;
  const Tensor skip_bad = f32({1, 1, 3}, {1, 2, 3});
  expect_error(n, {&x, &skip_bad, &g}, "skip shape");
}

TEST(ContribNorm, EmbedLayerNormCountsMaskOnes) {
  Node n = ms_node("EmbedLayerNormalization", 8, 2);
  const Tensor ids = test::tensor_of<int32_t>(DType::Int32, {2, 3}, {0, 1, 1, 1, 0, 0});
  const Tensor word = f32({2, 2}, {0, 1, 3, 5}), pos = f32({3, 2}, {0, 0, 1, 0, 0, 1});
  const Tensor g = f32({2}, {1, 1}), b = f32({2}, {0, 0});
  const Tensor mask = test::tensor_of<int32_t>(DType::Int32, {2, 3}, {1, 1, 0, 1, 0, 1});
  const auto outs = run_node(n, {&ids, nullptr, &word, &pos, nullptr, &g, &b, &mask});
  EXPECT_EQ(outs[1].data<int32_t>()[0], 2);
  EXPECT_EQ(outs[1].data<int32_t>()[1], 2);
  // Token (0, 0): word 0 + position 0 = [0, 1] -> normalised [-1, 1].
  EXPECT_NEAR(outs[0].data<float>()[0], -1.0f, 1e-5);
  EXPECT_NEAR(outs[0].data<float>()[1], 1.0f, 1e-5);
  const Tensor ids_bad = test::tensor_of<int32_t>(DType::Int32, {2, 3}, {0, 1, 7, 1, 0, 0});
  expect_error(n, {&ids_bad, nullptr, &word, &pos, nullptr, &g, &b}, "input id 7");
}

TEST(ContribMatMul, FusedMatMulTransposesAndScales) {
  Node n = ms_node("FusedMatMul", 2);
  test::set_int(n, "transA", 1);
  test::set_int(n, "transB", 1);
  test::set_float(n, "alpha", 0.5f);
  const Tensor a = f32({2, 2}, {1, 2, 3, 4});  // A^T = [[1, 3], [2, 4]]
  const Tensor b = f32({1, 2}, {1, 1});        // B^T = [[1], [1]]
  const auto y = values(run_node(n, {&a, &b})[0]);
  EXPECT_EQ(y, std::vector<float>({2.0f, 3.0f}));
  test::set_int(n, "transBatchA", 1);
  expect_error(n, {&a, &b}, "transBatchA");
}

TEST(ContribActivation, QuickGeluAndBiasSoftmax) {
  Node q = ms_node("QuickGelu", 1);
  const Tensor x = f32({2}, {1.0f, -2.0f});
  const auto y = values(run_node(q, {&x})[0]);
  EXPECT_NEAR(y[0], 1.0 / (1.0 + std::exp(-1.702)), 1e-6);
  EXPECT_NEAR(y[1], -2.0 / (1.0 + std::exp(2.0 * 1.702)), 1e-6);

  Node s = ms_node("BiasSoftmax", 2);
  test::set_int(s, "axis", 1);
  test::set_int(s, "is_inner_broadcast", 0);
  const Tensor d = f32({2, 2}, {0, 0, 1, 1});
  const Tensor bias = f32({2}, {0, std::log(3.0f)});  // repeated over rows: weights 1 : 3
  const auto p = values(run_node(s, {&d, &bias})[0]);
  for (int r = 0; r < 2; ++r) {
    EXPECT_NEAR(p[size_t(2 * r)], 0.25f, 1e-6);
    EXPECT_NEAR(p[size_t(2 * r + 1)], 0.75f, 1e-6);
  }
  const Tensor bias_bad = f32({3}, {0, 0, 0});
  expect_error(s, {&d, &bias_bad}, "node_under_test");
}

}  // namespace
