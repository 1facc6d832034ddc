// Random ops (ops/nn_random.cc): the ONNX node tests hold numpy's draws, which no other
// generator repeats, so these check what the spec fixes instead: shape and type from
// attributes or input, the range, the mean / spread / frequencies within 6 standard
// errors, repeatability for a seed, and training-mode Dropout's scaling and mask.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "graph/float16.h"
#include "op_test_context.h"

using namespace qwasm;
using namespace qwasm::test;

namespace {

constexpr int64_t kDraws = 20000;

std::vector<double> values(const Tensor& t) {
  std::vector<double> v(size_t(t.size()));
  for (int64_t i = 0; i < t.size(); ++i) v[size_t(i)] = t.get_f64(i);
  return v;
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / double(v.size());
}

double stddev_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / double(v.size() - 1));
}

Node generator(const std::string& op, float seed) {
  Node n = make_node(op, 0, 21);
  set_ints(n, "shape", {4, kDraws / 4});
  set_float(n, "seed", seed);
  return n;
}

Tensor scalar_f32(float v) {
  Tensor t(DType::Float32, {});
  t.data<float>()[0] = v;
  return t;
}

Tensor scalar_bool(bool v) {
  Tensor t(DType::Bool, {});
  static_cast<uint8_t*>(t.raw())[0] = v;
  return t;
}

}  // namespace

TEST(RandomOps, RandomUniformRangeMeanAndSeed) {
  Node n = generator("RandomUniform", 3.0f);
  set_float(n, "low", -2.0f);
  set_float(n, "high", 6.0f);
  auto y = run_node(n, {});
  ASSERT_EQ(y[0].dtype(), DType::Float32);
  ASSERT_EQ(y[0].shape(), (Shape{4, kDraws / 4}));
  const auto v = values(y[0]);
  for (double x : v) ASSERT_TRUE(x >= -2.0 && x < 6.0) << x;
  // U[-2, 6): mean 2, standard deviation 8 / sqrt(12).
  const double sd = 8.0 / std::sqrt(12.0);
  EXPECT_NEAR(mean_of(v), 2.0, 6 * sd / std::sqrt(double(kDraws)));
  EXPECT_NEAR(stddev_of(v), sd, 0.05 * sd);
  // The same seed in a new kernel repeats the draw; another seed does not.
  auto again = run_node(n, {});
  EXPECT_EQ(std::memcmp(again[0].raw(), y[0].raw(), y[0].bytes()), 0);
  auto other = run_node(generator("RandomUniform", 4.0f), {});
  EXPECT_NE(std::memcmp(other[0].raw(), y[0].raw(), y[0].bytes()), 0);
}

TEST(RandomOps, RandomNormalMeanScaleAndDtype) {
  Node n = generator("RandomNormal", 11.0f);
  set_float(n, "mean", 5.0f);
  set_float(n, "scale", 0.5f);
  set_int(n, "dtype", int64_t(DType::Float64));
  auto y = run_node(n, {});
  ASSERT_EQ(y[0].dtype(), DType::Float64);
  const auto v = values(y[0]);
  EXPECT_NEAR(mean_of(v), 5.0, 6 * 0.5 / std::sqrt(double(kDraws)));
  EXPECT_NEAR(stddev_of(v), 0.5, 0.025);
  // About 68.3% within one scale of the mean (binomial standard error ~0.33%).
  int64_t inside = 0;
  for (double x : v) inside += std::fabs(x - 5.0) < 0.5;
  EXPECT_NEAR(double(inside) / double(kDraws), 0.6827, 0.02);
  // A kernel keeps its generator: a second run continues the sequence.
  auto k = build_kernel(n);
  TestContext c1(n, {}), c2(n, {});
  k->compute(c1);
  k->compute(c2);
  EXPECT_NE(std::memcmp(c1.outs_[0].raw(), c2.outs_[0].raw(), c1.outs_[0].bytes()), 0);
  EXPECT_EQ(std::memcmp(c1.outs_[0].raw(), y[0].raw(), y[0].bytes()), 0);
}

