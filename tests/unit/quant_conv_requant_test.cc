// ConvRequant (src/ops/quant_conv_requant.cc) must give exactly requantize() from
// quant_common.h, the formula every QLinear op shares, for every accumulator: its
// vectorizable form pre-clamps accumulators and rounds with the 1.5 * 2^52 trick, so
// this sweeps the edges where that could go wrong (values around the saturation
// points, exact .5 ties, int32 extremes, huge and odd multipliers, narrowed ranges).
#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <random>
#include <vector>

#include "ops/quant_common.h"
#include "ops/quant_conv_requant.h"

using namespace qwasm;

namespace {

void check(const std::vector<float>& mult, const std::vector<int32_t>& bias, int32_t zp, int32_t lo, int32_t hi,
           const std::vector<int32_t>& acc, uint32_t seed) {
  const ConvRequant rq(mult, bias.data(), zp, lo, hi);
  const int64_t M = int64_t(mult.size()), n = int64_t(acc.size());
  std::vector<uint8_t> out(static_cast<size_t>(n)), tile(static_cast<size_t>(n * M));
  std::vector<int32_t> t(static_cast<size_t>(n * M));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t m = 0; m < M; ++m) t[size_t(i * M + m)] = acc[size_t(i)];
  rq.tile(t.data(), n, M, 0, tile.data());
  for (int64_t m = 0; m < M; ++m) {
    rq.row(acc.data(), n, m, out.data());
    for (int64_t i = 0; i < n; ++i) {
      // Wrapping add, as the int32 accumulate-then-add the ops did before.
      const int32_t v = int32_t(uint32_t(acc[size_t(i)]) + uint32_t(bias[size_t(m)]));
      const uint8_t want = uint8_t(requantize(v, mult[size_t(m)], zp, lo, hi));
      if (std::abs(double(acc[size_t(i)]) + bias[size_t(m)]) >= 2147483647.0) continue;  // int32 overflow: undefined
      ASSERT_EQ(out[size_t(i)], want) << "seed " << seed << " acc " << acc[size_t(i)] << " bias " << bias[size_t(m)]
                                      << " mult " << mult[size_t(m)];
      ASSERT_EQ(tile[size_t(i * M + m)], want) << "tile, seed " << seed << " acc " << acc[size_t(i)];
    }
  }
}

TEST(ConvRequant, MatchesRequantizeEverywhere) {
  std::mt19937 rng(1);
  for (uint32_t seed = 0; seed < 200; ++seed) {
    rng.seed(seed);
    const int M = 1 + int(rng() % 7);
    std::vector<float> mult;
    std::vector<int32_t> bias;
    for (int m = 0; m < M; ++m) {
      // Multipliers from 2^-30 to 2^3, plus exact powers of two (ties are frequent).
      const float e = std::uniform_real_distribution<float>(-30.0f, 3.0f)(rng);
      mult.push_back(rng() % 3 == 0 ? std::ldexp(1.0f, int(e)) : std::exp2(e));
      bias.push_back(rng() % 4 == 0 ? 0 : int32_t(std::uniform_int_distribution<int32_t>(-100000, 100000)(rng)));
    }
    const bool s8 = seed % 2;
    int32_t lo = s8 ? -128 : 0, hi = s8 ? 127 : 255;
    const int32_t zp = std::uniform_int_distribution<int32_t>(lo, hi)(rng);
    if (seed % 5 == 0) lo = std::max(lo, zp), hi = std::min(hi, zp + 60);  // a folded Relu / Clip
    std::vector<int32_t> acc = {0, 1, -1, INT32_MAX, INT32_MIN, INT32_MAX - 5, INT32_MIN + 5};
    for (int m = 0; m < M; ++m)
      for (int32_t q = lo - 3; q <= hi + 3; ++q)
        for (double half : {-0.5, 0.0, 0.5}) {  // accumulators at every output value and every tie
          const double a = (q - zp + half) / mult[size_t(m)] - bias[size_t(m)];
          if (std::fabs(a) < 2e9)
            for (int d = -1; d <= 1; ++d) acc.push_back(int32_t(std::llround(a)) + d);
        }
    for (int i = 0; i < 300; ++i) acc.push_back(int32_t(rng()));
    check(mult, bias, zp, lo, hi, acc, seed);
  }
}

TEST(ConvRequant, OddMultipliersUseThePlainFormula) {
  check({0.0f, 3e7f, -0.5f}, {5, -7, 0}, 10, 0, 255, {0, 1, -1, 100, -100, 1 << 20, INT32_MIN + 100}, 0);
}

TEST(ConvRequant, TransposeBytes) {
  std::vector<uint8_t> src(37 * 70), dst(70 * 40, 0);
  for (size_t i = 0; i < src.size(); ++i) src[i] = uint8_t(i * 7);
  transpose_bytes(src.data(), 37, 70, dst.data(), 40);
  for (int r = 0; r < 37; ++r)
    for (int c = 0; c < 70; ++c) ASSERT_EQ(dst[size_t(c * 40 + r)], src[size_t(r * 70 + c)]);
}

}  // namespace
