// Sequence and optional operators, one node at a time, with hand-worked expectations.
#include <gtest/gtest.h>

#include "op_test_context.h"

namespace qwasm::test {
namespace {

std::vector<float> values(const Tensor& t) {
  EXPECT_TRUE(t.is_tensor());
  EXPECT_EQ(t.dtype(), DType::Float32);
  return std::vector<float>(t.data<float>(), t.data<float>() + t.size());
}

Tensor i64_scalar(int64_t v) {
  Tensor t(DType::Int64, {});
  t.data<int64_t>()[0] = v;
  return t;
}

// [a], [b, c], [d, e, f]
Tensor three() {
  return Tensor::sequence(DType::Float32, {f32({1}, {1}), f32({2}, {2, 3}), f32({3}, {4, 5, 6})});
}

TEST(SequenceOps, ConstructAndLength) {
  Tensor a = f32({1}, {1}), b = f32({2}, {2, 3});
  auto s = run_node(make_node("SequenceConstruct", 2, 11), {&a, &b})[0];
  ASSERT_TRUE(s.is_sequence());
  ASSERT_EQ(s.items().size(), 2u);
  EXPECT_EQ(values(s.items()[1]), (std::vector<float>{2, 3}));
  auto len = run_node(make_node("SequenceLength", 1, 11), {&s})[0];
  EXPECT_EQ(len.dtype(), DType::Int64);
  EXPECT_EQ(len.rank(), 0);
  EXPECT_EQ(len.data<int64_t>()[0], 2);
}

TEST(SequenceOps, ConstructRefusesMixedTypes) {
  Tensor a = f32({1}, {1}), b = i64({2});
  expect_error(make_node("SequenceConstruct", 2, 11), {&a, &b}, "a sequence holds one element type");
}

TEST(SequenceOps, EmptyHasItsDtype) {
  Node n = make_node("SequenceEmpty", 0, 11);
  set_int(n, "dtype", int64_t(DType::Int64));
  auto s = run_node(n, {})[0];
  ASSERT_TRUE(s.is_sequence());
  EXPECT_EQ(s.dtype(), DType::Int64);
  EXPECT_TRUE(s.items().empty());
}

TEST(SequenceOps, AtWithNegativePosition) {
  Tensor s = three(), p = i64_scalar(-2);
  EXPECT_EQ(values(run_node(make_node("SequenceAt", 2, 11), {&s, &p})[0]), (std::vector<float>{2, 3}));
}

TEST(SequenceOps, AtOutOfRange) {
  Tensor s = three(), p = i64_scalar(3), q = i64_scalar(-4);
  expect_error(make_node("SequenceAt", 2, 11), {&s, &p}, "position 3 is out of range for a sequence of 3 tensors");
  expect_error(make_node("SequenceAt", 2, 11), {&s, &q}, "position -4 is out of range");
}

TEST(SequenceOps, InsertAtPositionAndAtEnd) {
  Tensor s = three(), t = f32({1}, {9}), p = i64_scalar(1);
  auto mid = run_node(make_node("SequenceInsert", 3, 11), {&s, &t, &p})[0];
  ASSERT_EQ(mid.items().size(), 4u);
  EXPECT_EQ(values(mid.items()[1]), (std::vector<float>{9}));
  EXPECT_EQ(values(mid.items()[2]), (std::vector<float>{2, 3}));
  auto end = run_node(make_node("SequenceInsert", 2, 11), {&s, &t})[0];
  EXPECT_EQ(values(end.items()[3]), (std::vector<float>{9}));
  EXPECT_EQ(s.items().size(), 3u);  // the input sequence is unchanged
  Tensor past = i64_scalar(4);
  expect_error(make_node("SequenceInsert", 3, 11), {&s, &t, &past}, "position 4 is out of range");
}

TEST(SequenceOps, EraseDefaultsToTheLast) {
  Tensor s = three(), p = i64_scalar(0);
  auto last = run_node(make_node("SequenceErase", 1, 11), {&s})[0];
  ASSERT_EQ(last.items().size(), 2u);
  EXPECT_EQ(values(last.items()[1]), (std::vector<float>{2, 3}));
  auto first = run_node(make_node("SequenceErase", 2, 11), {&s, &p})[0];
  EXPECT_EQ(values(first.items()[0]), (std::vector<float>{2, 3}));
  Tensor empty = Tensor::sequence(DType::Float32, {});
  expect_error(make_node("SequenceErase", 1, 11), {&empty}, "empty sequence");
}

// x = [[1,2,3],[4,5,6]]
const Tensor kX = f32({2, 3}, {1, 2, 3, 4, 5, 6});

TEST(SequenceOps, SplitToSequenceByLengths) {
  Node n = make_node("SplitToSequence", 2, 11);
  set_int(n, "axis", 1);
  Tensor split = i64({2, 1});
  auto s = run_node(n, {&kX, &split})[0];
  ASSERT_EQ(s.items().size(), 2u);
  EXPECT_EQ(s.items()[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(values(s.items()[0]), (std::vector<float>{1, 2, 4, 5}));
  EXPECT_EQ(values(s.items()[1]), (std::vector<float>{3, 6}));
  Tensor bad = i64({2, 2});
  expect_error(n, {&kX, &bad}, "split lengths sum to 4 but axis 1 has 3");
}

TEST(SequenceOps, SplitToSequenceByChunkAndKeepdims) {
  Node n = make_node("SplitToSequence", 2, 11);
  set_int(n, "axis", 1);
  Tensor chunk = i64_scalar(2);
  auto s = run_node(n, {&kX, &chunk})[0];
  ASSERT_EQ(s.items().size(), 2u);  // lengths 2 and 1
  EXPECT_EQ(values(s.items()[1]), (std::vector<float>{3, 6}));
  Node one = make_node("SplitToSequence", 1, 11);
  set_int(one, "keepdims", 0);
  auto rows = run_node(one, {&kX})[0];
  ASSERT_EQ(rows.items().size(), 2u);
  EXPECT_EQ(rows.items()[1].shape(), (Shape{3}));
  EXPECT_EQ(values(rows.items()[1]), (std::vector<float>{4, 5, 6}));
}

TEST(SequenceOps, ConcatFromSequence) {
  Tensor s = Tensor::sequence(DType::Float32, {f32({2, 1}, {1, 4}), f32({2, 2}, {2, 3, 5, 6})});
  Node n = make_node("ConcatFromSequence", 1, 11);
  set_int(n, "axis", 1);
  auto y = run_node(n, {&s})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(values(y), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  Node bad = make_node("ConcatFromSequence", 1, 11);
  set_int(bad, "axis", 0);
  expect_error(bad, {&s}, "only axis 0 may differ");
}

TEST(SequenceOps, ConcatFromSequenceNewAxisStacks) {
  Tensor s = Tensor::sequence(DType::Float32, {f32({2}, {1, 2}), f32({2}, {3, 4})});
  Node n = make_node("ConcatFromSequence", 1, 11);
  set_int(n, "axis", -1);
  set_int(n, "new_axis", 1);
  auto y = run_node(n, {&s})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(values(y), (std::vector<float>{1, 3, 2, 4}));
  Tensor empty = Tensor::sequence(DType::Float32, {});
  expect_error(n, {&empty}, "the sequence is empty");
}

TEST(SequenceOps, OptionalRoundTrip) {
  Tensor x = f32({1}, {7});
  auto opt = run_node(make_node("Optional", 1, 15), {&x})[0];
  auto has = run_node(make_node("OptionalHasElement", 1, 15), {&opt})[0];
  EXPECT_TRUE(has.data<bool>()[0]);
  EXPECT_EQ(values(run_node(make_node("OptionalGetElement", 1, 15), {&opt})[0]), (std::vector<float>{7}));

  Node empty = make_node("Optional", 0, 15);
  empty.attrs["type"].kind = Attribute::Kind::TypeProto;
  auto none = run_node(empty, {})[0];
  EXPECT_TRUE(none.is_none());
  auto has_none = run_node(make_node("OptionalHasElement", 1, 15), {&none})[0];
  EXPECT_FALSE(has_none.data<bool>()[0]);
  expect_error(make_node("OptionalGetElement", 1, 15), {&none}, "holds no value");
  expect_error(make_node("Optional", 0, 15), {}, "needs attribute 'type'");
}

}  // namespace
}  // namespace qwasm::test