TEST(RandomOps, LikeFormsTakeShapeAndTypeFromTheInput) {
  Tensor x(DType::Float16, {3, 5});
  Node n = make_node("RandomNormalLike", 1, 21);
  set_float(n, "seed", 1.0f);
  auto y = run_node(n, {&x});
  EXPECT_EQ(y[0].dtype(), DType::Float16);
  EXPECT_EQ(y[0].shape(), (Shape{3, 5}));
  Node u = make_node("RandomUniformLike", 1, 21);
  set_int(u, "dtype", int64_t(DType::BFloat16));
  set_float(u, "high", 2.0f);
  Tensor xi = i64({1, 2, 3, 4, 5, 6, 7, 8});
  y = run_node(u, {&xi});
  EXPECT_EQ(y[0].dtype(), DType::BFloat16);
  for (double v : values(y[0])) EXPECT_TRUE(v >= 0.0 && v <= 2.0) << v;  // bf16 rounding may reach 2
  // An integer input without a float dtype has no output type the op allows.
  Node bad = make_node("RandomUniformLike", 1, 21);
  expect_error(bad, {&xi}, "int64");
}

TEST(RandomOps, GeneratorsRefuseBadAttributes) {
  Node n = make_node("RandomUniform", 0, 21);
  expect_error(n, {}, "'shape'");
  set_ints(n, "shape", {2, -1});
  expect_error(n, {}, "negative dimension");
  set_ints(n, "shape", {2});
  set_int(n, "dtype", int64_t(DType::Int32));
  expect_error(n, {}, "int32");
}

TEST(RandomOps, BernoulliFrequenciesAndTypes) {
  Tensor p(DType::Float32, {3, kDraws});
  for (int64_t i = 0; i < kDraws; ++i) {
    p.data<float>()[i] = 0.0f;
    p.data<float>()[kDraws + i] = 1.0f;
    p.data<float>()[2 * kDraws + i] = 0.3f;
  }
  Node n = make_node("Bernoulli", 1, 15);
  set_float(n, "seed", 7.0f);
  auto y = run_node(n, {&p});
  ASSERT_EQ(y[0].dtype(), DType::Float32);
  ASSERT_EQ(y[0].shape(), p.shape());
  const auto v = values(y[0]);
  double ones = 0;
  for (int64_t i = 0; i < kDraws; ++i) {
    ASSERT_EQ(v[size_t(i)], 0.0);
    ASSERT_EQ(v[size_t(kDraws + i)], 1.0);
    const double b = v[size_t(2 * kDraws + i)];
    ASSERT_TRUE(b == 0.0 || b == 1.0);
    ones += b;
  }
  EXPECT_NEAR(ones / double(kDraws), 0.3, 6 * std::sqrt(0.3 * 0.7 / double(kDraws)));
  set_int(n, "dtype", int64_t(DType::Bool));
  y = run_node(n, {&p});
  EXPECT_EQ(y[0].dtype(), DType::Bool);
  EXPECT_EQ(y[0].get_i64(kDraws), 1);
  Tensor ints = i64({1, 0});
  expect_error(make_node("Bernoulli", 1, 15), {&ints}, "float");
}

