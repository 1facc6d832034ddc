// The vectorisable float math in ops/fast_math.h and ops/row_math.h against libm
// (in double) and plain loops.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ops/fast_math.h"
#include "ops/row_math.h"

namespace qwasm {
namespace {

TEST(FastMath, ErfWithinThirtyFiveHundredMillionthsRelative) {
  double worst = 0;
  for (double x = -6; x <= 6; x += 1.0 / 4096) {
    const float f = float(x);
    const double want = std::erf(double(f));
    const double got = fast_erff(f);
    if (want != 0) worst = std::max(worst, std::fabs(got - want) / std::fabs(want));
  }
  // The rational fit is 6e-9 from erf; the rest is float32 rounding of its evaluation
  // (the fit's own check on a 400k-point grid found 3.49e-7 at worst).
  EXPECT_LT(worst, 3.5e-7);
  EXPECT_GT(worst, 0.0);  // the loop did compare values
}

TEST(FastMath, ErfSpecialValues) {
  EXPECT_EQ(fast_erff(0.0f), 0.0f);
  EXPECT_TRUE(std::signbit(fast_erff(-0.0f)));
  EXPECT_FLOAT_EQ(fast_erff(1e-20f), float(2 / std::sqrt(M_PI) * 1e-20));  // erf(x) ~ 2x/sqrt(pi) near 0
  EXPECT_EQ(fast_erff(std::numeric_limits<float>::infinity()), 1.0f);
  EXPECT_EQ(fast_erff(-std::numeric_limits<float>::infinity()), -1.0f);
  EXPECT_EQ(fast_erff(10.0f), 1.0f);
  EXPECT_TRUE(std::isnan(fast_erff(std::numeric_limits<float>::quiet_NaN())));
}

TEST(RowMath, ReductionsMatchPlainLoops) {
  for (int n : {1, 7, 8, 9, 31, 768}) {
    std::vector<float> v(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) v[size_t(i)] = std::sin(float(i) * 0.7f) * 3.0f;
    float mx = v[0], lo = 0, hi = 0;
    double s = 0, ss = 0;
    for (float x : v) mx = std::max(mx, x), s += x;
    const double mean = s / n;
    for (float x : v) ss += (x - mean) * (x - mean);
    EXPECT_EQ(row_max(v.data(), n), mx) << n;
    row_min_max(v.data(), n, lo, hi);
    EXPECT_EQ(lo, std::min(0.0f, *std::min_element(v.begin(), v.end()))) << n;
    EXPECT_EQ(hi, std::max(0.0f, *std::max_element(v.begin(), v.end()))) << n;
    EXPECT_NEAR(row_sum<1>(v.data(), n), s, 1e-4 * n) << n;
    EXPECT_NEAR(row_sum<2>(v.data(), n, float(mean)), ss, 1e-4 * ss + 1e-6) << n;
    std::vector<float> e = v;
    double es = 0;
    for (float x : v) es += std::exp(double(x) - mx);
    EXPECT_NEAR(row_exp_sum(e.data(), n, mx), es, 1e-5 * es) << n;
    for (int i = 0; i < n; ++i) EXPECT_NEAR(e[size_t(i)], std::exp(double(v[size_t(i)]) - mx), 1e-6) << n;
  }
}

}  // namespace
}  // namespace qwasm
