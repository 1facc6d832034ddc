// QLinearConv's output step, y = saturate(round((acc + bias[m]) * mult[m]) + y_zp),
// computed exactly as requantize() in quant_common.h but in loops compilers
// vectorize, plus the byte transpose that turns the GEMM's [positions, channels]
// tiles into NCHW. Float compares keep NaN semantics and stay scalar, so:
//  - accumulators are clamped first, in int32, to [c_lo, c_hi]: past those values
//    the output saturates anyway, and the product below stays small;
//  - adding 1.5 * 2^52 rounds a small double to the nearest integer, ties to even, as
//    nearbyint does in the default rounding mode, and leaves it in the low bits;
//  - the final clamp is an int32 min/max.
#pragma once
#include <cstdint>
#include <vector>

namespace qwasm {

class ConvRequant {
 public:
  // mult[m] per output channel; bias may be null; [lo, hi] the output range (already
  // narrowed by a folded activation).
  ConvRequant(const std::vector<float>& mult, const int32_t* bias, int32_t zp, int32_t lo, int32_t hi);
  // Channel m's accumulators c[0..n) -> out bytes (int8 outputs as two's complement).
  void row(const int32_t* c, int64_t n, int64_t m, uint8_t* out) const;
  // A GEMM tile c [positions, channels m0..m0+mc) -> out bytes in the same layout.
  void tile(const int32_t* c, int64_t positions, int64_t mc, int64_t m0, uint8_t* out) const;

 private:
  std::vector<float> mult_;
  std::vector<double> m_, b_;
  std::vector<int32_t> bias_, c_lo_, c_hi_;
  int32_t zp_, lo_, hi_;
  bool fast_ = true;  // false: some multiplier is odd (<= 0, huge, NaN): the plain formula
};

// dst[c * ldd + r] = src[r * lds + c] for a rows x cols byte matrix.
void transpose_bytes(const uint8_t* src, int64_t rows, int64_t cols, int64_t lds, uint8_t* dst, int64_t ldd);
inline void transpose_bytes(const uint8_t* src, int64_t rows, int64_t cols, uint8_t* dst, int64_t ldd) {
  transpose_bytes(src, rows, cols, cols, dst, ldd);
}

}  // namespace qwasm
