#include "ops/quant_depthwise.h"

#include <algorithm>
#include <vector>

#include "ops/parallel_gemm.h"

namespace qwasm {

DepthwiseWeights depthwise_weights(const uint8_t* w, bool w_signed, int64_t channels, int64_t taps,
                                   const int32_t* zp, int64_t zp_count) {
  DepthwiseWeights d;
  d.channels = channels, d.taps = taps;
  d.w.resize(size_t(channels * taps));
  for (int64_t c = 0; c < channels; ++c) {
    const int32_t z = zp_count == 0 ? 0 : zp[zp_count == 1 ? 0 : c];
    for (int64_t t = 0; t < taps; ++t) {
      const uint8_t b = w[c * taps + t];
      d.w[size_t(c * taps + t)] = int16_t((w_signed ? int32_t(int8_t(b)) : int32_t(b)) - z);
    }
  }
  return d;
}

void depthwise_conv(Parallel& par, const uint8_t* x, bool x_signed, int32_t x_zp, const DepthwiseWeights& w,
                    const ConvGeometry& g, int32_t* y) {
  const int64_t H = g.in[0], W = g.in[1], kh = g.kernel[0], kw = g.kernel[1];
  const int64_t sh = g.stride[0], sw = g.stride[1], dh = g.dilation[0], dw = g.dilation[1];
  const int64_t OH = g.out[0], OW = g.out[1];
  // The padded input as `sw` column phases: phase p, column j holds padded column
  // j * sw + p, so tap kx of output column ox reads phase (kx*dw) % sw at column
  // ox + (kx*dw) / sw: every inner loop below is contiguous, whatever the stride.
  const int64_t Hp = std::max(H + g.pad_lo[0] + g.pad_hi[0], (OH - 1) * sh + (kh - 1) * dh + 1);
  const int64_t Wp = std::max(W + g.pad_lo[1] + g.pad_hi[1], (OW - 1) * sw + (kw - 1) * dw + 1);
  const int64_t pw = (Wp + sw - 1) / sw;  // columns per phase
  const int64_t in_size = H * W, taps = kh * kw;
  // Channels are independent: each piece of the channel range gets its own plane and
  // writes only its own outputs, so the result does not depend on the thread count.
  const int64_t work = w.channels * OH * OW * taps;
  const int pieces = work < kParallelMinWork ? 1 : static_cast<int>(std::min<int64_t>(par.threads(), w.channels));
  parallel_for(par, pieces, [&](int piece) {
    const int64_t c_begin = w.channels * piece / pieces, c_end = w.channels * (piece + 1) / pieces;
    std::vector<int16_t> plane(static_cast<size_t>(sw * Hp * pw));
    std::vector<int32_t> acc(static_cast<size_t>(OW));
    // The padding is 0 (a padded tap contributes nothing) and stays 0: every channel
    // overwrites the same interior positions.
    for (int64_t c = c_begin; c < c_end; ++c) {
      const uint8_t* xc = x + c * in_size;
      for (int64_t r = 0; r < H && r + g.pad_lo[0] < Hp; ++r) {
        const uint8_t* xr = xc + r * W;
        for (int64_t p = 0; p < sw; ++p) {
          // Phase p, column j is input column j * sw + p - pad_lo (when inside the input).
          int16_t* dst = plane.data() + (p * Hp + r + g.pad_lo[0]) * pw;
          const int64_t first = p - g.pad_lo[1];
          const int64_t j0 = first >= 0 ? 0 : (-first + sw - 1) / sw;
          const int64_t j1 = std::min(pw, (W - first + sw - 1) / sw);  // first j past the input
          if (x_signed)
            for (int64_t j = j0; j < j1; ++j) dst[j] = int16_t(int32_t(int8_t(xr[first + j * sw])) - x_zp);
          else
            for (int64_t j = j0; j < j1; ++j) dst[j] = int16_t(int32_t(xr[first + j * sw]) - x_zp);
        }
      }
      const int16_t* wc = w.w.data() + c * taps;
      int32_t* yc = y + c * OH * OW;
      if (kh == 3 && kw == 3) {
        // The common case: nine taps summed in registers, one store per output.
        int32_t w9[9];
        for (int t = 0; t < 9; ++t) w9[t] = wc[t];
        for (int64_t oy = 0; oy < OH; ++oy) {
          const int16_t* s[9];
          for (int64_t ky = 0; ky < 3; ++ky)
            for (int64_t kx = 0; kx < 3; ++kx) {
              const int64_t row = oy * sh + ky * dh, off = kx * dw;
              s[ky * 3 + kx] = plane.data() + ((off % sw) * Hp + row) * pw + off / sw;
            }
          int32_t* yr = yc + oy * OW;
          for (int64_t ox = 0; ox < OW; ++ox)
            yr[ox] = w9[0] * s[0][ox] + w9[1] * s[1][ox] + w9[2] * s[2][ox] + w9[3] * s[3][ox] + w9[4] * s[4][ox] +
                     w9[5] * s[5][ox] + w9[6] * s[6][ox] + w9[7] * s[7][ox] + w9[8] * s[8][ox];
        }
        continue;
      }
      for (int64_t oy = 0; oy < OH; ++oy) {
        std::fill(acc.begin(), acc.end(), 0);
        for (int64_t ky = 0; ky < kh; ++ky) {
          const int64_t row = oy * sh + ky * dh;
          for (int64_t kx = 0; kx < kw; ++kx) {
            const int64_t off = kx * dw;
            const int16_t* src = plane.data() + ((off % sw) * Hp + row) * pw + off / sw;
            // int16 x int16 -> int32: compilers emit widening multiplies (extmul on wasm).
            const int16_t wv = wc[ky * kw + kx];
            int32_t* a = acc.data();
            for (int64_t ox = 0; ox < OW; ++ox) a[ox] += int32_t(wv) * int32_t(src[ox]);
          }
        }
        std::copy(acc.begin(), acc.end(), yc + oy * OW);
      }
    }
  });
}

}  // namespace qwasm
