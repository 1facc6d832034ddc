// Calibration arithmetic (quantize/calibrate.h) on hand-worked histograms; the entropy
// cases' divergences were computed with numpy (an independent implementation of TensorRT's
// description) and are noted beside them.
#include <gtest/gtest.h>

#include <vector>

#include "quantize/block_quant.h"
#include "quantize/calibrate.h"

namespace qwasm {
namespace {

TEST(QuantizeCalibrate, HistogramBinsAndClampsToTheEnds) {
  Histogram h(0, 10, 10);
  const float x[] = {-1.0f, 0.0f, 0.99f, 5.0f, 9.99f, 10.0f, 42.0f};
  h.add(x, 7, false);
  EXPECT_EQ(h.counts, (std::vector<double>{3, 0, 0, 0, 0, 1, 0, 0, 0, 3}));
  Histogram a(0, 4, 4);
  const float y[] = {-3.5f, 3.5f, -0.5f};
  a.add(y, 3, true);  // |x|
  EXPECT_EQ(a.counts, (std::vector<double>{1, 0, 0, 2}));
  EXPECT_FLOAT_EQ(a.width(), 1.0f);
}

TEST(QuantizeCalibrate, PercentileKeepsThatShareFromEachEnd) {
  // One value in each of 10 bins over [0, 10]: 80% are reached at the top of bin 7 from below
  // and at the bottom of bin 2 from above.
  Histogram h(0, 10, 10);
  h.counts.assign(10, 1.0);
  const Range r = percentile_range(h, 80);
  EXPECT_FLOAT_EQ(r.lo, 2.0f);
  EXPECT_FLOAT_EQ(r.hi, 8.0f);
  const Range all = percentile_range(h, 100);
  EXPECT_FLOAT_EQ(all.lo, 0.0f);
  EXPECT_FLOAT_EQ(all.hi, 10.0f);
  // Skewed: 97 values in bin 0 of [-1, 1] (4 bins), 3 in bin 3. 99% from below needs bin 3,
  // 97% stops at bin 0.
  Histogram s(-1, 1, 4);
  s.counts = {97, 0, 0, 3};
  EXPECT_FLOAT_EQ(percentile_range(s, 99).hi, 1.0f);
  EXPECT_FLOAT_EQ(percentile_range(s, 97).hi, -0.5f);
  EXPECT_FLOAT_EQ(percentile_range(s, 97).lo, -1.0f);
}

TEST(QuantizeCalibrate, EntropyKeepsEverythingWhenMergingLosesNothing) {
  // 8 bins, 4 levels. i = 4: P = [4, 4, 4, 6] / 18, Q = [4, 4, 4, 4] / 16, KL = 0.01737;
  // i = 5..7: the outliers land in a bin whose group is all zero in Q: infinite; i = 8:
  // every group is [4, 4], [4, 4], [0, 0], [0, 2], so Q = P and KL = 0.
  EXPECT_EQ(entropy_bins({4, 4, 4, 4, 0, 0, 0, 2}, 4), 8);
}

TEST(QuantizeCalibrate, EntropyClipsALongTail) {
  // numpy: KL for i = 4..16 is 0.0533, 0.0196, 0.0286, 0.0314, 0.0362, 0.0316, inf, 0.0581,
  // inf, inf, inf, inf, 0.1074: the least at i = 5.
  EXPECT_EQ(entropy_bins({40, 30, 20, 10, 5, 3, 2, 1, 1, 0, 1, 0, 0, 0, 0, 1}, 4), 5);
  // numpy: decreasing from 0.0813 (i = 4) to 0.0189 (i = 8).
  EXPECT_EQ(entropy_bins({9, 7, 5, 3, 2, 1, 1, 1}, 4), 8);
  // Fewer bins than levels: nothing to choose.
  EXPECT_EQ(entropy_bins({1, 2, 3}, 4), 3);
}

TEST(QuantizeCalibrate, AffineParamsIncludeZero) {
  // [-1, 3] over uint8: scale 4 / 255, zero point round(63.75) = 64; over int8 round(-64.25) = -64.
  QParams u = affine_params({-1, 3}, 0, 255);
  EXPECT_FLOAT_EQ(u.scale, 4.0f / 255);
  EXPECT_EQ(u.zero_point, 64);
  QParams s = affine_params({-1, 3}, -128, 127);
  EXPECT_FLOAT_EQ(s.scale, 4.0f / 255);
  EXPECT_EQ(s.zero_point, -64);
  // [2, 5] is widened to [0, 5]: zero point 0 (uint8), -128 (int8).
  EXPECT_EQ(affine_params({2, 5}, 0, 255).zero_point, 0);
  EXPECT_FLOAT_EQ(affine_params({2, 5}, 0, 255).scale, 5.0f / 255);
  EXPECT_EQ(affine_params({2, 5}, -128, 127).zero_point, -128);
  // All zero: scale 1, zero point 0.
  EXPECT_EQ(affine_params({0, 0}, 0, 255).scale, 1.0f);
  EXPECT_EQ(affine_params({0, 0}, -128, 127).zero_point, 0);
}

TEST(QuantizeInt8, PerAxisOfAConvWeightWithReducedRange) {
  // Conv W [M = 2, 1, 1, 2]: channel 0 = {0.5, -2} (scale 2 / 63), channel 1 = {0, 0} (scale 1).
  // 0.5 / (2 / 63) = 15.75 -> 16.
  const float w[4] = {0.5f, -2.0f, 0.0f, 0.0f};
  const Int8Weight q = quantize_int8_per_axis(w, 1, 2, 2, 63);
  EXPECT_FLOAT_EQ(q.scales[0], 2.0f / 63);
  EXPECT_EQ(q.scales[1], 1.0f);
  EXPECT_EQ(q.q, (std::vector<int8_t>{16, -63, 0, 0}));
  // MatMul W [K = 2, N = 3] along axis 1 equals the per-column quantizer.
  const float m[6] = {127.0f, 0.5f, 0.0f, -3.0f, -1.0f, 0.0f};
  const Int8Weight a = quantize_int8_per_axis(m, 2, 3, 1, 127), b = quantize_int8_per_channel(m, 2, 3);
  EXPECT_EQ(a.q, b.q);
  EXPECT_EQ(a.scales, b.scales);
}

}  // namespace
}  // namespace qwasm
