// Shape helpers and float16 conversion, checked against hand-worked values.
#include <gtest/gtest.h>

#include "graph/float16.h"
#include "graph/shape.h"
#include "graph/error.h"

using namespace qwasm;

TEST(Shape, BroadcastFollowsNumpyRules) {
  EXPECT_EQ(broadcast_shapes({2, 1, 4}, {3, 1}, "t"), (Shape{2, 3, 4}));
  EXPECT_EQ(broadcast_shapes({}, {5}, "t"), (Shape{5}));
  EXPECT_EQ(broadcast_shapes({0, 1}, {1, 3}, "t"), (Shape{0, 3}));
  EXPECT_THROW(broadcast_shapes({2, 3}, {4, 3}, "t"), Error);
}

TEST(Shape, SizeStridesAndAxes) {
  EXPECT_EQ(shape_size({2, 3, 4}), 24);
  EXPECT_EQ(shape_size({}), 1);
  EXPECT_EQ(shape_strides({2, 3, 4}), (std::vector<int64_t>{12, 4, 1}));
  EXPECT_EQ(normalize_axis(-1, 3, "t"), 2);
  EXPECT_THROW(normalize_axis(3, 3, "t"), Error);
  EXPECT_THROW(shape_size({-1, 2}), Error);
}

TEST(Float16, RoundTripsAndRoundsToNearestEven) {
  EXPECT_EQ(float_to_half(1.0f), 0x3c00);
  EXPECT_EQ(float_to_half(-2.0f), 0xc000);
  EXPECT_EQ(float_to_half(65504.0f), 0x7bff);
  EXPECT_EQ(float_to_half(1e6f), 0x7c00);              // overflow -> inf
  EXPECT_EQ(float_to_half(5.9604645e-8f), 0x0001);     // smallest subnormal
  EXPECT_EQ(float_to_half(1.0f + 1.0f / 2048), 0x3c00);  // tie -> even
  EXPECT_EQ(float_to_half(1.0f + 3.0f / 2048), 0x3c02);  // tie -> even (up)
  EXPECT_FLOAT_EQ(half_to_float(0x3555), 0.33325195f);
  EXPECT_FLOAT_EQ(half_to_float(0x0001), 5.9604645e-8f);
  EXPECT_EQ(float_to_bfloat16(1.0f), 0x3f80);
  EXPECT_FLOAT_EQ(bfloat16_to_float(0x4049), 3.140625f);
}
