// Shape family: the tiled permute_copy against a naive index walk over every
// permutation up to rank 5, views that must not copy, and the checks the ONNX
// node tests do not reach (bad perms, reductions by opset, old Dropout).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <random>

#include "op_test_context.h"
#include "ops/registry.h"
#include "ops/strided_copy.h"

using namespace qwasm;
using qwasm::test::TestContext;
using qwasm::test::i64;
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
std::unique_ptr<OpKernel> build(const Node& n) { return build_kernel(n); }

Tensor iota_f32(const Shape& s) {
  Tensor t(DType::Float32, s);
  for (int64_t i = 0; i < t.size(); ++i) t.data<float>()[i] = float(i);
  return t;
}

// Reference: walk output coordinates, compute the input offset directly.
void naive_permute(char* dst, const char* src, size_t es, const Shape& in, const std::vector<int64_t>& perm) {
  const auto st = shape_strides(in);
  Shape out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = in[size_t(perm[i])];
  const int64_t total = shape_size(out);
  std::vector<int64_t> c(out.size(), 0);
  for (int64_t o = 0; o < total; ++o) {
    int64_t off = 0;
    for (size_t i = 0; i < out.size(); ++i) off += c[i] * st[size_t(perm[i])];
    std::memcpy(dst + size_t(o) * es, src + size_t(off) * es, es);
    for (int64_t d = int64_t(out.size()) - 1; d >= 0; --d) {
      if (++c[size_t(d)] < out[size_t(d)]) break;
      c[size_t(d)] = 0;
    }
  }
}

TEST(ShapeOps, PermuteCopyMatchesNaiveForEveryPermutation) {
  std::mt19937 rng(7);
  const int64_t dims[] = {1, 2, 3, 5, 17, 40};
  for (size_t es : {1, 2, 3, 4, 8}) {
    for (int64_t rank = 1; rank <= 5; ++rank) {
      std::vector<int64_t> perm(static_cast<size_t>(rank));
      std::iota(perm.begin(), perm.end(), 0);
      do {
        for (int trial = 0; trial < 2; ++trial) {
          Shape in(static_cast<size_t>(rank));
          for (auto& d : in) d = dims[rng() % (rank > 3 ? 4 : 6)];
          const int64_t n = shape_size(in);
          std::vector<char> src(size_t(n) * es), a(src.size()), b(src.size());
          for (auto& ch : src) ch = char(rng());
          naive_permute(a.data(), src.data(), es, in, perm);
          permute_copy(b.data(), src.data(), es, in, perm);
          ASSERT_EQ(a, b) << "es=" << es << " in=" << shape_str(in) << " perm=" << shape_str(perm);
        }
      } while (std::next_permutation(perm.begin(), perm.end()));
    }
  }
}

