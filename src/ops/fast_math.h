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

// erf for float32, branch-free so loops over it vectorise: erf(x) = x * P(x^2) / Q(x^2)
// with |x| clamped to 3.92 (where erf rounds to 1 in float32), P of degree 6 and Q of
// degree 5 in x^2. The coefficients are a weighted minimax fit of erf(x) / x made for
// this file (least squares on a dense grid with Lawson reweighting, P(0) fixed to
// 2/sqrt(pi) so that erf(x) ~ 2x/sqrt(pi) holds near 0): 6e-9 in exact arithmetic,
// within 3.5e-7 of erf (absolute and relative) once evaluated in float32. Q >= 1 on the
// range. One division and eleven multiply-adds: about a third of the work of a series
// plus the e^(-x^2) tail form, which mattered as Erf is most of GELU.
inline float fast_erff(float x) {
  // |x|, the clamp, NaN and the sign on the bit pattern (see fast_expf for why).
  const uint32_t ux = uint32_t(fm_float_to_bits(x)), sign = ux & 0x80000000u, ua = ux & 0x7fffffffu;
  const uint32_t kClampBits = 0x407ae148u;  // 3.92f; +inf and NaN clamp too
  const float a = fm_bits_to_float(int32_t(ua < kClampBits ? ua : kClampBits)), z = a * a;
  float p = -1.921533688e-08f;
  p = p * z + 5.884718576e-06f;
  p = p * z + 4.220784758e-04f;
  p = p * z + 3.870417597e-03f;
  p = p * z + 5.498066172e-02f;
  p = p * z + 1.824658066e-01f;
  p = p * z + 1.128379226e+00f;
  float q = 7.446792733e-05f;
  q = q * z + 1.368769910e-03f;
  q = q * z + 1.565347612e-02f;
  q = q * z + 1.137356013e-01f;
  q = q * z + 4.950402081e-01f;
  q = q * z + 1.0f;
  uint32_t r = uint32_t(fm_float_to_bits(a * (p / q)));
  r = r < 0x3f800000u ? r : 0x3f800000u;  // rounding may pass 1 near the clamp
  const uint32_t m_nan = 0u - uint32_t(ua > 0x7f800000u);
  r = ((r | sign) & ~m_nan) | (ux & m_nan);
  return fm_bits_to_float(int32_t(r));
}

// 1 / (1 + e^-x) through fast_expf: within ~2 ulp; large negative x underflows to 0
// (e^-x overflows to +inf), large positive x gives 1.
inline float fast_sigmoidf(float x) { return 1.0f / (1.0f + fast_expf(-x)); }

// tanh for float32, branch-free so loops over it vectorise, within ~2 ulp. |x| < 0.625:
// x + x^3 P(x^2), the degree-4 minimax P of Cephes' tanhf (relative error ~1 ulp where
// 1 - 2 / (e^2x + 1) would lose the low bits to cancellation); else the sign of x times
// 1 - 2 / (e^2|x| + 1) (e^2|x| overflows to +inf past |x| ~ 44: exactly +-1). NaN stays NaN.
inline float fast_tanhf(float x) {
  const uint32_t ux = uint32_t(fm_float_to_bits(x)), sign = ux & 0x80000000u, ua = ux & 0x7fffffffu;
  const float a = fm_bits_to_float(int32_t(ua));
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = p * z * a + a;  // of |x|, as is `large`: the sign goes on last (tanh(-0) = -0)
  const float large = 1.0f - 2.0f / (fast_expf(a + a) + 1.0f);
  const uint32_t m_small = 0u - uint32_t(ua < 0x3f200000u);  // |x| < 0.625
  const uint32_t mag = (uint32_t(fm_float_to_bits(small)) & m_small) | (uint32_t(fm_float_to_bits(large)) & ~m_small);
  return fm_bits_to_float(int32_t(mag | sign));
}

}  // namespace qwasm
