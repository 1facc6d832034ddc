#include "ops/quant_conv_requant.h"

#include <algorithm>
#include <climits>
#include <cstring>

#include "ops/quant_common.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace qwasm {
namespace {

constexpr double kRound = 6755399441055744.0;  // 1.5 * 2^52
constexpr int64_t kLim = int64_t(1) << 33;

// The first v with double(v) * m >= t (above), or the last with double(v) * m <= t.
int64_t edge(double m, double t, bool above) {
  const double g = t / m;
  if (g > double(kLim)) return kLim;
  if (g < -double(kLim)) return -kLim;
  int64_t v = int64_t(g);
  if (above) {
    while (double(v) * m < t) ++v;
    while (double(v - 1) * m >= t) --v;
  } else {
    while (double(v) * m > t) --v;
    while (double(v + 1) * m <= t) ++v;
  }
  return v;
}

// nearbyint(p) for |p| < 2^31: p + 1.5 * 2^52 lies in [2^52, 2^53), where doubles are
// the integers, so the addition rounds p (ties to even) and the low 32 bits of the sum
// are the result in two's complement. Reading bits instead of converting keeps the
// loops vectorized (a float-to-int conversion needs a range check in wasm).
inline int32_t rounded(double p) {
  const double s = p + kRound;
  int64_t bits;
  std::memcpy(&bits, &s, sizeof bits);
  return int32_t(uint32_t(uint64_t(bits)));
}

int32_t to_i32(int64_t v) { return int32_t(std::min<int64_t>(INT32_MAX, std::max<int64_t>(INT32_MIN, v))); }

#ifdef __wasm_simd128__
// 16 x 16 bytes: four rounds of "row i and row i+8 interleaved" make the transpose
// (each round moves one bit of the row index into the column index).
void transpose16(const uint8_t* src, int64_t lds, uint8_t* dst, int64_t ldd) {
  v128_t x[16], y[16];
  for (int i = 0; i < 16; ++i) x[i] = wasm_v128_load(src + i * lds);
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 8; ++i) {
      y[2 * i] = wasm_i8x16_shuffle(x[i], x[i + 8], 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
      y[2 * i + 1] = wasm_i8x16_shuffle(x[i], x[i + 8], 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    }
    for (int i = 0; i < 16; ++i) x[i] = y[i];
  }
  for (int i = 0; i < 16; ++i) wasm_v128_store(dst + i * ldd, x[i]);
}
#endif

}  // namespace



ConvRequant::ConvRequant(const std::vector<float>& mult, const int32_t* bias, int32_t zp, int32_t lo, int32_t hi)
    : mult_(mult), zp_(zp), lo_(lo), hi_(hi) {
  const size_t M = mult.size();
  m_.resize(M), b_.resize(M), bias_.resize(M), c_lo_.resize(M), c_hi_.resize(M);
  for (size_t i = 0; i < M; ++i) {
    const double m = mult[i];
    bias_[i] = bias ? bias[i] : 0;
    m_[i] = m, b_[i] = bias_[i];
    fast_ = fast_ && m > 0 && m < 1e6;
    if (!fast_) continue;
    // At c_hi the product reaches hi - zp + 1, so it rounds to at least hi + 1 - zp and
    // saturates at hi, like every larger accumulator; likewise c_lo at lo. In between,
    // |product| <= |range| + 2m: well inside the exact range of the rounding trick.
    c_hi_[i] = to_i32(edge(m, double(hi) - zp + 1.0, true) - bias_[i]);
    c_lo_[i] = to_i32(edge(m, double(lo) - zp - 1.0, false) - bias_[i]);
  }
}

void ConvRequant::row(const int32_t* c, int64_t n, int64_t m, uint8_t* out) const {
  if (!fast_) {
    for (int64_t i = 0; i < n; ++i) out[i] = uint8_t(requantize(c[i] + bias_[size_t(m)], mult_[size_t(m)], zp_, lo_, hi_));
    return;
  }
  const int32_t clo = c_lo_[size_t(m)], chi = c_hi_[size_t(m)], zp = zp_, lo = lo_, hi = hi_;
  const double b = b_[size_t(m)], mm = m_[size_t(m)];
  for (int64_t i = 0; i < n; ++i) {
    const int32_t a = std::min(chi, std::max(clo, c[i]));
    // The product rounds before kRound is added (a separate statement: clang contracts
    // into a fused multiply-add only within one expression).
    const double p = (double(a) + b) * mm;
    const int32_t q = rounded(p) + zp;
    out[i] = uint8_t(std::min(hi, std::max(lo, q)));
  }
}

void ConvRequant::tile(const int32_t* c, int64_t positions, int64_t mc, int64_t m0, uint8_t* out) const {
  if (!fast_) {
    for (int64_t o = 0; o < positions; ++o)
      for (int64_t j = 0; j < mc; ++j) {
        const size_t m = size_t(m0 + j);
        out[o * mc + j] = uint8_t(requantize(c[o * mc + j] + bias_[m], mult_[m], zp_, lo_, hi_));
      }
    return;
  }
  const int32_t* clo = c_lo_.data() + m0;
  const int32_t* chi = c_hi_.data() + m0;
  const double* b = b_.data() + m0;
  const double* mm = m_.data() + m0;
  const int32_t zp = zp_, lo = lo_, hi = hi_;
  for (int64_t o = 0; o < positions; ++o) {
    const int32_t* co = c + o * mc;
    uint8_t* oo = out + o * mc;
    for (int64_t j = 0; j < mc; ++j) {
      const int32_t a = std::min(chi[j], std::max(clo[j], co[j]));
      const double p = (double(a) + b[j]) * mm[j];
      const int32_t q = rounded(p) + zp;
      oo[j] = uint8_t(std::min(hi, std::max(lo, q)));
    }
  }
}


void transpose_bytes(const uint8_t* src, int64_t rows, int64_t cols, int64_t lds, uint8_t* dst, int64_t ldd) {
  constexpr int64_t T = 32;  // tiles that stay in L1 on both sides
  for (int64_t r0 = 0; r0 < rows; r0 += T)
    for (int64_t c0 = 0; c0 < cols; c0 += T) {
      const int64_t r1 = std::min(rows, r0 + T), c1 = std::min(cols, c0 + T);
#ifdef __wasm_simd128__
      if (r1 - r0 == T && c1 - c0 == T) {
        for (int64_t r = r0; r < r1; r += 16)
          for (int64_t c = c0; c < c1; c += 16) transpose16(src + r * lds + c, lds, dst + c * ldd + r, ldd);
        continue;
      }
#endif
      for (int64_t c = c0; c < c1; ++c)
        for (int64_t r = r0; r < r1; ++r) dst[c * ldd + r] = src[r * lds + c];
    }
}

}  // namespace qwasm
