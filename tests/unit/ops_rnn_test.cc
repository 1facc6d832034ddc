// The recurrent operators (RNN, GRU, LSTM): bad inputs the ONNX node tests never feed
// (each must be an Error naming the node) and what they do not cover: sequence_lens
// shorter than the sequence, reverse and bidirectional directions.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "op_test_context.h"
#include "ops/registry.h"

using namespace qwasm;
using qwasm::test::TestContext;

namespace {

Node make_node(const std::string& op, size_t n_in, size_t n_out) {
  Node n;
  n.op_type = op;
  n.name = "node_under_test";
  n.opset = 14;
  for (size_t i = 0; i < n_in; ++i) n.inputs.push_back("x" + std::to_string(i));
  for (size_t i = 0; i < n_out; ++i) n.outputs.push_back("y" + std::to_string(i));
  return n;
}

void set_int(Node& n, const std::string& name, int64_t v) {
  n.attrs[name].kind = Attribute::Kind::Int;
  n.attrs[name].i = v;
}

void set_str(Node& n, const std::string& name, const std::string& v) {
  n.attrs[name].kind = Attribute::Kind::String;
  n.attrs[name].s = v;
}

void set_strs(Node& n, const std::string& name, std::vector<std::string> v) {
  n.attrs[name].kind = Attribute::Kind::Strings;
  n.attrs[name].strings = std::move(v);
}

std::vector<Tensor> run(const Node& n, std::vector<const Tensor*> ins) {
  const OpFactory* f = OpRegistry::builtin().find(n.domain, n.op_type, n.opset);
  if (!f) fail("no kernel for ", n.op_type);
  BuildContext bc{n, [](const std::string&) -> const Tensor* { return nullptr; }};
  auto k = (*f)(bc);
  TestContext ctx(n, std::move(ins));
  k->compute(ctx);
  return ctx.outs_;
}

Tensor f32(const Shape& s, std::vector<float> v) {
  Tensor t(DType::Float32, s);
  std::copy(v.begin(), v.end(), t.data<float>());
  return t;
}

Tensor i32(std::vector<int32_t> v) {
  Tensor t(DType::Int32, {int64_t(v.size())});
  std::copy(v.begin(), v.end(), t.data<int32_t>());
  return t;
}

void expect_error(const Node& n, std::vector<const Tensor*> ins, const std::string& what) {
  try {
    run(n, std::move(ins));
    FAIL() << n.op_type << " accepted a bad input";
  } catch (const std::exception& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("node_under_test"), std::string::npos) << m;
    EXPECT_NE(m.find(what), std::string::npos) << m;
  }
}