TEST(ShapeOps, ViewsShareTheInputBuffer) {
  Tensor x = iota_f32({2, 1, 3});
  Tensor shape = i64({3, -1});
  auto y = run(make_node("Reshape", 2, 14), {&x, &shape});
  EXPECT_EQ(y[0].shape(), (Shape{3, 2}));
  EXPECT_EQ(y[0].raw(), x.raw());
  Tensor axes = i64({1});
  y = run(make_node("Squeeze", 2, 13), {&x, &axes});
  EXPECT_EQ(y[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(y[0].raw(), x.raw());
  Node f = make_node("Flatten", 1, 13);
  set_int(f, "axis", 0);
  y = run(f, {&x});
  EXPECT_EQ(y[0].shape(), (Shape{1, 6}));
  EXPECT_EQ(y[0].raw(), x.raw());
}

TEST(ShapeOps, ReshapeAllowZeroKeepsZeroDims) {
  Tensor x(DType::Float32, {0, 3});
  Tensor shape = i64({3, 0});
  Node n = make_node("Reshape", 2, 14);
  set_int(n, "allowzero", 1);
  EXPECT_EQ(run(n, {&x, &shape})[0].shape(), (Shape{3, 0}));
}

TEST(ShapeOps, TransposeRejectsBadPermAtBuild) {
  Node n = make_node("Transpose", 1, 13);
  n.name = "tp";
  set_ints(n, "perm", {0, 0, 1});
  try {
    build(n);
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("tp"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("permutation"), std::string::npos) << e.what();
  }
}

TEST(ShapeOps, ScatterReductionsFollowTheOpset) {
  Node n = make_node("ScatterND", 3, 13);
  set_str(n, "reduction", "add");
  EXPECT_THROW(build(n), std::exception);
  n.opset = 16;
  EXPECT_NO_THROW(build(n));
  set_str(n, "reduction", "max");
  EXPECT_THROW(build(n), std::exception);
  n.opset = 18;
  EXPECT_NO_THROW(build(n));
}

TEST(ShapeOps, ScatterElementsMaxKeepsLargest) {
  Tensor x = iota_f32({1, 4});  // 0 1 2 3
  Tensor idx = i64({1, 1, 3});
  idx = idx.reshaped({1, 3});
  Tensor upd(DType::Float32, {1, 3});
  const float u[] = {5, -1, 2};
  std::memcpy(upd.raw(), u, sizeof(u));
  Node n = make_node("ScatterElements", 3, 18);
  set_int(n, "axis", 1);
  set_str(n, "reduction", "max");
  auto y = run(n, {&x, &idx, &upd});
  const float want[] = {0, 5, 2, 3};
  EXPECT_EQ(std::memcmp(y[0].raw(), want, sizeof(want)), 0);
}

TEST(ShapeOps, GatherNamesTheBadIndex) {
  Tensor x = iota_f32({3, 2});
  Tensor idx = i64({1, 3});
  try {
    run(make_node("Gather", 2, 13), {&x, &idx});
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("index 3 out of range"), std::string::npos) << e.what();
  }
}

TEST(ShapeOps, SplitNumOutputsGivesSmallerLastPart) {
  Tensor x = iota_f32({7});
  Node n = make_node("Split", 1, 18, 3);
  set_int(n, "num_outputs", 3);
  auto y = run(n, {&x});
  EXPECT_EQ(y[0].shape(), (Shape{3}));
  EXPECT_EQ(y[2].shape(), (Shape{1}));
  EXPECT_EQ(y[2].data<float>()[0], 6.f);
  set_int(n, "num_outputs", 2);
  EXPECT_THROW(run(n, {&x}), std::exception);
}

// Training-mode Dropout (opset 12 on) is tested in ops_random_test.cc.
TEST(ShapeOps, DropoutBeforeOpset12IsIdentity) {
  Tensor x = iota_f32({2, 2});
  Node n = make_node("Dropout", 1, 7, 2);
  auto y = run(n, {&x});
  EXPECT_EQ(y[0].raw(), x.raw());
  EXPECT_EQ(y[1].dtype(), DType::Float32);  // mask had the input's type before opset 10
  EXPECT_EQ(y[1].data<float>()[3], 1.f);
}

TEST(ShapeOps, PadRunsCoverConstantAndEdgeAroundCrops) {
  Tensor x = iota_f32({2, 3});
  Tensor pads = i64({0, -1, 1, 2});  // crop one column on the left, add 2 on the right, a row below
  Node n = make_node("Pad", 2, 13);
  set_str(n, "mode", "edge");
  auto y = run(n, {&x, &pads});
  ASSERT_EQ(y[0].shape(), (Shape{3, 4}));
  const float want[] = {1, 2, 2, 2, 4, 5, 5, 5, 4, 5, 5, 5};
  EXPECT_EQ(std::memcmp(y[0].raw(), want, sizeof(want)), 0);
}

}  // namespace

namespace {

TEST(ShapeOps, RangeCountsInt64Exactly) {
  const int64_t big = (int64_t(1) << 53) + 1;  // past double precision
  Tensor s(DType::Int64, {}), l(DType::Int64, {}), d(DType::Int64, {});
  s.data<int64_t>()[0] = big;
  l.data<int64_t>()[0] = big + 5;
  d.data<int64_t>()[0] = 2;
  auto y = run(make_node("Range", 3, 11), {&s, &l, &d});
  ASSERT_EQ(y[0].shape(), (Shape{3}));
  EXPECT_EQ(y[0].data<int64_t>()[2], big + 4);
  d.data<int64_t>()[0] = -1;
  EXPECT_EQ(run(make_node("Range", 3, 11), {&s, &l, &d})[0].shape(), (Shape{0}));
}

}  // namespace
