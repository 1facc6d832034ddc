// Elementwise family: the broadcast loops against a naive reference, and the
// edge cases the ONNX node tests do not reach (integer division traps, NaN in
// Min/Max, Cast saturation, float16, bool bytes other than 0/1, Pow fast paths).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "graph/float16.h"
#include "ops/broadcast.h"
#include "ops/fast_math.h"
#include "op_test_context.h"
#include "ops/registry.h"

using namespace qwasm;
using qwasm::test::TestContext;

namespace {

Node make_node(const std::string& op, size_t n_in, int64_t opset = 21) { return test::make_node(op, n_in, opset); }
Tensor run(const Node& n, std::vector<const Tensor*> ins) { return test::run_node(n, std::move(ins))[0]; }
Tensor run(const std::string& op, std::vector<const Tensor*> ins) { return run(make_node(op, ins.size()), ins); }

template <typename T> Tensor make(DType dt, Shape s, std::vector<T> v) {
  Tensor t(dt, s);
  EXPECT_EQ(size_t(t.size()), v.size());
  std::memcpy(t.raw(), v.data(), v.size() * sizeof(T));
  return t;
}
Tensor f32(Shape s, std::vector<float> v) { return make(DType::Float32, s, v); }
Tensor i32(Shape s, std::vector<int32_t> v) { return make(DType::Int32, s, v); }

template <typename T> std::vector<T> values(const Tensor& t) {
  const T* p = static_cast<const T*>(t.raw());
  return std::vector<T>(p, p + t.size());
}

// Element offset of output index `o` in an operand of shape `s` (naive numpy rule).
int64_t naive_offset(const Shape& out, const Shape& s, int64_t o) {
  int64_t off = 0, stride = 1;
  for (size_t j = 0; j < s.size(); ++j) {
    const size_t d = s.size() - 1 - j, od = out.size() - 1 - j;
    int64_t out_stride = 1;
    for (size_t k = od + 1; k < out.size(); ++k) out_stride *= out[k];
    const int64_t idx = (o / out_stride) % out[od];
    if (s[d] != 1) off += idx * stride;
    stride *= s[d];
  }
  return off;
}

}  // namespace

TEST(Broadcast, MatchesNaiveOnRandomShapes) {
  std::mt19937 rng(1234);
  for (int iter = 0; iter < 400; ++iter) {
    const size_t rank = rng() % 5;
    Shape out(rank), a, b;
    for (auto& d : out) d = int64_t(rng() % 4);  // includes 0 and 1
    // Each operand: a suffix of the output shape with some dims set to 1.
    for (Shape* s : {&a, &b}) {
      const size_t r = rank ? rng() % (rank + 1) : 0;
      for (size_t j = rank - r; j < rank; ++j) s->push_back(rng() % 3 == 0 ? 1 : out[j]);
    }
    Shape os = broadcast_shapes(a, b, "t");
    if (os.size() < out.size()) os.insert(os.begin(), out.size() - os.size(), 1);
    std::vector<int64_t> va(size_t(shape_size(a))), vb(size_t(shape_size(b)));
    for (auto& v : va) v = int64_t(rng() % 1000);
    for (auto& v : vb) v = int64_t(rng() % 1000) * 1000;
    // Both run forms: the vectorised loops and the plain one (rare element types).
    for (bool vectorised : {true, false}) {
      std::vector<int64_t> got(size_t(shape_size(os)), -1);
      auto add = [](int64_t x, int64_t y) { return x + y; };
      if (vectorised) broadcast_binary(va.data(), a, vb.data(), b, got.data(), os, add);
      else broadcast_binary<false>(va.data(), a, vb.data(), b, got.data(), os, add);
      for (int64_t o = 0; o < int64_t(got.size()); ++o) {
        const int64_t want = va[size_t(naive_offset(os, a, o))] + vb[size_t(naive_offset(os, b, o))];
        ASSERT_EQ(got[size_t(o)], want) << "iter " << iter << " out " << shape_str(os) << " a " << shape_str(a)
                                        << " b " << shape_str(b) << " element " << o << " (seed 1234)"
                                        << (vectorised ? "" : " plain loop");
      }
    }
  }
}

