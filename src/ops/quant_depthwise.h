// Direct depthwise 2-D integer convolution (group == input channels == output
// channels), the 3x3 layers of MobileNet-style CNNs. Through im2row + GEMM each
// channel would be a GEMM with N = 1 and K = 9: all overhead. Here each channel is
// a few multiply-adds per output over an int16 plane, exact in int32.
#pragma once
#include <cstdint>
#include <vector>

#include "ops/conv_geometry.h"
#include "ops/parallel.h"

namespace qwasm {

// Weights with their zero point subtracted: w[c * taps + t] = W[c, 0, kh, kw] - w_zp[c].
struct DepthwiseWeights {
  int64_t channels = 0, taps = 0;
  std::vector<int16_t> w;
};

// W [C, 1, kh, kw] bytes (signed or not), zero points per tensor (size 1) or per channel, or none.
DepthwiseWeights depthwise_weights(const uint8_t* w, bool w_signed, int64_t channels, int64_t taps,
                                   const int32_t* zp, int64_t zp_count);

// y[c, o] = sum_t (x[c, in(o, t)] - x_zp) * w[c, t] over one image x [C, H, W]
// (padding contributes 0); y is [C, out_h * out_w]. Only 2-D geometry. Channels split across `par`.
void depthwise_conv(Parallel& par, const uint8_t* x, bool x_signed, int32_t x_zp, const DepthwiseWeights& w,
                    const ConvGeometry& g, int32_t* y);

}  // namespace qwasm
