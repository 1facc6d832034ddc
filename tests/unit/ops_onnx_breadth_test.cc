// Operators added for onnxruntime-web breadth (TopK, ConvTranspose, ...): the bad
// inputs the ONNX node tests never feed (each must be an Error naming the node) and
// the cases they do not cover (grouped ConvTranspose), with hand-worked values.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "op_test_context.h"
#include "ops/registry.h"

using namespace qwasm;
using qwasm::test::TestContext;
using qwasm::test::f32;
using qwasm::test::i64;
using qwasm::test::expect_error;
using qwasm::test::build_kernel;
using qwasm::test::make_node;
using qwasm::test::set_float;
using qwasm::test::set_floats;
using qwasm::test::set_int;
using qwasm::test::set_ints;
using qwasm::test::set_str;
using qwasm::test::set_strs;

namespace {

std::vector<Tensor> run(const Node& n, std::vector<const Tensor*> ins) { return test::run_node(n, std::move(ins)); }

std::vector<float> values(const Tensor& t) { return {t.data<float>(), t.data<float>() + t.size()}; }

TEST(TopK, KLargerThanTheAxisIsAnErrorNamingTheNode) {
  Node n = make_node("TopK", 2, 11, 2);
  Tensor x = f32({2, 3}, {1, 2, 3, 4, 5, 6}), k = i64({4});
  expect_error(n, {&x, &k}, "K = 4");
}

TEST(TopK, ScalarInputIsAnErrorNamingTheNode) {
  Node n = make_node("TopK", 2, 11, 2);
  Tensor x(DType::Float32, {}), k = i64({1});
  x.data<float>()[0] = 1;
  expect_error(n, {&x, &k}, "rank >= 1");
}

TEST(TopK, TiesKeepTheLowerIndexFirst) {
  Node n = make_node("TopK", 2, 11, 2);
  Tensor x = f32({5}, {2, 7, 2, 7, 1}), k = i64({3});
  auto out = run(n, {&x, &k});
  EXPECT_EQ(values(out[0]), (std::vector<float>{7, 7, 2}));
  const int64_t* idx = out[1].data<int64_t>();
  EXPECT_EQ(std::vector<int64_t>(idx, idx + 3), (std::vector<int64_t>{1, 3, 0}));
}

TEST(ConvTranspose, WrongRankIsAnErrorNamingTheNode) {
  Node n = make_node("ConvTranspose", 2, 11);
  Tensor x = f32({1, 2}, {1, 2}), w = f32({1, 1, 2}, {1, 1});
  expect_error(n, {&x, &w}, "rank >= 3");
  Tensor x3 = f32({1, 1, 2}, {1, 2}), w4 = f32({1, 1, 1, 2}, {1, 1});
  expect_error(n, {&x3, &w4}, "same rank");
}

TEST(ConvTranspose, WeightChannelsNotMatchingTheInputIsAnError) {
  Node n = make_node("ConvTranspose", 2, 11);
  Tensor x = f32({1, 2, 2}, {1, 2, 3, 4}), w = f32({3, 1, 2}, {1, 1, 1, 1, 1, 1});
  expect_error(n, {&x, &w}, "input channels");
}

// x = [[1, 2], [3, 4]] (2 channels), w = [[1, 1]], [[1, -1]]: with group = 2 each
// channel is its own full correlation transpose: [1, 3, 2] and [3, 1, -4]; with
// group = 1 the same W means one output channel summing both: [4, 4, -2].
TEST(ConvTranspose, GroupsKeepChannelsApart) {
  Tensor x = f32({1, 2, 2}, {1, 2, 3, 4}), w = f32({2, 1, 2}, {1, 1, 1, -1});
  Node grouped = make_node("ConvTranspose", 2, 11);
  set_int(grouped, "group", 2);
  auto out = run(grouped, {&x, &w});
  EXPECT_EQ(out[0].shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(values(out[0]), (std::vector<float>{1, 3, 2, 3, 1, -4}));
  auto one = run(make_node("ConvTranspose", 2, 11), {&x, &w});
  EXPECT_EQ(one[0].shape(), (Shape{1, 1, 3}));
  EXPECT_EQ(values(one[0]), (std::vector<float>{4, 4, -2}));
}

}  // namespace

namespace {

// MaxPool-12 on int8: the maximum of {-5, -3, -128, -7} is -3, returned as int8.
TEST(MaxPool, Int8InputKeepsItsTypeAndSign) {
  Node n = make_node("MaxPool", 1, 12);
  n.attrs["kernel_shape"].kind = Attribute::Kind::Ints;
  n.attrs["kernel_shape"].ints = {2, 2};
  Tensor x(DType::Int8, {1, 1, 2, 2});
  const int8_t v[] = {-5, -3, -128, -7};
  std::copy(v, v + 4, x.data<int8_t>());
  auto out = run(n, {&x});
  ASSERT_EQ(out[0].dtype(), DType::Int8);
  EXPECT_EQ(out[0].shape(), (Shape{1, 1, 1, 1}));
  EXPECT_EQ(out[0].data<int8_t>()[0], -3);
}

// Float MaxPool against a per-window scalar reference (the window's first in-bounds value,
// then each later one that is larger: a NaN first in its window stays), over plain, strided,
// padded and ceil_mode geometries, with NaNs at a few places.
TEST(MaxPool, FloatMatchesWindowReference) {
  struct Case {
    int64_t H, W, KH, KW, SH, SW, PT, PL, PB, PR, ceil;
  };
  const Case cases[] = {{72, 32, 2, 2, 2, 2, 0, 0, 0, 0, 0}, {10, 9, 1, 2, 1, 2, 0, 0, 0, 0, 0},
                        {7, 8, 3, 3, 2, 2, 1, 1, 1, 1, 0}, {6, 7, 3, 2, 2, 3, 0, 1, 2, 0, 1},
                        {5, 5, 5, 5, 1, 1, 2, 2, 2, 2, 0}, {3, 4, 2, 2, 2, 2, 0, 0, 0, 0, 1},
                        // Width-2 windows at stride 2 off the first column and with a ragged
                        // end (the wasm builds' four-at-a-time path), 2 and 3 kernel rows.
                        {8, 21, 2, 2, 2, 2, 0, 1, 0, 1, 0}, {9, 26, 3, 2, 2, 2, 1, 0, 1, 0, 0}};
  for (const Case& c : cases) {
    Node n = make_node("MaxPool", 1, 12);
    auto ints = [&](const char* name, std::vector<int64_t> v) {
      n.attrs[name].kind = Attribute::Kind::Ints;
      n.attrs[name].ints = v;
    };
    ints("kernel_shape", {c.KH, c.KW});
    ints("strides", {c.SH, c.SW});
    ints("pads", {c.PT, c.PL, c.PB, c.PR});
    n.attrs["ceil_mode"].kind = Attribute::Kind::Int;
    n.attrs["ceil_mode"].i = c.ceil;
    Tensor x(DType::Float32, {1, 2, c.H, c.W});
    for (int64_t i = 0; i < x.size(); ++i) x.data<float>()[i] = float((i * 37) % 23) - 11.0f;
    x.data<float>()[0] = x.data<float>()[x.size() / 2 + 3] = std::nanf("");
    x.data<float>()[c.W + 5] = std::nanf("");  // a later value of some window
    const std::vector<Tensor> out = run(n, {&x});
    const int64_t OH = out[0].dim(2), OW = out[0].dim(3);
    for (int64_t p = 0; p < 2; ++p)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          float want = 0;
          bool any = false;
          for (int64_t kh = 0; kh < c.KH; ++kh)
            for (int64_t kw = 0; kw < c.KW; ++kw) {
              const int64_t ih = oh * c.SH - c.PT + kh, iw = ow * c.SW - c.PL + kw;
              if (ih < 0 || ih >= c.H || iw < 0 || iw >= c.W) continue;
              const float v = x.data<float>()[(p * c.H + ih) * c.W + iw];
              if (!any || v > want) want = v;
              any = true;
            }
          const float got = out[0].data<float>()[(p * OH + oh) * OW + ow];
          const std::string at = std::to_string(c.H) + "x" + std::to_string(c.W) + " at " + std::to_string(p) + "," +
                                 std::to_string(oh) + "," + std::to_string(ow);
          if (std::isnan(want)) EXPECT_TRUE(std::isnan(got)) << at;
          else EXPECT_EQ(got, want) << at;
        }
  }
}

}  // namespace

