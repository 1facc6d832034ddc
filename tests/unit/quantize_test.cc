// The quantizer's arithmetic on hand-worked blocks (quantize/block_quant.h); the model rewrite
// itself is checked against numpy and onnxruntime in tests/js/quantizer.test.mjs.
#include <gtest/gtest.h>

#include <vector>

#include "quantize/block_quant.h"

namespace qwasm {
namespace {

// w_k = k - 5 for k = 0..15 (one column, one block of 16).
std::vector<float> ramp() {
  std::vector<float> w(16);
  for (int k = 0; k < 16; ++k) w[size_t(k)] = float(k - 5);
  return w;
}

TEST(QuantizeNBits, AsymmetricBlockOfARamp) {
  // range [-5, 10]: scale 15 / 15 = 1, zero point round(5 / 1) = 5, q_k = k.
  const NBitsWeight q = quantize_nbits(ramp().data(), 16, 1, 4, 16, false);
  ASSERT_EQ(q.blocks, 1);
  EXPECT_EQ(q.scales, std::vector<float>{1.0f});
  // two values per byte, even k in the low nibble
  EXPECT_EQ(q.b, (std::vector<uint8_t>{0x10, 0x32, 0x54, 0x76, 0x98, 0xBA, 0xDC, 0xFE}));
  EXPECT_EQ(q.zero_points, std::vector<uint8_t>{5});
}

TEST(QuantizeNBits, SymmetricRoundsHalfToEvenAndClamps) {
  // max |w| = 10: scale 10 / 8 = 1.25, zero point 8; w / 1.25 = -4, -3.2, -2.4, -1.6, -0.8, 0,
  // 0.8, 1.6, 2.4, 3.2, 4, 4.8, 5.6, 6.4, 7.2, 8 -> round -> +8 -> clamp to 15.
  const NBitsWeight q = quantize_nbits(ramp().data(), 16, 1, 4, 16, true);
  EXPECT_EQ(q.scales, std::vector<float>{1.25f});
  EXPECT_TRUE(q.zero_points.empty());
  const int want[16] = {4, 5, 6, 6, 7, 8, 9, 10, 10, 11, 12, 13, 14, 14, 15, 15};
  for (int k = 0; k < 16; ++k) EXPECT_EQ((q.b[size_t(k / 2)] >> ((k & 1) * 4)) & 15, want[k]) << "k=" << k;
}

TEST(QuantizeNBits, PadsKAndPacksZeroPointsPerColumn) {
  // K = 20 with blocks of 16: two blocks, the second padded with zeros. Two columns: n = 0 is
  // all 2.0 (range [0, 2]: scale 2/15, zp 0, q = 15), n = 1 all zero (scale 1, zp 0).
  std::vector<float> w(40);
  for (int k = 0; k < 20; ++k) w[size_t(k * 2)] = 2.0f, w[size_t(k * 2 + 1)] = 0.0f;
  const NBitsWeight q = quantize_nbits(w.data(), 20, 2, 4, 16, false);
  ASSERT_EQ(q.blocks, 2);
  ASSERT_EQ(q.b.size(), 2u * 2 * 8);
  EXPECT_FLOAT_EQ(q.scales[0], 2.0f / 15);
  EXPECT_EQ(q.b[0], 0xFF);
  EXPECT_EQ(q.b[8 + 1], 0xFF);  // block 1 of column 0: k = 16..19 are 2.0 ...
  EXPECT_EQ(q.b[8 + 2], 0x00);  // ... k = 20..31 are padding zeros
  EXPECT_EQ(q.scales[2], 1.0f);  // an all-zero block gets scale 1
  EXPECT_EQ(q.zero_points, (std::vector<uint8_t>{0, 0}));  // one byte per column (2 blocks x 4 bits)
}

TEST(QuantizeInt8, PerChannelSymmetric) {
  // column 0: max 127 -> scale 1; column 1: values 0.5 and -1 -> scale 1/127, q = 64 (63.5 rounds
  // to even 64) and -127; column 2 all zero -> scale 1.
  const float w[6] = {127.0f, 0.5f, 0.0f, -3.0f, -1.0f, 0.0f};  // [K=2, N=3]
  const Int8Weight q = quantize_int8_per_channel(w, 2, 3);
  EXPECT_EQ(q.scales[0], 1.0f);
  EXPECT_FLOAT_EQ(q.scales[1], 1.0f / 127);
  EXPECT_EQ(q.scales[2], 1.0f);
  EXPECT_EQ(q.q, (std::vector<int8_t>{127, 64, 0, -3, -127, 0}));
}

TEST(QuantizeFloat8, PerChannelE4M3FNWorkedByHand) {
  // Column 0 (1, -0.5, 0.3): scale 1/448; w / scale = 448 (0 1111 110 = 0x7E, the largest
  // finite value), -224 = -1.75 * 2^7 (1 1110 110 = 0xF6) and 134.4, between 128 (0x70) and
  // 144 (0x71): 128. Column 1 (0.25, 0, -0.0156): scale 0.25/448; 448, 0 and -27.95: between
  // -26 (1 1011 101 = 0xDD) and -28 (0xDE), nearer -28. Column 2 all zero: scale 1, codes 0.
  const float w[9] = {1.0f, 0.25f, 0.0f, -0.5f, 0.0f, 0.0f, 0.3f, -0.0156f, 0.0f};  // [K=3, N=3]
  const Float8Weight q = quantize_float8_per_channel(w, 3, 3);
  EXPECT_FLOAT_EQ(q.scales[0], 1.0f / 448);
  EXPECT_FLOAT_EQ(q.scales[1], 0.25f / 448);
  EXPECT_EQ(q.scales[2], 1.0f);
  EXPECT_EQ(q.q, (std::vector<uint8_t>{0x7E, 0x7E, 0x00, 0xF6, 0x00, 0x00, 0x70, 0xDE, 0x00}));
}

}  // namespace
}  // namespace qwasm