TEST(Broadcast, CoalescesDims) {
  const Shape out{2, 3, 4, 5}, bias{1, 3, 1, 1}, row{5};
  BroadcastLoop<2> l1(out, {&out, &bias});
  EXPECT_EQ(l1.inner(), 20);  // H*W against one bias value
  EXPECT_EQ(l1.inner_step(1), 0);
  BroadcastLoop<2> l2(out, {&out, &row});
  EXPECT_EQ(l2.inner(), 5);
  EXPECT_EQ(l2.inner_step(1), 1);
}

TEST(Elementwise, IntegerDivisionNeverTraps) {
  Tensor a = i32({4}, {7, -7, std::numeric_limits<int32_t>::min(), 5});
  Tensor b = i32({4}, {0, 2, -1, -1});
  EXPECT_EQ(values<int32_t>(run("Div", {&a, &b})), (std::vector<int32_t>{0, -3, std::numeric_limits<int32_t>::min(), -5}));
  EXPECT_EQ(values<int32_t>(run("Mod", {&a, &b})), (std::vector<int32_t>{0, 1, 0, 0}));
  Node fm = make_node("Mod", 2);
  fm.attrs["fmod"].kind = Attribute::Kind::Int;
  fm.attrs["fmod"].i = 1;
  Tensor c = i32({2}, {-7, 7}), d = i32({2}, {3, -3});
  EXPECT_EQ(values<int32_t>(run(fm, {&c, &d})), (std::vector<int32_t>{-1, 1}));
  EXPECT_EQ(values<int32_t>(run("Mod", {&c, &d})), (std::vector<int32_t>{2, -2}));
}

TEST(Elementwise, MinMaxPropagateNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor a = f32({3}, {nan, 1, 2}), b = f32({3}, {1, nan, 3});
  for (const char* op : {"Min", "Max"}) {
    auto v = values<float>(run(op, {&a, &b}));
    EXPECT_TRUE(std::isnan(v[0]) && std::isnan(v[1])) << op;
  }
  EXPECT_EQ(values<float>(run("Max", {&a, &b}))[2], 3.0f);
}

TEST(Elementwise, VariadicMeanBroadcasts) {
  Tensor a = f32({2, 1}, {1, 2}), b = f32({3}, {10, 20, 30}), c = f32({}, {3});
  EXPECT_EQ(values<float>(run("Mean", {&a, &b, &c})), (std::vector<float>{14.0f / 3, 24.0f / 3, 34.0f / 3, 5, 25.0f / 3, 35.0f / 3}));
}

TEST(Elementwise, Float16ComputesInFloat) {
  Tensor a(DType::Float16, {2}), b(DType::Float16, {1});
  uint16_t* pa = static_cast<uint16_t*>(a.raw());
  pa[0] = float_to_half(1.5f);
  pa[1] = float_to_half(-2.0f);
  static_cast<uint16_t*>(b.raw())[0] = float_to_half(0.25f);
  Tensor y = run("Add", {&a, &b});
  ASSERT_EQ(y.dtype(), DType::Float16);
  EXPECT_EQ(half_to_float(values<uint16_t>(y)[0]), 1.75f);
  EXPECT_EQ(half_to_float(values<uint16_t>(y)[1]), -1.75f);
  Tensor s = run("Sigmoid", {&a});
  EXPECT_NEAR(half_to_float(values<uint16_t>(s)[0]), 1 / (1 + std::exp(-1.5f)), 1e-3);
}

TEST(Elementwise, PowFastPathsAndMixedTypes) {
  Tensor x = f32({3}, {-3, 4, 0.5f}), two = f32({}, {2}), half = f32({}, {0.5f});
  EXPECT_EQ(values<float>(run("Pow", {&x, &two})), (std::vector<float>{9, 16, 0.25f}));
  auto r = values<float>(run("Pow", {&x, &half}));
  EXPECT_TRUE(std::isnan(r[0]));
  EXPECT_EQ(r[1], 2.0f);
  Tensor xi = i32({4}, {2, -2, 3, 1}), e = make<int64_t>(DType::Int64, {4}, {10, 3, -1, -5});
  EXPECT_EQ(values<int32_t>(run("Pow", {&xi, &e})), (std::vector<int32_t>{1024, -8, 0, 1}));
}

