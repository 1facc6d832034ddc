// GPTQ (quantize/gptq.h) against the numpy reference in tools/gptq_reference.py (fixture
// gptq_fixture.inc), and its point: lower output error than round-to-nearest on held-out
// inputs correlated like the calibration ones.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "quantize/block_quant.h"
#include "quantize/gptq.h"
#include "portable_normal.h"

namespace qwasm {
namespace {

#include "gptq_fixture.inc"

int nibble(const NBitsWeight& q, int64_t n, int64_t k, int64_t K, int block) {
  const int64_t blocks = (K + block - 1) / block, blob = block / 2;
  const uint8_t byte = q.b[size_t((n * blocks + k / block) * blob + (k % block) / 2)];
  return (byte >> ((k & 1) * 4)) & 15;
}

void expect_matches_numpy(bool symmetric, const int* want_q, const float* want_s, const int* want_zp) {
  std::vector<double> h(size_t(kGK * kGK), 0.0);
  accumulate_hessian(kGX, kGRows, kGK, h);
  const NBitsWeight q = quantize_nbits_gptq(kGW, kGK, kGN, h, 4, kGBlock, symmetric);
  const int64_t blocks = kGK / kGBlock;
  for (int64_t n = 0; n < kGN; ++n)
    for (int64_t b = 0; b < blocks; ++b) {
      EXPECT_NEAR(q.scales[size_t(n * blocks + b)], want_s[n * blocks + b], 1e-6f * std::fabs(want_s[n * blocks + b]))
          << "n=" << n << " block=" << b;
      if (!symmetric) EXPECT_EQ((q.zero_points[size_t(n)] >> (b * 4)) & 15, want_zp[n * blocks + b]) << "n=" << n;
    }
  // The same nibbles: both sides round in double, numpy's LAPACK inverse and ours differ by
  // ~1e-15 relative, so a mismatch would need a value within that of a rounding tie.
  for (int64_t n = 0; n < kGN; ++n)
    for (int64_t k = 0; k < kGK; ++k) EXPECT_EQ(nibble(q, n, k, kGK, kGBlock), want_q[n * kGK + k]) << "n=" << n << " k=" << k;
}

TEST(QuantizeGptq, AsymmetricMatchesNumpyReference) { expect_matches_numpy(false, kGQAsym, kGScalesAsym, kGZpAsym); }
TEST(QuantizeGptq, SymmetricMatchesNumpyReference) { expect_matches_numpy(true, kGQSym, kGScalesSym, nullptr); }

// Test data from mt19937's raw draws: the same numbers under libstdc++ and libc++.
struct Gauss {
  std::mt19937 r;
  explicit Gauss(uint32_t seed) : r(seed) {}
  double next() { return test::portable_normal(r); }
};

std::vector<float> dequantize(const NBitsWeight& q, int64_t K, int64_t N, int block) {
  std::vector<float> w(size_t(K * N));
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) {
      const int64_t b = k / block;
      const int zp = q.zero_points.empty() ? 8 : (q.zero_points[size_t(n * ((q.blocks + 1) / 2) + b / 2)] >> ((b & 1) * 4)) & 15;
      w[size_t(k * N + n)] = float(nibble(q, n, k, K, block) - zp) * q.scales[size_t(n * q.blocks + b)];
    }
  return w;
}

TEST(QuantizeGptq, LowerOutputErrorThanRoundToNearestOnHeldOutData) {
  const int64_t K = 128, N = 32, rows = 256, F = 8;
  Gauss g(1818);
  std::vector<float> w(size_t(K * N));
  for (float& v : w) v = float(g.next());
  std::vector<double> mix(size_t(F * K));
  for (double& v : mix) v = g.next();
  auto inputs = [&](int64_t n) {  // correlated: F latent factors mixed into K channels, plus noise
    std::vector<float> x(size_t(n * K));
    for (int64_t r = 0; r < n; ++r) {
      double lat[F];
      for (double& l : lat) l = g.next();
      for (int64_t k = 0; k < K; ++k) {
        double s = 0.2 * g.next();
        for (int f = 0; f < F; ++f) s += lat[f] * mix[size_t(f * K + k)];
        x[size_t(r * K + k)] = float(s);
      }
    }
    return x;
  };
  const std::vector<float> calib = inputs(rows), held = inputs(rows);
  std::vector<double> h(size_t(K * K), 0.0);
  accumulate_hessian(calib.data(), rows, K, h);
  auto error = [&](const std::vector<float>& wq) {  // mean squared output error on the held-out set
    double e = 0;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t n = 0; n < N; ++n) {
        double d = 0;
        for (int64_t k = 0; k < K; ++k) d += double(held[size_t(r * K + k)]) * (double(wq[size_t(k * N + n)]) - w[size_t(k * N + n)]);
        e += d * d;
      }
    return e / double(rows * N);
  };
  for (bool sym : {false, true}) {
    const double rtn = error(dequantize(quantize_nbits(w.data(), K, N, 4, 32, sym), K, N, 32));
    const double gptq = error(dequantize(quantize_nbits_gptq(w.data(), K, N, h, 4, 32, sym), K, N, 32));
    std::printf("[ gptq ] %s: held-out output MSE rtn %.4g, gptq %.4g (ratio %.3f)\n", sym ? "symmetric" : "asymmetric",
                rtn, gptq, gptq / rtn);
    EXPECT_LT(gptq, 0.8 * rtn) << (sym ? "symmetric" : "asymmetric");
  }
}

}  // namespace
}  // namespace qwasm
