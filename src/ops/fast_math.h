// Branch-free float32 math for elementwise loops. libm's expf is a call per
// element that no compiler vectorises; this one is plain arithmetic, so loops
// over it vectorise (SSE/AVX natively, simd128 in wasm).
#pragma once
#include <cstdint>
#include <cstring>

namespace qwasm {

inline float fm_bits_to_float(int32_t i) { float f; std::memcpy(&f, &i, 4); return f; }
inline int32_t fm_float_to_bits(float f) { int32_t i; std::memcpy(&i, &f, 4); return i; }

// e^x for float32, within ~1.4 ulp of the exact value over the whole range;
// overflows to +inf, underflows through denormals to 0, NaN stays NaN.
// x = n*ln2 + r with |r| <= ln2/2 (Cody-Waite split of ln2), e^r from a
// degree-6 minimax polynomial, 2^n applied in two halves so that n may go
// past the normal exponent range (denormal results) without a branch.
// Out-of-range inputs are computed as garbage and replaced by selects at the
// end, with the range tests on the bit pattern: GCC neither if-converts float
// compares under -ftrapping-math nor loops whose constant-folded branches
// could overflow, and either would keep the loop from vectorising.
inline float fast_expf(float x) {
  const uint32_t ux = uint32_t(fm_float_to_bits(x));
  const bool over = int32_t(ux) > 0x42b17218;       // x > 88.7228 = ln(FLT_MAX): +inf (and +NaN)
  const bool under = ux > 0xc2d00000u;              // x < -104: below half the smallest denormal (and -NaN)
  const bool nan = (ux & 0x7fffffffu) > 0x7f800000u;
  // Round x*log2(e) to an integer by adding 1.5*2^23: n sits in the low mantissa bits.
  const float magic = 12582912.0f;
  const float t = x * 1.44269504088896341f + magic;
  const int32_t n = int32_t(uint32_t(fm_float_to_bits(t)) - uint32_t(fm_float_to_bits(magic)));
  const float nf = t - magic;
  float r = x - nf * 0.693359375f;  // ln2 = 0.693359375 (exact in float) - 2.12194440e-4
  r = r - nf * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t n1 = n >> 1, n2 = n - n1;
  const float s1 = fm_bits_to_float(int32_t(uint32_t(n1 + 127) << 23));
  const float s2 = fm_bits_to_float(int32_t(uint32_t(n2 + 127) << 23));
  // Selects as bit masks, so the math above stays unconditional (see above).
  uint32_t yb = uint32_t(fm_float_to_bits(p * s1 * s2));
  const uint32_t m_under = 0u - uint32_t(under), m_over = 0u - uint32_t(over), m_nan = 0u - uint32_t(nan);
  yb &= ~m_under;
  yb = (yb & ~m_over) | (0x7f800000u & m_over);
  yb = (yb & ~m_nan) | (ux & m_nan);
  return fm_bits_to_float(int32_t(yb));
}

// 1 / (1 + e^-x): e^-x overflowing to inf gives exactly 0.
inline float fast_sigmoidf(float x) { return 1.0f / (1.0f + fast_expf(-x)); }

// erf for float32, branch-free so loops over it vectorise. |x| < 1: the Maclaurin
// series 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)) to n = 12 (the first dropped
// term is below 1e-11 at |x| = 1), which keeps relative accuracy near 0 where
// erf(x) ~ 1.128 x. |x| >= 1: Abramowitz & Stegun 7.1.26, 1 - poly(t) e^(-x^2) with
// t = 1 / (1 + 0.3275911 |x|), absolute error <= 1.5e-7 (relative <= 1.8e-7 since
// erf >= 0.84 there). Both halves are computed and one is selected; NaN stays NaN.
inline float fast_erff(float x) {
  // |x|, the branch choice and the sign on the bit pattern (see fast_expf for why).
  const uint32_t ux = uint32_t(fm_float_to_bits(x)), sign = ux & 0x80000000u;
  const float a = fm_bits_to_float(int32_t(ux & 0x7fffffffu)), z = a * a;
  // Series coefficients 2/sqrt(pi) * (-1)^n / (n! (2n+1)), Horner in z = x^2.
  float s = 9.42275906e-11f;
  s = s * z - 1.22905553e-09f;
  s = s * z + 1.48071928e-08f;
  s = s * z - 1.63658447e-07f;
  s = s * z + 1.64621144e-06f;
  s = s * z - 1.49256504e-05f;
  s = s * z + 0.00012055333f;
  s = s * z - 0.000854832702f;
  s = s * z + 0.00522397763f;
  s = s * z - 0.0268661706f;
  s = s * z + 0.112837917f;
  s = s * z - 0.376126389f;
  s = s * z + 1.12837917f;
  const float small = s * a;
  const float t = 1.0f / (1.0f + 0.3275911f * a);
  float p = 1.061405429f;
  p = p * t - 1.453152027f;
  p = p * t + 1.421413741f;
  p = p * t - 0.284496736f;
  p = p * t + 0.254829592f;
  const float large = 1.0f - p * t * fast_expf(-z);
  // NaN makes both halves NaN, so either choice returns it.
  const uint32_t m_small = 0u - uint32_t((ux & 0x7fffffffu) < 0x3f800000u);  // |x| < 1
  const uint32_t r = (uint32_t(fm_float_to_bits(small)) & m_small) | (uint32_t(fm_float_to_bits(large)) & ~m_small);
  return fm_bits_to_float(int32_t(r ^ sign));
}

}  // namespace qwasm