void expect_values(const Tensor& t, const Shape& shape, const std::vector<float>& want, float tol = 0) {
  ASSERT_EQ(t.shape(), shape);
  ASSERT_EQ(size_t(t.size()), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(t.data<float>()[i], want[i], tol) << "element " << i;
}

TEST(Lstm, WrongWShapeIsAnErrorNamingTheNode) {
  Node n = make_node("LSTM", 3, 1);
  set_int(n, "hidden_size", 2);
  Tensor x(DType::Float32, {1, 1, 3}), w(DType::Float32, {1, 6, 3}), r(DType::Float32, {1, 8, 2});
  expect_error(n, {&x, &w, &r}, "W must be [1, 8, 3]");
}

TEST(Gru, UnknownActivationIsAnErrorNamingTheNode) {
  Node n = make_node("GRU", 3, 1);
  set_strs(n, "activations", {"Sigmoid", "Swish"});
  Tensor x(DType::Float32, {1, 1, 2}), w(DType::Float32, {1, 3, 2}), r(DType::Float32, {1, 3, 1});
  expect_error(n, {&x, &w, &r}, "unknown activation 'Swish'");
}

TEST(Rnn, BadDirectionIsAnErrorNamingTheNode) {
  Node n = make_node("RNN", 3, 1);
  set_str(n, "direction", "sideways");
  Tensor x(DType::Float32, {1, 1, 2}), w(DType::Float32, {1, 1, 2}), r(DType::Float32, {1, 1, 1});
  expect_error(n, {&x, &w, &r}, "unknown direction 'sideways'");
}

TEST(Rnn, BidirectionalNeedsTwoDirectionsOfWeights) {
  Node n = make_node("RNN", 3, 1);
  set_str(n, "direction", "bidirectional");
  Tensor x(DType::Float32, {1, 1, 2}), w(DType::Float32, {1, 1, 2}), r(DType::Float32, {1, 1, 1});
  expect_error(n, {&x, &w, &r}, "W must be [2, 1, 2]");
}

TEST(Rnn, SequenceLensLongerThanTheSequenceIsAnError) {
  Node n = make_node("RNN", 5, 1);
  Tensor x(DType::Float32, {2, 1, 1}), w = f32({1, 1, 1}, {1}), r = f32({1, 1, 1}, {1}), lens = i32({3});
  expect_error(n, {&x, &w, &r, nullptr, &lens}, "sequence_lens[0] = 3");
}

// Hand-worked: hidden = input = 1, W = 1, R = 0.5, Relu, reverse, batch row 1 is 2 steps
// long out of 3. Row 0 (x = 1, 2, 3) walks t = 2, 1, 0: h = 3, 2 + 1.5 = 3.5, 1 + 1.75 = 2.75.
// Row 1 (x = 4, 5) walks t = 1, 0: h = 5, 4 + 2.5 = 6.5; its Y at t = 2 stays 0 and its
// padding input (100) is never read.
TEST(Rnn, ReverseWithShortSequenceLens) {
  Node n = make_node("RNN", 5, 2);
  set_str(n, "direction", "reverse");
  set_strs(n, "activations", {"Relu"});
  set_int(n, "hidden_size", 1);
  Tensor x = f32({3, 2, 1}, {1, 4, 2, 5, 3, 100}), w = f32({1, 1, 1}, {1}), r = f32({1, 1, 1}, {0.5f});
  Tensor lens = i32({3, 2});
  auto out = run(n, {&x, &w, &r, nullptr, &lens});
  expect_values(out[0], {3, 1, 2, 1}, {2.75f, 6.5f, 3.5f, 5, 3, 0});
  expect_values(out[1], {1, 2, 1}, {2.75f, 6.5f});
}

// Layout 1 (batch first) of the same problem: X [batch, seq, input], Y [batch, seq, dirs, hidden].
TEST(Rnn, BatchFirstLayoutOfTheReverseCase) {
  Node n = make_node("RNN", 5, 2);
  set_str(n, "direction", "reverse");
  set_strs(n, "activations", {"Relu"});
  set_int(n, "layout", 1);
  Tensor x = f32({2, 3, 1}, {1, 2, 3, 4, 5, 100}), w = f32({1, 1, 1}, {1}), r = f32({1, 1, 1}, {0.5f});
  Tensor lens = i32({3, 2});
  auto out = run(n, {&x, &w, &r, nullptr, &lens});
  expect_values(out[0], {2, 3, 1, 1}, {2.75f, 3.5f, 3, 6.5f, 5, 0});
  expect_values(out[1], {2, 1, 1}, {2.75f, 6.5f});
}

// Bidirectional LSTM, hidden = input = 1, no bias, sequence_lens = [2, 1]; values from
// this pure-python script (default activations Sigmoid, Tanh, Tanh):
//   import math; sig = lambda v: 1 / (1 + math.exp(-v))
//   W = [[0.5, -0.3, 0.8, 1.0], [0.2, 0.4, -0.6, 0.9]]  # per direction, gates i, o, f, c
//   R = [[0.1, 0.2, 0.3, 0.4], [-0.1, 0.5, 0.2, -0.3]]
//   X = [[1.0, -2.0], [0.5, 3.0]]; lens = [2, 1]         # X[t][b]
//   for d in range(2):
//     for b in range(2):
//       h = c = 0.0
//       for t in (range(lens[b]) if d == 0 else range(lens[b] - 1, -1, -1)):
//         g = [W[d][k] * X[t][b] + R[d][k] * h for k in range(4)]
//         c = sig(g[2]) * c + sig(g[0]) * math.tanh(g[3]); h = sig(g[1]) * math.tanh(c)
//         Y[t][d][b] = h
//       Yh[d][b], Yc[d][b] = h, c
TEST(Lstm, BidirectionalWithShortSequenceLens) {
  Node n = make_node("LSTM", 5, 3);
  set_str(n, "direction", "bidirectional");
  Tensor x = f32({2, 2, 1}, {1.0f, -2.0f, 0.5f, 3.0f});
  Tensor w = f32({2, 4, 1}, {0.5f, -0.3f, 0.8f, 1.0f, 0.2f, 0.4f, -0.6f, 0.9f});
  Tensor r = f32({2, 4, 1}, {0.1f, 0.2f, 0.3f, 0.4f, -0.1f, 0.5f, 0.2f, -0.3f});
  Tensor lens = i32({2, 1});
  auto out = run(n, {&x, &w, &r, nullptr, &lens});
  const float tol = 1e-6f;
  expect_values(out[0], {2, 2, 2, 1},
                {0.1878729872f, -0.1637447385f, 0.2644376583f, -0.1124391302f, 0.2481766285f, 0, 0.1198286406f, 0},
                tol);
  expect_values(out[1], {2, 2, 1}, {0.2481766285f, -0.1637447385f, 0.2644376583f, -0.1124391302f}, tol);
  expect_values(out[2], {2, 2, 1}, {0.5844378848f, -0.2592669476f, 0.4615997213f, -0.3799649364f}, tol);
}

// Optional outputs: only Y_c wanted (Y and Y_h named ""), the others are never allocated.
TEST(Lstm, OnlyTheCellStateWanted) {
  Node n = make_node("LSTM", 3, 3);
  n.outputs[0] = n.outputs[1] = "";
  Tensor x = f32({1, 1, 1}, {1.0f}), w = f32({1, 4, 1}, {0.5f, -0.3f, 0.8f, 1.0f}), r(DType::Float32, {1, 4, 1});
  auto out = run(n, {&x, &w, &r});
  EXPECT_EQ(out[0].size(), 0);
  // c = sig(0.5) * tanh(1.0) with no previous cell: 0.6224593312 * 0.7615941560 = 0.4740613890.
  expect_values(out[2], {1, 1, 1}, {0.4740613890f}, 1e-6f);
}

}  // namespace
