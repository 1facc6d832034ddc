// Ops that order or compute other element types through one wide type (float64, int64 or
// uint64) to keep the module small: Unique, TopK, Einsum and the Scatter reductions on
// integer types, against hand-worked results (values an 8-bit or 64-bit type holds
// exactly, including ones a float64 could not).
#include <gtest/gtest.h>

#include <cstring>
#include <limits>

#include "op_test_context.h"

using namespace qwasm;

namespace {

using test::values_of;

}  // namespace

TEST(WideKeys, UniqueSortsInt8AndUInt64ByValue) {
  Node n = test::make_node("Unique", 1, 11, 4);
  const Tensor x = test::tensor_from_bytes(DType::Int8, {5}, std::vector<int8_t>{5, -128, 5, 127, -1});
  auto out = test::run_node(n, {&x});
  ASSERT_EQ(out[0].dtype(), DType::Int8);
  EXPECT_EQ(values_of<int8_t>(out[0]), (std::vector<int8_t>{-128, -1, 5, 127}));
  EXPECT_EQ(values_of<int64_t>(out[3]), (std::vector<int64_t>{1, 1, 2, 1}));
  const uint64_t big = std::numeric_limits<uint64_t>::max();  // two values one double apart would merge
  const Tensor u = test::tensor_from_bytes(DType::UInt64, {3}, std::vector<uint64_t>{big, big - 1, 3});
  EXPECT_EQ(values_of<uint64_t>(test::run_node(n, {&u})[0]), (std::vector<uint64_t>{3, big - 1, big}));
}

TEST(WideKeys, TopKOnInt16AndInt64KeepsValuesAndIndices) {
  Node n = test::make_node("TopK", 2, 11, 2);
  const Tensor x = test::tensor_from_bytes(DType::Int16, {2, 3}, std::vector<int16_t>{-5, 300, 7, 1, 1, -32768});
  const Tensor k = test::tensor_from_bytes(DType::Int64, {1}, std::vector<int64_t>{2});
  auto out = test::run_node(n, {&x, &k});
  ASSERT_EQ(out[0].dtype(), DType::Int16);
  EXPECT_EQ(values_of<int16_t>(out[0]), (std::vector<int16_t>{300, 7, 1, 1}));
  EXPECT_EQ(values_of<int64_t>(out[1]), (std::vector<int64_t>{1, 2, 0, 1}));
  const int64_t a = (int64_t(1) << 60) + 1, b = int64_t(1) << 60;  // equal as doubles
  const Tensor y = test::tensor_from_bytes(DType::Int64, {3}, std::vector<int64_t>{b, a, -3});
  const Tensor k1 = test::tensor_from_bytes(DType::Int64, {1}, std::vector<int64_t>{1});
  out = test::run_node(n, {&y, &k1});
  EXPECT_EQ(values_of<int64_t>(out[0]), (std::vector<int64_t>{a}));
  EXPECT_EQ(values_of<int64_t>(out[1]), (std::vector<int64_t>{1}));
}

TEST(WideKeys, EinsumOnInt32AndFloat64) {
  Node n = test::make_node("Einsum", 2, 12);
  test::set_str(n, "equation", "ij,jk->ik");
  const Tensor a = test::tensor_from_bytes(DType::Int32, {2, 2}, std::vector<int32_t>{1, -2, 3, 40000});
  const Tensor b = test::tensor_from_bytes(DType::Int32, {2, 1}, std::vector<int32_t>{5, 50000});
  const Tensor y = test::run_node(n, {&a, &b})[0];
  ASSERT_EQ(y.dtype(), DType::Int32);
  EXPECT_EQ(values_of<int32_t>(y), (std::vector<int32_t>{-99995, 2000000015}));
  const Tensor c = test::tensor_from_bytes(DType::Float64, {1, 2}, std::vector<double>{0.5, 0.25});
  const Tensor d = test::tensor_from_bytes(DType::Float64, {2, 1}, std::vector<double>{2, 4});
  EXPECT_EQ(values_of<double>(test::run_node(n, {&c, &d})[0]), (std::vector<double>{2}));
}

TEST(WideKeys, ScatterElementsReductionsOnInt16) {
  Node n = test::make_node("ScatterElements", 3, 18);
  test::set_str(n, "reduction", "add");
  const Tensor x = test::tensor_from_bytes(DType::Int16, {4}, std::vector<int16_t>{1, 2, 3, 4});
  const Tensor idx = test::tensor_from_bytes(DType::Int64, {3}, std::vector<int64_t>{1, 1, 3});
  const Tensor upd = test::tensor_from_bytes(DType::Int16, {3}, std::vector<int16_t>{10, 20, -4});
  EXPECT_EQ(values_of<int16_t>(test::run_node(n, {&x, &idx, &upd})[0]), (std::vector<int16_t>{1, 32, 3, 0}));
  test::set_str(n, "reduction", "max");
  EXPECT_EQ(values_of<int16_t>(test::run_node(n, {&x, &idx, &upd})[0]), (std::vector<int16_t>{1, 20, 3, 4}));
}
