// The recurrent operators (RNN, GRU, LSTM): bad inputs the ONNX node tests never feed
// (each must be an Error naming the node) and what they do not cover: sequence_lens
// shorter than the sequence, reverse and bidirectional directions.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "op_test_context.h"
#include "ops/registry.h"

using namespace qwasm;
using qwasm::test::TestContext;
using qwasm::test::f32;
using qwasm::test::i32;
using qwasm::test::expect_error;

using qwasm::test::set_float;
using qwasm::test::set_floats;
using qwasm::test::set_int;
using qwasm::test::set_str;
using qwasm::test::set_strs;

namespace {

// Recurrent ops at opset 14 (layout attribute).
Node make_node(const std::string& op, size_t n_in, size_t n_out) { return test::make_node(op, n_in, 14, n_out); }
std::vector<Tensor> run(const Node& n, std::vector<const Tensor*> ins) { return test::run_node(n, std::move(ins)); }

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
struct BidirectionalLstmCase {
  Tensor x = f32({2, 2, 1}, {1.0f, -2.0f, 0.5f, 3.0f});
  Tensor w = f32({2, 4, 1}, {0.5f, -0.3f, 0.8f, 1.0f, 0.2f, 0.4f, -0.6f, 0.9f});
  Tensor r = f32({2, 4, 1}, {0.1f, 0.2f, 0.3f, 0.4f, -0.1f, 0.5f, 0.2f, -0.3f});
  Tensor lens = i32({2, 1});
  Node node() const {
    Node n = make_node("LSTM", 5, 3);
    set_str(n, "direction", "bidirectional");
    return n;
  }
  std::vector<const Tensor*> inputs() const { return {&x, &w, &r, nullptr, &lens}; }
};

TEST(Lstm, BidirectionalWithShortSequenceLens) {
  BidirectionalLstmCase c;
  auto out = run(c.node(), c.inputs());
  const float tol = 1e-6f;
  expect_values(out[0], {2, 2, 2, 1},
                {0.1878729872f, -0.1637447385f, 0.2644376583f, -0.1124391302f, 0.2481766285f, 0, 0.1198286406f, 0},
                tol);
  expect_values(out[1], {2, 2, 1}, {0.2481766285f, -0.1637447385f, 0.2644376583f, -0.1124391302f}, tol);
  expect_values(out[2], {2, 2, 1}, {0.5844378848f, -0.2592669476f, 0.4615997213f, -0.3799649364f}, tol);
}

// Several hidden units and inputs, so the build-time transposes of W [dirs, G, K] and
// R are real transposes (with one unit they are the same bytes): each op with W and R as
// initializers must give exactly the outputs of the same op with W and R as runtime
// inputs (the ONNX node tests check that path against their data). Same sums, same order.
TEST(Rnn, ConstantWeightsMatchRuntimeWeightsBitwise) {
  const int64_t seq = 3, batch = 2, input = 3, hidden = 4, dirs = 2;
  auto filled = [](const Shape& shape, float phase) {
    Tensor t(DType::Float32, shape);
    for (int64_t i = 0; i < t.size(); ++i) t.data<float>()[i] = 0.6f * std::sin(0.7f * float(i) + phase);
    return t;
  };
  struct Op {
    const char* type;
    int64_t gates;
    int lbr;
  };
  for (const Op& op : {Op{"LSTM", 4, 0}, Op{"GRU", 3, 0}, Op{"GRU", 3, 1}, Op{"RNN", 1, 0}}) {
    SCOPED_TRACE(std::string(op.type) + " linear_before_reset " + std::to_string(op.lbr));
    const int64_t G = op.gates * hidden;
    Tensor x = filled({seq, batch, input}, 0.1f), w = filled({dirs, G, input}, 0.5f), r = filled({dirs, G, hidden}, 1.3f);
    Tensor b = filled({dirs, 2 * G}, 2.1f), lens = i32({3, 2}), h0 = filled({dirs, batch, hidden}, 2.9f);
    Node n = make_node(op.type, 6, 2);
    set_str(n, "direction", "bidirectional");
    if (op.lbr) set_int(n, "linear_before_reset", 1);
    const std::vector<const Tensor*> ins = {&x, &w, &r, &b, &lens, &h0};
    const auto want = run(n, ins);
    const auto got = test::run_node_with_constants(n, ins, {1, 2});
    for (size_t o = 0; o < 2; ++o) {
      ASSERT_EQ(got[o].shape(), want[o].shape());
      for (int64_t i = 0; i < got[o].size(); ++i)
        EXPECT_EQ(got[o].data<float>()[i], want[o].data<float>()[i]) << "output " << o << " element " << i;
    }
  }
}

TEST(Lstm, ConstantWeightsGiveTheHandWorkedValues) {
  BidirectionalLstmCase c;
  auto out = test::run_node_with_constants(c.node(), c.inputs(), {1, 2});
  expect_values(out[1], {2, 2, 1}, {0.2481766285f, -0.1637447385f, 0.2644376583f, -0.1124391302f}, 1e-6f);
  expect_values(out[2], {2, 2, 1}, {0.5844378848f, -0.2592669476f, 0.4615997213f, -0.3799649364f}, 1e-6f);
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

// Every activation through a one-step RNN with W = 1 and R = 0, so Y = f(x) for
// x = -2, -0.5, 0.5, 2; values from python's math module, e.g. Elu: 0.8 * (math.exp(x) - 1).
TEST(Rnn, EachActivationWithItsAlphaAndBeta) {
  struct Case {
    const char* name;
    std::vector<float> alpha, beta, want;
  };
  const std::vector<Case> cases = {
      {"Sigmoid", {}, {}, {0.119202922f, 0.377540669f, 0.622459331f, 0.880797078f}},
      {"Tanh", {}, {}, {-0.964027580f, -0.462117157f, 0.462117157f, 0.964027580f}},
      {"Relu", {}, {}, {0, 0, 0.5f, 2}},
      {"Affine", {0.5f}, {0.25f}, {-0.75f, 0, 0.5f, 1.25f}},
      {"LeakyRelu", {0.1f}, {}, {-0.2f, -0.05f, 0.5f, 2}},
      {"ThresholdedRelu", {0.7f}, {}, {0, 0, 0, 2}},
      {"ScaledTanh", {2.0f}, {0.5f}, {-1.523188312f, -0.489837325f, 0.489837325f, 1.523188312f}},
      {"HardSigmoid", {0.3f}, {0.4f}, {0, 0.25f, 0.55f, 1}},
      {"Elu", {0.8f}, {}, {-0.691731773f, -0.314775472f, 0.5f, 2}},
      {"Softsign", {}, {}, {-0.666666667f, -0.333333333f, 0.333333333f, 0.666666667f}},
      {"Softplus", {}, {}, {0.126928011f, 0.474076984f, 0.974076984f, 2.126928011f}},
      // No alpha/beta given: onnxruntime's defaults (LeakyRelu 0.01, HardSigmoid 0.2/0.5), names in any case.
      {"leakyrelu", {}, {}, {-0.02f, -0.005f, 0.5f, 2}},
      {"HARDSIGMOID", {}, {}, {0.1f, 0.4f, 0.6f, 0.9f}},
  };
  Tensor x = f32({1, 4, 1}, {-2, -0.5f, 0.5f, 2}), w = f32({1, 1, 1}, {1}), r = f32({1, 1, 1}, {0});
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Node n = make_node("RNN", 3, 1);
    set_strs(n, "activations", {c.name});
    if (!c.alpha.empty()) set_floats(n, "activation_alpha", c.alpha);
    if (!c.beta.empty()) set_floats(n, "activation_beta", c.beta);
    auto out = run(n, {&x, &w, &r});
    expect_values(out[0], {1, 1, 4, 1}, c.want, 1e-6f);
  }
}

// Bidirectional GRU with bias, initial_h, sequence_lens = [3, 1] and parametrised forward
// activations (HardSigmoid 0.3/0.4, ScaledTanh 1.5/0.5: alpha and beta lists consumed in
// order) and default reverse ones. Values from this pure-python script:
//   import math; sig = lambda v: 1 / (1 + math.exp(-v))
//   clipf = lambda v, c: max(-c, min(c, v)) if c else v
//   acts = [lambda v: max(0., min(1., .3 * v + .4)), lambda v: 1.5 * math.tanh(.5 * v), sig, math.tanh]
//   W = [[.5, -.7, .9], [.3, .6, -.4]]; R = [[.2, -.5, .8], [-.3, .4, .6]]   # gates z, r, h
//   Bw = [[.1, 0, -.2], [.05, -.1, .2]]; Br = [[0, .3, .25], [.1, 0, -.15]]
//   X = [[1., -1.5], [2., 9.], [-.5, 9.]]; lens = [3, 1]; H0 = [[.4, -.2], [.1, .3]]   # X[t][b], H0[d][b]
//   def run(lbr, clip):
//     for d in range(2):
//       f, g = acts[2 * d], acts[2 * d + 1]
//       for b in range(2):
//         h = H0[d][b]
//         for t in (range(lens[b]) if d == 0 else range(lens[b] - 1, -1, -1)):
//           x = X[t][b]
//           z = f(clipf(W[d][0] * x + Bw[d][0] + R[d][0] * h + Br[d][0], clip))
//           r = f(clipf(W[d][1] * x + Bw[d][1] + R[d][1] * h + Br[d][1], clip))
//           if lbr: c = g(clipf(W[d][2] * x + Bw[d][2] + r * (R[d][2] * h + Br[d][2]), clip))
//           else: c = g(clipf(W[d][2] * x + Bw[d][2] + R[d][2] * (r * h) + Br[d][2], clip))
//           h = (1 - z) * c + z * h; Y[t][d][b] = h
//         Yh[d][b] = h
//   run(0, 0); run(1, 0.6)
struct GruCase {
  Tensor x = f32({3, 2, 1}, {1.0f, -1.5f, 2.0f, 9.0f, -0.5f, 9.0f});
  Tensor w = f32({2, 3, 1}, {0.5f, -0.7f, 0.9f, 0.3f, 0.6f, -0.4f});
  Tensor r = f32({2, 3, 1}, {0.2f, -0.5f, 0.8f, -0.3f, 0.4f, 0.6f});
  Tensor b = f32({2, 6}, {0.1f, 0, -0.2f, 0, 0.3f, 0.25f, 0.05f, -0.1f, 0.2f, 0.1f, 0, -0.15f});
  Tensor lens = i32({3, 1});
  Tensor h0 = f32({2, 2, 1}, {0.4f, -0.2f, 0.1f, 0.3f});
  Node node() const {
    Node n = make_node("GRU", 6, 2);
    set_str(n, "direction", "bidirectional");
    set_strs(n, "activations", {"HardSigmoid", "ScaledTanh", "Sigmoid", "Tanh"});
    set_floats(n, "activation_alpha", {0.3f, 1.5f});
    set_floats(n, "activation_beta", {0.4f, 0.5f});
    return n;
  }
  std::vector<Tensor> run_node(const Node& n) const { return run(n, {&x, &w, &r, &b, &lens, &h0}); }
};

TEST(Gru, BidirectionalResetBeforeTheProduct) {
  GruCase c;
  auto out = c.run_node(c.node());
  expect_values(out[0], {3, 2, 2, 1},
                {0.520840003f, -0.782964577f, -0.181277004f, 0.482536641f, 0.657295261f, 0, -0.070206657f, 0,
                 0.196246321f, 0, 0.185236241f, 0},
                1e-6f);
  expect_values(out[1], {2, 2, 1}, {0.196246321f, -0.782964577f, -0.181277004f, 0.482536641f}, 1e-6f);
}

TEST(Gru, BidirectionalLinearBeforeResetWithClip) {
  GruCase c;
  Node n = c.node();
  set_int(n, "linear_before_reset", 1);
  set_float(n, "clip", 0.6f);
  auto out = c.run_node(n);
  expect_values(out[0], {3, 2, 2, 1},
                {0.415526946f, -0.384835757f, -0.143088101f, 0.441348556f, 0.424532574f, 0, -0.044516270f, 0,
                 0.006528888f, 0, 0.225791735f, 0},
                1e-6f);
  expect_values(out[1], {2, 2, 1}, {0.006528888f, -0.384835757f, -0.143088101f, 0.441348556f}, 1e-6f);
}

// W and R as initializers: the kernel transposes them once at build and runs its GEMMs on
// the transposes; the hand-worked values above must not move.
TEST(Gru, ConstantWeightsGiveTheHandWorkedValues) {
  GruCase c;
  for (int lbr = 0; lbr < 2; ++lbr) {
    Node n = c.node();
    set_int(n, "linear_before_reset", lbr);
    const std::vector<const Tensor*> ins = {&c.x, &c.w, &c.r, &c.b, &c.lens, &c.h0};
    const auto want = run(n, ins);
    const auto got = test::run_node_with_constants(n, ins, {1, 2});
    ASSERT_EQ(got[0].size(), want[0].size());
    for (int64_t i = 0; i < got[0].size(); ++i) EXPECT_EQ(got[0].data<float>()[i], want[0].data<float>()[i]);
  }
}

TEST(Gru, BidirectionalNeedsFourActivationsNotTwo) {
  GruCase c;
  Node n = c.node();
  set_strs(n, "activations", {"Sigmoid", "Tanh"});
  expect_error(n, {&c.x, &c.w, &c.r}, "activations lists 2 functions, expected 4");
}

// Reverse LSTM, layout 1, input_forget (ft = 1 - it, so Pf is never read), peepholes,
// initial_h/initial_c and sequence_lens = [2, 1]. Values from this pure-python script:
//   import math; sig = lambda v: 1 / (1 + math.exp(-v))
//   W = [.5, -.3, .8, 1.]; R = [.1, .2, .3, .4]; P = [.25, -.5, .75]   # gates i, o, f, c; P i, o, f
//   X = [[1., -2.], [.5, 3.]]; lens = [2, 1]; H0 = [.2, -.1]; C0 = [.3, .6]   # X[b][t]
//   for b in range(2):
//     h, c = H0[b], C0[b]
//     for t in range(lens[b] - 1, -1, -1):
//       g = [W[k] * X[b][t] + R[k] * h for k in range(4)]
//       i = sig(g[0] + P[0] * c); c = (1 - i) * c + i * math.tanh(g[3])
//       h = sig(g[1] + P[1] * c) * math.tanh(c); Y[b][t] = h
TEST(Lstm, ReverseBatchFirstInputForgetWithPeepholes) {
  Node n = make_node("LSTM", 8, 3);
  set_str(n, "direction", "reverse");
  set_int(n, "layout", 1);
  set_int(n, "input_forget", 1);
  Tensor x = f32({2, 2, 1}, {1.0f, -2.0f, 0.5f, 3.0f});
  Tensor w = f32({1, 4, 1}, {0.5f, -0.3f, 0.8f, 1.0f}), r = f32({1, 4, 1}, {0.1f, 0.2f, 0.3f, 0.4f});
  Tensor lens = i32({2, 1}), h0 = f32({2, 1, 1}, {0.2f, -0.1f}), c0 = f32({2, 1, 1}, {0.3f, 0.6f});
  Tensor p = f32({1, 3}, {0.25f, -0.5f, 0.75f});
  auto out = run(n, {&x, &w, &r, nullptr, &lens, &h0, &c0, &p});
  expect_values(out[0], {2, 2, 1, 1}, {0.154049654f, -0.041181409f, 0.182898692f, 0}, 1e-6f);
  expect_values(out[1], {2, 1, 1}, {0.154049654f, 0.182898692f}, 1e-6f);
  expect_values(out[2], {2, 1, 1}, {0.442386033f, 0.498682155f}, 1e-6f);
}

TEST(Lstm, WrongPeepholeShapeIsAnErrorNamingTheNode) {
  Node n = make_node("LSTM", 8, 1);
  Tensor x(DType::Float32, {1, 1, 1}), w(DType::Float32, {1, 4, 1}), r(DType::Float32, {1, 4, 1});
  Tensor p(DType::Float32, {1, 4});
  expect_error(n, {&x, &w, &r, nullptr, nullptr, nullptr, nullptr, &p}, "P must be a float32 [1, 3]");
}

}  // namespace
