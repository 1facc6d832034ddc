// Float Conv against a naive reference written here (plain loops over the ONNX
// definition, accumulated in double): every shape class the op dispatches on
// (depthwise 3x3 / 5x5 / other widths, 1x1 GEMM, tiled im2col, grouped, 1-D, 3-D)
// with odd sizes, strides, dilations and asymmetric pads; the fused epilogues
// (residual, activations) against the reference followed by the activation's formula;
// and bit-identical results on 1 and 4 threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <tuple>
#include <random>
#include <vector>

#include "graph/private_attrs.h"
#include "op_test_context.h"
#include "runtime/thread_pool.h"

using namespace qwasm;
using namespace qwasm::test;

namespace {

struct ConvCase {
  int64_t N = 1, C = 1, H = 1, W = 1, M = 1, KH = 1, KW = 1;
  int64_t SH = 1, SW = 1, DH = 1, DW = 1, PT = 0, PL = 0, PB = 0, PR = 0, group = 1;
  bool bias = true, one_d = false;
};

Tensor random_f32(const Shape& s, std::mt19937& rng) {
  Tensor t(DType::Float32, s);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  for (int64_t i = 0; i < t.size(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

int64_t out_dim(int64_t in, int64_t k, int64_t s, int64_t d, int64_t lo, int64_t hi) {
  return (in + lo + hi - ((k - 1) * d + 1)) / s + 1;
}

// y[n, m, oh, ow] = b[m] + sum_{c in group, kh, kw} x[n, c, ih, iw] * w[m, c - c0, kh, kw]
// with ih = oh*SH + kh*DH - PT (iw alike), terms outside the input skipped (zero padding).
// Also returns, per output, the sum of |terms| (the scale of its rounding error).
std::vector<double> reference(const ConvCase& c, const Tensor& x, const Tensor& w, const Tensor* b,
                              std::vector<double>& mag) {
  const int64_t OH = out_dim(c.H, c.KH, c.SH, c.DH, c.PT, c.PB), OW = out_dim(c.W, c.KW, c.SW, c.DW, c.PL, c.PR);
  const int64_t cg = c.C / c.group, mg = c.M / c.group;
  std::vector<double> y(size_t(c.N * c.M * OH * OW));
  mag.assign(y.size(), 0.0);
  const float* xp = x.data<float>();
  const float* wp = w.data<float>();
  for (int64_t n = 0; n < c.N; ++n)
    for (int64_t m = 0; m < c.M; ++m)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double acc = b ? b->data<float>()[m] : 0.0, a = std::fabs(acc);
          for (int64_t ci = 0; ci < cg; ++ci)
            for (int64_t kh = 0; kh < c.KH; ++kh)
              for (int64_t kw = 0; kw < c.KW; ++kw) {
                const int64_t ih = oh * c.SH + kh * c.DH - c.PT, iw = ow * c.SW + kw * c.DW - c.PL;
                if (ih < 0 || ih >= c.H || iw < 0 || iw >= c.W) continue;
                const int64_t cin = (m / mg) * cg + ci;
                const double t = double(xp[((n * c.C + cin) * c.H + ih) * c.W + iw]) *
                                 wp[((m * cg + ci) * c.KH + kh) * c.KW + kw];
                acc += t, a += std::fabs(t);
              }
          const size_t i = size_t(((n * c.M + m) * OH + oh) * OW + ow);
          y[i] = acc, mag[i] = a;
        }
  return y;
}

Node conv_node(const ConvCase& c, size_t inputs) {
  Node n = make_node("Conv", inputs, 17);
  if (c.one_d) {
    set_ints(n, "strides", {c.SW});
    set_ints(n, "dilations", {c.DW});
    set_ints(n, "pads", {c.PL, c.PR});
  } else {
    set_ints(n, "strides", {c.SH, c.SW});
    set_ints(n, "dilations", {c.DH, c.DW});
    set_ints(n, "pads", {c.PT, c.PL, c.PB, c.PR});
  }
  set_int(n, "group", c.group);
  return n;
}

struct Inputs {
  Tensor x, w, b;
};

Inputs inputs_of(const ConvCase& c, uint32_t seed) {
  std::mt19937 rng(seed);
  Inputs in;
  if (c.one_d) {
    in.x = random_f32({c.N, c.C, c.W}, rng);
    in.w = random_f32({c.M, c.C / c.group, c.KW}, rng);
  } else {
    in.x = random_f32({c.N, c.C, c.H, c.W}, rng);
    in.w = random_f32({c.M, c.C / c.group, c.KH, c.KW}, rng);
  }
  in.b = random_f32({c.M}, rng);
  return in;
}

class ThreadedContext : public TestContext {
 public:
  ThreadedContext(const Node& n, std::vector<const Tensor*> ins, Parallel& par) : TestContext(n, std::move(ins)), par_(par) {}
  Parallel& parallel() const override { return par_; }

 private:
  Parallel& par_;
};

Tensor run_conv(const Node& n, std::vector<const Tensor*> ins, Parallel& par) {
  auto k = build_kernel(n);
  ThreadedContext ctx(n, std::move(ins), par);
  k->compute(ctx);
  return ctx.outs_[0];
}

void expect_matches_reference(const ConvCase& c, uint32_t seed) {
  const Inputs in = inputs_of(c, seed);
  const Node n = conv_node(c, c.bias ? 3 : 2);
  std::vector<const Tensor*> ins = {&in.x, &in.w};
  if (c.bias) ins.push_back(&in.b);
  const Tensor y = run_conv(n, ins, serial());
  std::vector<double> mag;
  const std::vector<double> want = reference(c, in.x, in.w, c.bias ? &in.b : nullptr, mag);
  ASSERT_EQ(y.size(), int64_t(want.size()));
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(y.data<float>()[i], want[i], 2e-6 * mag[i] + 1e-7) << "element " << i;
  // The same bits on 4 threads.
  ThreadPool pool(4);
  PoolSlice four(&pool, 4);
  const Tensor y4 = run_conv(n, ins, four);
  ASSERT_EQ(y4.shape(), y.shape());
  for (int64_t i = 0; i < y.size(); ++i) ASSERT_EQ(y4.data<float>()[i], y.data<float>()[i]) << "element " << i;
  // W constant at build (an initializer): the kernel packs it once for the GEMM where the
  // GEMM kernel has a packed-A path (the wasm builds); the same bits as W given at run time.
  const Tensor yc = run_node_with_constants(n, ins, {1})[0];
  ASSERT_EQ(yc.shape(), y.shape());
  for (int64_t i = 0; i < y.size(); ++i)
    ASSERT_EQ(std::memcmp(yc.data<float>() + i, y.data<float>() + i, sizeof(float)), 0) << "element " << i;
}

ConvCase dw(int64_t C, int64_t H, int64_t W, int64_t K, int64_t S, int64_t P, int64_t mult = 1) {
  ConvCase c;
  c.C = C, c.H = H, c.W = W, c.M = C * mult, c.group = C, c.KH = c.KW = K, c.SH = c.SW = S;
  c.PT = c.PL = c.PB = c.PR = P;
  return c;
}

}  // namespace

TEST(ConvF32, DepthwiseMatchesReference) {
  expect_matches_reference(dw(5, 9, 11, 3, 1, 1), 1);
  expect_matches_reference(dw(4, 10, 13, 3, 2, 1), 2);
  expect_matches_reference(dw(3, 13, 17, 5, 2, 2), 3);
  expect_matches_reference(dw(6, 8, 9, 5, 1, 2), 4);
  expect_matches_reference(dw(3, 7, 7, 3, 1, 1, 2), 5);  // channel multiplier 2
  expect_matches_reference(dw(2, 9, 10, 4, 3, 0), 6);    // even width, stride 3, no padding
  ConvCase c = dw(3, 11, 12, 3, 2, 0);
  c.PT = 0, c.PL = 2, c.PB = 1, c.PR = 0, c.DH = 2, c.DW = 3, c.bias = false;  // asymmetric pads, dilations
  expect_matches_reference(c, 7);
  c = dw(64, 3, 70, 3, 1, 1);  // more channels than pieces
  expect_matches_reference(c, 8);
}

TEST(ConvF32, PointwiseMatchesReference) {
  ConvCase c;
  c.C = 7, c.H = 5, c.W = 9, c.M = 13;
  expect_matches_reference(c, 10);
  c.group = 1, c.N = 2, c.bias = false;
  expect_matches_reference(c, 11);
  c.C = 8, c.M = 6, c.group = 2, c.N = 1;  // grouped 1x1
  expect_matches_reference(c, 12);
  c = ConvCase();
  c.C = 6, c.H = 9, c.W = 7, c.M = 5, c.SH = c.SW = 2;  // 1x1 stride 2 goes through im2col
  expect_matches_reference(c, 13);
  c = ConvCase();
  c.C = 40, c.M = 20;  // a 1x1 plane (squeeze-excite)
  expect_matches_reference(c, 14);
}

TEST(ConvF32, TiledGemmMatchesReference) {
  ConvCase c;
  c.C = 3, c.H = 11, c.W = 13, c.M = 5, c.KH = c.KW = 3, c.PT = c.PL = c.PB = c.PR = 1;
  expect_matches_reference(c, 20);
  c.SH = 2, c.SW = 2;
  expect_matches_reference(c, 21);
  c.SH = 2, c.SW = 1, c.PT = 0, c.PL = 1, c.PB = 2, c.PR = 0, c.DH = 1, c.DW = 2;
  expect_matches_reference(c, 22);
  c = ConvCase();
  c.C = 8, c.H = 9, c.W = 10, c.M = 12, c.KH = c.KW = 3, c.group = 4, c.PT = c.PL = c.PB = c.PR = 1;  // grouped
  expect_matches_reference(c, 23);
  c = ConvCase();
  c.C = 16, c.H = 40, c.W = 33, c.M = 9, c.KH = c.KW = 3, c.PT = c.PL = c.PB = c.PR = 1;  // several row tiles
  expect_matches_reference(c, 24);
  c = ConvCase();
  c.C = 4, c.H = 7, c.W = 8, c.M = 3, c.KH = 3, c.KW = 1, c.SH = 3, c.PT = 2, c.PB = 2, c.N = 2;  // 3x1 kernel
  expect_matches_reference(c, 25);
  c = ConvCase();
  c.C = 2, c.H = 3, c.W = 4, c.M = 2, c.KH = c.KW = 3, c.PT = c.PL = c.PB = c.PR = 3;  // padding wider than the kernel reach
  expect_matches_reference(c, 26);
  // Stride 1 along H and W with OW == W: each tap's im2col row is one shifted copy of the
  // plane (conv_f32.cc flat_taps). openWakeWord's 1x3 (pads 0,1,0,1) and 3x1 shapes,
  // then asymmetric W pads (all left, all right), H dilation with top / bottom padding.
  c = ConvCase();
  c.C = 5, c.H = 9, c.W = 7, c.M = 6, c.KH = 1, c.KW = 3, c.PL = c.PR = 1;
  expect_matches_reference(c, 27);
  c = ConvCase();
  c.C = 5, c.H = 9, c.W = 7, c.M = 6, c.KH = 3, c.KW = 1;
  expect_matches_reference(c, 28);
  c = ConvCase();
  c.C = 3, c.H = 10, c.W = 6, c.M = 4, c.KH = 3, c.KW = 3, c.PT = 1, c.PB = 3, c.PL = 2, c.PR = 0, c.DH = 2;
  expect_matches_reference(c, 29);
  c.PL = 0, c.PR = 2, c.PT = 4, c.PB = 0, c.N = 2;  // the first output rows only padding
  expect_matches_reference(c, 33);
  c = ConvCase();
  c.C = 2, c.H = 3, c.W = 2, c.M = 3, c.KH = 1, c.KW = 5, c.PL = 4, c.PR = 0;  // taps beyond a whole row
  expect_matches_reference(c, 34);
}

TEST(ConvF32, OneDimensionalMatchesReference) {
  ConvCase c;
  c.one_d = true, c.C = 4, c.W = 19, c.M = 6, c.KW = 5, c.SW = 2, c.PL = 2, c.PR = 1, c.DW = 1;
  expect_matches_reference(c, 30);
  c.group = 2, c.DW = 2;
  expect_matches_reference(c, 31);
  c.group = 4, c.M = 4;  // depthwise 1-D
  expect_matches_reference(c, 32);
}

// A constant W whose first and last taps are zero in every output channel (an STFT with
// a window shorter than its frame, openWakeWord's melspectrogram): the Conv leaves those
// taps out of the product (ConvWeights::slot) and must give the same bits as with W given
// at run time, and match the reference; with an Inf in the input (0 * Inf is NaN) it must
// not leave them out.
TEST(ConvF32, ZeroTapsLeftOutGiveTheSameBits) {
  for (bool one_d : {true, false}) {
    ConvCase c;
    c.one_d = one_d, c.C = 2, c.H = one_d ? 1 : 3, c.W = 40, c.M = 7, c.KH = one_d ? 1 : 2, c.KW = 12, c.SW = 4;
    c.PL = 3, c.PR = 2;
    Inputs in = inputs_of(c, 50);
    const int64_t K = c.C * c.KH * c.KW;
    for (int64_t m = 0; m < c.M; ++m)
      for (int64_t k = 0; k < K; ++k)
        if (k % c.KW < 2 || k % c.KW >= c.KW - 3) in.w.data<float>()[m * K + k] = 0.0f;
    const Node n = conv_node(c, 3);
    std::vector<const Tensor*> ins = {&in.x, &in.w, &in.b};
    const Tensor y = run_conv(n, ins, serial());
    const Tensor yc = run_node_with_constants(n, ins, {1})[0];
    std::vector<double> mag;
    const std::vector<double> want = reference(c, in.x, in.w, &in.b, mag);
    ASSERT_EQ(yc.size(), int64_t(want.size()));
    for (int64_t i = 0; i < y.size(); ++i) {
      ASSERT_EQ(std::memcmp(yc.data<float>() + i, y.data<float>() + i, sizeof(float)), 0) << "element " << i;
      ASSERT_NEAR(yc.data<float>()[i], want[size_t(i)], 2e-6 * mag[size_t(i)] + 1e-7) << "element " << i;
    }
    // An Inf in the last input column, which only the last output column's tap 10 reads
    // (a zero tap): 0 * Inf is NaN there only if the taps are kept, as they must be.
    in.x.data<float>()[c.W - 1] = std::numeric_limits<float>::infinity();
    const Tensor z = run_conv(n, ins, serial());
    const Tensor zc = run_node_with_constants(n, ins, {1})[0];
    int nans = 0;
    for (int64_t i = 0; i < z.size(); ++i) {
      ASSERT_EQ(std::isnan(zc.data<float>()[i]), std::isnan(z.data<float>()[i])) << "element " << i;
      nans += std::isnan(z.data<float>()[i]);
      if (!std::isnan(z.data<float>()[i])) ASSERT_EQ(zc.data<float>()[i], z.data<float>()[i]) << "element " << i;
    }
    ASSERT_GT(nans, 0);
  }
}

TEST(ConvF32, ThreeDimensionalMatchesReference) {
  // x [1, 2, 3, 4, 5], w [3, 2, 2, 3, 3], stride 1, pads 1 on the last two dims:
  // checked against the 2-D reference summed over the depth taps.
  std::mt19937 rng(40);
  Tensor x = random_f32({1, 2, 3, 4, 5}, rng), w = random_f32({3, 2, 2, 3, 3}, rng);
  Node n = make_node("Conv", 2, 17);
  set_ints(n, "pads", {0, 1, 1, 0, 1, 1});
  const Tensor y = run_conv(n, {&x, &w}, serial());
  ASSERT_EQ(y.shape(), (Shape{1, 3, 2, 4, 5}));
  for (int64_t m = 0; m < 3; ++m)
    for (int64_t od = 0; od < 2; ++od)
      for (int64_t oh = 0; oh < 4; ++oh)
        for (int64_t ow = 0; ow < 5; ++ow) {
          double acc = 0, mag = 0;
          for (int64_t c = 0; c < 2; ++c)
            for (int64_t kd = 0; kd < 2; ++kd)
              for (int64_t kh = 0; kh < 3; ++kh)
                for (int64_t kw = 0; kw < 3; ++kw) {
                  const int64_t id = od + kd, ih = oh + kh - 1, iw = ow + kw - 1;
                  if (ih < 0 || ih >= 4 || iw < 0 || iw >= 5) continue;
                  const double t = double(x.data<float>()[(((c * 3) + id) * 4 + ih) * 5 + iw]) *
                                   w.data<float>()[(((m * 2 + c) * 2 + kd) * 3 + kh) * 3 + kw];
                  acc += t, mag += std::fabs(t);
                }
          ASSERT_NEAR(y.data<float>()[((m * 2 + od) * 4 + oh) * 5 + ow], acc, 2e-6 * mag + 1e-7);
        }
}

namespace {

// The activations by their ONNX definitions, in double.
double act_ref(const std::string& a, double v, double alpha, double beta) {
  if (a == "Relu") return v > 0 ? v : 0;
  if (a == "Clip") return std::min(std::max(v, alpha), beta);
  if (a == "HardSwish") return v * std::max(0.0, std::min(1.0, v / 6 + 0.5));
  if (a == "HardSigmoid") return std::max(0.0, std::min(1.0, alpha * v + beta));
  if (a == "Sigmoid") return 1 / (1 + std::exp(-v));
  if (a == "LeakyRelu") return v >= 0 ? v : alpha * v;
  return v;
}

}  // namespace

TEST(ConvF32, FusedEpilogueMatchesReferenceThenActivation) {
  const std::vector<std::tuple<std::string, float, float>> acts = {
      {"", 0, 0}, {"Relu", 0, 0}, {"Clip", -0.5f, 0.75f}, {"HardSwish", 0, 0},
      {"HardSigmoid", 0.3f, 0.4f}, {"Sigmoid", 0, 0}, {"LeakyRelu", 0.1f, 0}};
  const std::vector<ConvCase> shapes = {dw(4, 9, 10, 3, 2, 1), [] {
                                          ConvCase c;
                                          c.C = 5, c.H = 6, c.W = 7, c.M = 4;
                                          return c;
                                        }(), [] {
                                          ConvCase c;
                                          c.C = 3, c.H = 7, c.W = 6, c.M = 4, c.KH = c.KW = 3, c.PT = c.PL = c.PB = c.PR = 1;
                                          return c;
                                        }()};
  uint32_t seed = 50;
  for (const ConvCase& c : shapes)
    for (const auto& [act, alpha, beta] : acts)
      for (int with_res = 0; with_res < 2; ++with_res) {
        const Inputs in = inputs_of(c, seed++);
        Node n = conv_node(c, 3);
        if (!act.empty()) {
          set_str(n, kAttrFloatAct, act);
          set_float(n, kAttrFloatActAlpha, alpha);
          set_float(n, kAttrFloatActBeta, beta);
        }
        std::vector<double> mag;
        const std::vector<double> conv = reference(c, in.x, in.w, &in.b, mag);
        const int64_t OH = out_dim(c.H, c.KH, c.SH, c.DH, c.PT, c.PB), OW = out_dim(c.W, c.KW, c.SW, c.DW, c.PL, c.PR);
        std::mt19937 rng(seed++);
        const Tensor res = random_f32({c.N, c.M, OH, OW}, rng);
        std::vector<const Tensor*> ins = {&in.x, &in.w, &in.b};
        if (with_res) {
          n.inputs.push_back("x3");
          set_int(n, kAttrResidual, 1);
          ins.push_back(&res);
        }
        const Tensor y = run_conv(n, ins, serial());
        for (size_t i = 0; i < conv.size(); ++i) {
          const double pre = conv[i] + (with_res ? res.data<float>()[i] : 0.0);
          // The activations are Lipschitz <= 1 here (HardSwish: <= 1.5 on [-3, 3]).
          ASSERT_NEAR(y.data<float>()[i], act_ref(act, pre, alpha, beta), 3e-6 * (mag[i] + 1) + 1e-6)
              << act << " residual " << with_res << " element " << i;
        }
      }
}

TEST(ConvF32, FusedResidualBroadcasts) {
  // Conv output [1, 2, 3, 3] + residual [1, 2, 1, 1] (broadcast into the conv's shape),
  // and conv output [1, 2, 1, 1] + residual [1, 2, 2, 3] (the Add's shape is larger).
  ConvCase c;
  c.C = 2, c.H = 3, c.W = 3, c.M = 2;
  Inputs in = inputs_of(c, 60);
  const Tensor small = f32({1, 2, 1, 1}, {0.5f, -2.0f});
  Node n = conv_node(c, 4);
  set_int(n, kAttrResidual, 1);
  set_str(n, kAttrFloatAct, "Relu");
  Tensor y = run_conv(n, {&in.x, &in.w, &in.b, &small}, serial());
  std::vector<double> mag;
  std::vector<double> conv = reference(c, in.x, in.w, &in.b, mag);
  ASSERT_EQ(y.shape(), (Shape{1, 2, 3, 3}));
  for (size_t i = 0; i < conv.size(); ++i)
    ASSERT_NEAR(y.data<float>()[i], std::max(0.0, conv[i] + small.data<float>()[i / 9]), 1e-5);

  ConvCase p;
  p.C = 3, p.M = 2;  // 1x1 input plane
  in = inputs_of(p, 61);
  std::mt19937 rng(62);
  const Tensor big = random_f32({1, 2, 2, 3}, rng);
  n = conv_node(p, 4);
  set_int(n, kAttrResidual, 1);
  set_str(n, kAttrFloatAct, "Relu");
  y = run_conv(n, {&in.x, &in.w, &in.b, &big}, serial());
  conv = reference(p, in.x, in.w, &in.b, mag);
  ASSERT_EQ(y.shape(), (Shape{1, 2, 2, 3}));
  for (int64_t i = 0; i < 12; ++i)
    ASSERT_NEAR(y.data<float>()[i], std::max(0.0, conv[size_t(i / 6)] + big.data<float>()[i]), 1e-5);
}

TEST(ConvF32, UnknownFusedActivationIsAnError) {
  ConvCase c;
  const Inputs in = inputs_of(c, 70);
  Node n = conv_node(c, 3);
  set_str(n, kAttrFloatAct, "Swish");
  expect_error(n, {&in.x, &in.w, &in.b}, "unknown fused activation 'Swish'");
}

namespace {

// ConvTranspose by its definition: every input value x[c, ih, iw] times w[c, j, kh, kw]
// lands on output (oh, ow) = (ih*SH - PT + kh*DH, iw*SW - PL + kw*DW) of channel
// (c / cg) * mg + j when that lies inside the output.
std::vector<double> transpose_reference(const Tensor& x, const Tensor& w, int64_t group, const std::vector<int64_t>& st,
                                        const std::vector<int64_t>& dil, const std::vector<int64_t>& pads, int64_t OH,
                                        int64_t OW) {
  const int64_t C = x.dim(1), H = x.dim(2), W = x.dim(3), mg = w.dim(1), KH = w.dim(2), KW = w.dim(3);
  const int64_t cg = C / group, M = mg * group;
  std::vector<double> y(size_t(M * OH * OW), 0.0);
  for (int64_t c = 0; c < C; ++c)
    for (int64_t j = 0; j < mg; ++j)
      for (int64_t kh = 0; kh < KH; ++kh)
        for (int64_t kw = 0; kw < KW; ++kw)
          for (int64_t ih = 0; ih < H; ++ih)
            for (int64_t iw = 0; iw < W; ++iw) {
              const int64_t oh = ih * st[0] - pads[0] + kh * dil[0], ow = iw * st[1] - pads[1] + kw * dil[1];
              if (oh < 0 || oh >= OH || ow < 0 || ow >= OW) continue;
              const int64_t m = (c / cg) * mg + j;
              y[size_t((m * OH + oh) * OW + ow)] += double(x.data<float>()[(c * H + ih) * W + iw]) *
                                                    w.data<float>()[((c * mg + j) * KH + kh) * KW + kw];
            }
  return y;
}

}  // namespace

TEST(ConvTransposeF32, TwoDimensionalMatchesReference) {
  struct Case {
    Shape x, w;
    int64_t group;
    std::vector<int64_t> strides, dilations, pads;
  };
  const std::vector<Case> cases = {
      {{1, 3, 5, 6}, {3, 2, 2, 2}, 1, {2, 2}, {1, 1}, {0, 0, 0, 0}},   // the detector's 2x2 stride-2 upsampling
      {{1, 4, 4, 7}, {4, 3, 3, 3}, 2, {2, 3}, {1, 1}, {1, 0, 0, 2}},   // grouped, asymmetric pads
      {{1, 2, 5, 5}, {2, 2, 3, 2}, 1, {1, 2}, {2, 3}, {2, 1, 1, 1}},   // dilations
      {{1, 1, 3, 4}, {1, 1, 5, 5}, 1, {3, 1}, {1, 1}, {4, 2, 4, 2}},   // pads beyond the kernel's reach (rows)
  };
  uint32_t seed = 80;
  for (const Case& k : cases) {
    std::mt19937 rng(seed++);
    const Tensor x = random_f32(k.x, rng), w = random_f32(k.w, rng);
    Node n = make_node("ConvTranspose", 2, 17);
    set_int(n, "group", k.group);
    set_ints(n, "strides", k.strides);
    set_ints(n, "dilations", k.dilations);
    set_ints(n, "pads", k.pads);
    const Tensor y = run_conv(n, {&x, &w}, serial());
    const int64_t OH = k.strides[0] * (k.x[2] - 1) + (k.w[2] - 1) * k.dilations[0] + 1 - k.pads[0] - k.pads[2];
    const int64_t OW = k.strides[1] * (k.x[3] - 1) + (k.w[3] - 1) * k.dilations[1] + 1 - k.pads[1] - k.pads[3];
    ASSERT_EQ(y.shape(), (Shape{1, k.w[1] * k.group, OH, OW}));
    const std::vector<double> want = transpose_reference(x, w, k.group, k.strides, k.dilations, k.pads, OH, OW);
    for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(y.data<float>()[i], want[i], 1e-5) << "element " << i;
  }
}