TEST(Elementwise, CastTruncatesAndSaturates) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = f32({6}, {2.9f, -2.9f, 300.0f, -300.0f, nan, 0.0f});
  Node n = make_node("Cast", 1);
  n.attrs["to"].kind = Attribute::Kind::Int;
  n.attrs["to"].i = int64_t(DType::Int8);
  EXPECT_EQ(values<int8_t>(run(n, {&x})), (std::vector<int8_t>{2, -2, 127, -128, 0, 0}));
  n.attrs["to"].i = int64_t(DType::Bool);
  EXPECT_EQ(values<uint8_t>(run(n, {&x})), (std::vector<uint8_t>{1, 1, 1, 1, 1, 0}));
  n.attrs["to"].i = int64_t(DType::String);
  EXPECT_THROW(run(n, {&x}), Error);
}

TEST(Elementwise, BoolBytesOtherThanOneAreTrue) {
  Tensor a = make<uint8_t>(DType::Bool, {3}, {2, 0, 255}), b = make<uint8_t>(DType::Bool, {3}, {1, 0, 1});
  EXPECT_EQ(values<uint8_t>(run("And", {&a, &b})), (std::vector<uint8_t>{1, 0, 1}));
  EXPECT_EQ(values<uint8_t>(run("Xor", {&a, &b})), (std::vector<uint8_t>{0, 0, 0}));
  EXPECT_EQ(values<uint8_t>(run("Not", {&a})), (std::vector<uint8_t>{0, 1, 0}));
  Tensor x = f32({3}, {1, 2, 3}), y = f32({1}, {-1});
  EXPECT_EQ(values<float>(run("Where", {&a, &x, &y})), (std::vector<float>{1, -1, 3}));
}

TEST(Elementwise, ClipKeepsInfinitiesWithoutBounds) {
  const float inf = std::numeric_limits<float>::infinity();
  Tensor x = f32({3}, {-inf, 0, inf}), lo = f32({}, {-1});
  EXPECT_EQ(values<float>(run("Clip", {&x})), (std::vector<float>{-inf, 0, inf}));
  EXPECT_EQ(values<float>(run("Clip", {&x, &lo})), (std::vector<float>{-1, 0, inf}));
  Node old = make_node("Clip", 1, 6);
  old.attrs["max"].kind = Attribute::Kind::Float;
  old.attrs["max"].f = 0.5f;
  EXPECT_EQ(values<float>(run(old, {&x})), (std::vector<float>{-inf, 0, 0.5f}));
}

TEST(Elementwise, ErrorsNameTheNode) {
  Tensor a = f32({2}, {1, 2});
  Tensor b = i32({2}, {1, 2});
  try {
    run("Add", {&a, &b});
    FAIL() << "expected a type error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Add"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("int32"), std::string::npos) << e.what();
  }
  Tensor c = f32({3}, {1, 2, 3});
  EXPECT_THROW(run("Mul", {&a, &c}), Error);
  EXPECT_THROW(run("Sqrt", {&b}), Error);
}

TEST(FastMath, ExpWithinTwoUlpAndEdgeCases) {
  double worst = 0;
  for (float x = -103.0f; x < 88.7f; x += 0.0137f) {
    const double e = std::exp(double(x));
    if (e < 1.2e-38) continue;  // denormal results carry fewer bits
    worst = std::max(worst, std::fabs(fast_expf(x) - e) / e);
  }
  EXPECT_LT(worst, 2 * 5.97e-8);
  EXPECT_TRUE(std::isinf(fast_expf(89.0f)));
  EXPECT_TRUE(std::isinf(fast_expf(std::numeric_limits<float>::infinity())));
  EXPECT_EQ(fast_expf(-std::numeric_limits<float>::infinity()), 0.0f);
  EXPECT_EQ(fast_expf(-200.0f), 0.0f);
  EXPECT_TRUE(std::isnan(fast_expf(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_EQ(fast_expf(0.0f), 1.0f);
  EXPECT_GT(fast_expf(-100.0f), 0.0f);  // denormal, not flushed
}