TEST(RandomOps, MultinomialSamplesSoftmaxOfEachRow) {
  // Row 0: log(0.2), log(0.8) (unnormalized: + 3); row 1: one class far above the other.
  Tensor x = f32({2, 2}, {std::log(0.2f) + 3, std::log(0.8f) + 3, 0.0f, -100.0f});
  Node n = make_node("Multinomial", 1, 7);
  set_int(n, "sample_size", kDraws);
  set_float(n, "seed", 2.0f);
  auto y = run_node(n, {&x});
  ASSERT_EQ(y[0].dtype(), DType::Int32);
  ASSERT_EQ(y[0].shape(), (Shape{2, kDraws}));
  double ones = 0;
  for (int64_t s = 0; s < kDraws; ++s) {
    const int32_t c = y[0].data<int32_t>()[s];
    ASSERT_TRUE(c == 0 || c == 1);
    ones += c;
    ASSERT_EQ(y[0].data<int32_t>()[kDraws + s], 0);
  }
  EXPECT_NEAR(ones / double(kDraws), 0.8, 6 * std::sqrt(0.8 * 0.2 / double(kDraws)));
  set_int(n, "dtype", int64_t(DType::Int64));
  EXPECT_EQ(run_node(n, {&x})[0].dtype(), DType::Int64);
  set_int(n, "dtype", int64_t(DType::Float32));
  expect_error(n, {&x}, "'dtype'");
  Node flat = make_node("Multinomial", 1, 7);
  Tensor x1 = f32({2}, {0, 0});
  expect_error(flat, {&x1}, "[batch, classes]");
}

TEST(RandomOps, TrainingDropoutDropsRatioAndScalesTheRest) {
  Tensor x(DType::Float32, {kDraws});
  for (int64_t i = 0; i < kDraws; ++i) x.data<float>()[i] = float(i % 7) + 1.0f;
  Tensor ratio = scalar_f32(0.25f), train = scalar_bool(true);
  Node n = make_node("Dropout", 3, 13, 2);
  set_float(n, "seed", 5.0f);
  auto y = run_node(n, {&x, &ratio, &train});
  ASSERT_EQ(y[0].dtype(), DType::Float32);
  ASSERT_EQ(y[1].dtype(), DType::Bool);
  ASSERT_EQ(y[1].shape(), x.shape());
  double dropped = 0;
  for (int64_t i = 0; i < kDraws; ++i) {
    const bool kept = y[1].get_i64(i) != 0;
    const float got = y[0].data<float>()[i];
    // Kept values are scaled by 1 / (1 - ratio); dropped ones are 0 (inputs are never 0).
    if (kept) ASSERT_FLOAT_EQ(got, x.data<float>()[i] / 0.75f) << i;
    else ASSERT_EQ(got, 0.0f) << i;
    dropped += !kept;
  }
  EXPECT_NEAR(dropped / double(kDraws), 0.25, 6 * std::sqrt(0.25 * 0.75 / double(kDraws)));
  // The same seed drops the same elements.
  auto again = run_node(n, {&x, &ratio, &train});
  EXPECT_EQ(std::memcmp(again[1].raw(), y[1].raw(), y[1].bytes()), 0);
}

TEST(RandomOps, DropoutOutsideTrainingIsIdentity) {
  Tensor x = f32({2, 2}, {1, 2, 3, 4});
  Tensor ratio = scalar_f32(0.5f), off = scalar_bool(false), on = scalar_bool(true), zero = scalar_f32(0);
  Node n = make_node("Dropout", 3, 13, 2);
  auto y = run_node(n, {&x, &ratio, &off});
  EXPECT_EQ(y[0].raw(), x.raw());
  EXPECT_EQ(y[1].dtype(), DType::Bool);
  for (int64_t i = 0; i < 4; ++i) EXPECT_EQ(y[1].get_i64(i), 1);
  y = run_node(n, {&x, &zero, &on});  // training with ratio 0 keeps everything
  EXPECT_EQ(y[0].raw(), x.raw());
  Tensor one = scalar_f32(1.0f);
  expect_error(n, {&x, &one, &on}, "[0, 1)");
}

TEST(RandomOps, RandomOpsAreNeverFolded) {
  const OpRegistry& reg = OpRegistry::builtin();
  for (const char* op : {"RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Bernoulli",
                         "Multinomial", "Dropout"})
    EXPECT_TRUE(reg.traits("", op, 21).never_fold) << op;
}
