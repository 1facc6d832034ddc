// The float32 Conv computations behind ops/nn_conv.cc, by shape class:
//   depthwise (one input channel per group): a direct kernel over padded rows;
//   1x1, stride 1, no padding: the input planes are already the GEMM's B (no im2col);
//   everything else 2-D (grouped or not): im2col over tiles of output rows into the
//   f32 GEMM, one GEMM per group and tile.
// Padding never costs a branch per element: each input row is copied once into a
// zero-padded row (split into `stride` phases, so that a strided tap reads consecutive
// floats) and every kernel tap then reads a contiguous run of it; rows of the kernel
// that fall into the top / bottom padding are skipped (depthwise) or zero-filled
// (im2col) per row.
// Work is cut into pieces fixed by the shapes (channels, groups, row tiles), never by
// the thread count, and each output value is computed by the same code on any thread:
// results are bit-identical for any number of threads.
#pragma once
#include <cstdint>
#include <vector>

#include "ops/conv_epilogue.h"
#include "ops/gemm_f32.h"
#include "ops/parallel.h"

namespace qwasm {

// One image's 2-D convolution (1-D convs come in as H = 1).
struct Conv2D {
  int64_t C = 0, H = 0, W = 0;        // input channels and plane
  int64_t M = 0, OH = 0, OW = 0;      // output channels and plane
  int64_t KH = 1, KW = 1, SH = 1, SW = 1, DH = 1, DW = 1;
  int64_t PT = 0, PL = 0;             // top / left padding (bottom / right follow from OH / OW)
  int64_t group = 1;

  int64_t cg() const { return C / group; }
  int64_t mg() const { return M / group; }
  bool depthwise() const { return cg() == 1; }
  bool pointwise() const { return KH == 1 && KW == 1 && SH == 1 && SW == 1 && PT == 0 && PL == 0 && OH == H && OW == W; }
};

// Whether s goes through the GEMM (all but the direct depthwise kernel).
bool conv2d_uses_gemm(const Conv2D& s);

// What a Conv prepares once from a constant W (at model load) for the GEMM shapes:
//   packed: W per group packed for the GEMM kernel (pack_gemm_a; empty where the kernel
//     has no packed-A path), [mg, cg KH KW] each, or the one [M, k_live] below;
//   slot, w_live, k_live: when taps (im2col rows) whose weight is zero in every output
//     channel are at least an eighth of them (group 1): each tap's row in the product
//     without them (-1: left out) and W without their columns.
// The products give the same bits as W used as given (conv2d_f32).
struct ConvWeights {
  std::vector<PackedGemmA> packed;
  std::vector<int32_t> slot;
  std::vector<float> w_live;
  int64_t k_live = 0;
};
// s: the Conv's channels, groups and kernel (the plane may be left 0). Empty where s does
// not use the GEMM.
ConvWeights prepare_conv_weights(const Conv2D& s, const float* w);

// y[M, OH*OW] = epilogue(conv(x[C, H*W], w[M, cg, KH, KW]) + bias[M] (+ res[M, OH*OW])).
// bias, res and cw may be nullptr; cw: prepare_conv_weights(s, w) (the same bits).
void conv2d_f32(Parallel& par, const Conv2D& s, const float* x, const float* w, const ConvWeights* cw,
                const float* bias, const float* res, const ConvEpilogue& ep, float* y);

}  // namespace qwasm