namespace {

// Implicit output: "ij,jk" sums j and keeps i, k in alphabetical order (a matmul):
// [[1, 2], [3, 4]] x [[5, 6], [7, 8]] = [[19, 22], [43, 50]].
TEST(Einsum, ImplicitOutputIsAMatMul) {
  Node n = make_node("Einsum", 2, 12);
  set_str(n, "equation", "ij,jk");
  Tensor a = f32({2, 2}, {1, 2, 3, 4}), b = f32({2, 2}, {5, 6, 7, 8});
  auto out = run(n, {&a, &b});
  EXPECT_EQ(out[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(values(out[0]), (std::vector<float>{19, 22, 43, 50}));
}

// "...i,i->..." with a [2, 1, 2] input broadcast: each row dotted with [1, -1].
TEST(Einsum, EllipsisKeepsLeadingDims) {
  Node n = make_node("Einsum", 2, 12);
  set_str(n, "equation", "...i,i->...");
  Tensor a = f32({2, 1, 2}, {5, 3, 1, 4}), b = f32({2}, {1, -1});
  auto out = run(n, {&a, &b});
  EXPECT_EQ(out[0].shape(), (Shape{2, 1}));
  EXPECT_EQ(values(out[0]), (std::vector<float>{2, -3}));
}

TEST(Einsum, TermNotMatchingTheRankIsAnErrorNamingTheNode) {
  Node n = make_node("Einsum", 1, 12);
  set_str(n, "equation", "ijk->i");
  Tensor a = f32({2, 2}, {1, 2, 3, 4});
  expect_error(n, {&a}, "rank");
}

// det [[2, 0, 1], [1, 3, 2], [1, 1, 1]] = 2*(3-2) - 0 + 1*(1-3) = 0; a swap-needing
// [[0, 1], [1, 0]] has det -1.
TEST(Det, HandWorkedDeterminants) {
  Node n = make_node("Det", 1, 11);
  Tensor a = f32({3, 3}, {2, 0, 1, 1, 3, 2, 1, 1, 1}), b = f32({2, 2}, {0, 1, 1, 0});
  EXPECT_FLOAT_EQ(run(n, {&a})[0].data<float>()[0], 0.0f);
  EXPECT_FLOAT_EQ(run(n, {&b})[0].data<float>()[0], -1.0f);
}

TEST(Det, NonSquareIsAnErrorNamingTheNode) {
  Node n = make_node("Det", 1, 11);
  Tensor a = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  expect_error(n, {&a}, "[..., M, M]");
}

}  // namespace

namespace {

TEST(NegativeLogLikelihoodLoss, TargetOutsideTheClassesIsAnErrorNamingTheNode) {
  Node n = make_node("NegativeLogLikelihoodLoss", 2, 13);
  Tensor x = f32({1, 2}, {-0.5f, -1.0f}), t = i64({2});
  expect_error(n, {&x, &t}, "target class 2");
}

// Mean reduction divides by the summed weights of the targets not ignored:
// targets {0, 1, 5 (ignored)} with weights {2, 3}: (2*0.5 + 3*1) / (2 + 3) = 0.8.
TEST(NegativeLogLikelihoodLoss, MeanDividesByTheWeightsOfKeptTargets) {
  Node n = make_node("NegativeLogLikelihoodLoss", 3, 13);
  set_int(n, "ignore_index", 5);
  Tensor x = f32({3, 2}, {-0.5f, -9, -9, -1, -9, -9}), t = i64({0, 1, 5}), w = f32({2}, {2, 3});
  EXPECT_FLOAT_EQ(run(n, {&x, &t, &w})[0].data<float>()[0], 0.8f);
}

}  // namespace

namespace {

TEST(NonMaxSuppression, BoxesNotOfFourCoordinatesIsAnErrorNamingTheNode) {
  Node n = make_node("NonMaxSuppression", 2, 11);
  Tensor boxes = f32({1, 1, 3}, {0, 0, 1}), scores = f32({1, 1, 1}, {0.5f});
  expect_error(n, {&boxes, &scores}, "[B, N, 4]");
}

// Two overlapping boxes (IoU 0.81 / 1.19 = 0.68 > 0.5) and one apart: the lower-scored
// overlapping box is suppressed; output rows are [batch, class, box] by score.
TEST(NonMaxSuppression, SuppressesTheLowerScoredOverlap) {
  Node n = make_node("NonMaxSuppression", 4, 11);
  Tensor boxes = f32({1, 3, 4}, {0, 0, 1, 1, 0.1f, 0.1f, 1.1f, 1.1f, 5, 5, 6, 6});
  Tensor scores = f32({1, 1, 3}, {0.6f, 0.9f, 0.3f}), max_out = i64({10}), iou = f32({1}, {0.5f});
  auto out = run(n, {&boxes, &scores, &max_out, &iou});
  ASSERT_EQ(out[0].shape(), (Shape{2, 3}));
  const int64_t* r = out[0].data<int64_t>();
  EXPECT_EQ(std::vector<int64_t>(r, r + 6), (std::vector<int64_t>{0, 0, 1, 0, 0, 2}));
}

TEST(RoiAlign, BatchIndexOutsideTheInputIsAnErrorNamingTheNode) {
  Node n = make_node("RoiAlign", 3, 16);
  Tensor x = f32({1, 1, 2, 2}, {1, 2, 3, 4}), rois = f32({1, 4}, {0, 0, 1, 1}), bi = i64({1});
  expect_error(n, {&x, &rois, &bi}, "batch index 1");
}

}  // namespace

namespace {

TEST(ReverseSequence, LengthBeyondTheTimeAxisIsAnErrorNamingTheNode) {
  Node n = make_node("ReverseSequence", 2, 10);
  Tensor x = f32({2, 2}, {1, 2, 3, 4}), lens = i64({3, 1});
  expect_error(n, {&x, &lens}, "sequence_lens[0] = 3");
}

// Unique without sorting keeps first-occurrence order: [2, 1, 2, 3, 1] -> [2, 1, 3],
// first indices [0, 1, 3], inverse [0, 1, 0, 2, 1], counts [2, 2, 1].
TEST(Unique, FirstOccurrenceOrderWithAllOutputs) {
  Node n = make_node("Unique", 1, 11, 4);
  set_int(n, "sorted", 0);
  Tensor x = f32({5}, {2, 1, 2, 3, 1});
  auto out = run(n, {&x});
  EXPECT_EQ(values(out[0]), (std::vector<float>{2, 1, 3}));
  auto ints = [](const Tensor& t) { return std::vector<int64_t>(t.data<int64_t>(), t.data<int64_t>() + t.size()); };
  EXPECT_EQ(ints(out[1]), (std::vector<int64_t>{0, 1, 3}));
  EXPECT_EQ(ints(out[2]), (std::vector<int64_t>{0, 1, 0, 2, 1}));
  EXPECT_EQ(ints(out[3]), (std::vector<int64_t>{2, 2, 1}));
}

}  // namespace
