// Per-input-channel weight scales that make a MatMul y = x W [K, N] easier to quantize,
// independent of ONNX. Both methods rewrite y = (x diag(s)^-1) (diag(s) W): the same product
// in exact arithmetic, with row k of W multiplied by s[k] before it is quantized and input
// channel k divided by s[k] (the rewrite, quantize/input_scale.h, puts the division where a
// standard runtime runs it).
//   AWQ (Lin et al. 2023, activation-aware weight quantization), for the weight-only 4 / 8-bit
//   MatMulNBits form: s = mean|x|^alpha per input channel (clamped to >= 1e-4, then divided by
//   sqrt(max s * min s)), alpha from the grid 0, 1/grid, ..., 1 minimising the calibration
//   output error sum_rows ||x diag(s)^-1 Q(diag(s) W) - x W||^2 = tr(D^T H D), D =
//   diag(s)^-1 Q(diag(s) W) - W, H = sum X^T X, Q = round to nearest by quantize_nbits's rule.
//   alpha 0 is s = 1, plain round to nearest, so AWQ is never worse than it on the calibration
//   rows; the smallest alpha wins a tie.
//   SmoothQuant (Xiao et al. 2022), for the int8 modes: s = max|x|^alpha / max_n|W[k, n]|^(1-alpha),
//   moving the activations' outlier channels into the weights (which are quantized per output
//   channel); s = 1 for a channel that is always 0 or whose weights are all 0.
#pragma once
#include <cstdint>
#include <vector>

namespace qwasm {

struct AwqScales {
  std::vector<float> scales;  // s [K]
  double alpha = 0;           // the chosen grid point
  double error = 0;           // its calibration output error tr(D^T H D)
  double rtn_error = 0;       // alpha 0's (round to nearest)
};

// s for one alpha: mean_abs^alpha clamped to >= 1e-4, divided by sqrt(max s * min s).
std::vector<float> awq_scales(const std::vector<double>& mean_abs, double alpha);

// w: [K, N] row-major; h: sum X^T X (K x K, row-major); mean_abs: mean |x| per input channel.
AwqScales awq_search(const float* w, int64_t K, int64_t N, const std::vector<double>& h,
                     const std::vector<double>& mean_abs, int bits, int block_size, bool symmetric, int grid = 20);

// The calibration output error tr(D^T H D) of weights w quantized after scaling rows by s.
double awq_error(const float* w, int64_t K, int64_t N, const std::vector<double>& h, const std::vector<float>& s,
                 int bits, int block_size, bool symmetric);

// AWQ's weight clipping search (after the scales): for each column n and block of diag(s) W,
// the range shrink r from 1, 1 - 1/grid, ..., 1 - max_shrink whose clamped block [r lo, r hi]
// (lo, hi: the block's range as quantize_nbits takes it, 0 included; symmetric +-max|v|)
// gives the least output error of that block alone, d_b^T H_bb d_b (H_bb: the block's
// diagonal part of H); the block's values are clamped into that range, so round to nearest on
// the result uses exactly it. The per-block choices ignore H's cross-block terms, so they are
// kept only when the whole layer's tr(D^T H D) goes down (never worse than unclipped).
struct AwqClip {
  std::vector<float> weights;   // diag(s) W [K, N], clamped where that won
  double error = 0;             // tr(D^T H D) of `weights`
  double unclipped_error = 0;   // of diag(s) W unclamped
  int64_t clipped_blocks = 0;   // blocks whose range shrank (0 when not kept)
};
AwqClip awq_clip(const float* w, int64_t K, int64_t N, const std::vector<double>& h, const std::vector<float>& s,
                 int bits, int block_size, bool symmetric, int grid = 20, double max_shrink = 0.5);

// tr(D^T H D) with D = diag(s)^-1 Q(ws) - W for given scaled weights ws (diag(s) W, clamped or not).
double awq_scaled_error(const float* ws, const float* w, int64_t K, int64_t N, const std::vector<double>& h,
                        const std::vector<float>& s, int bits, int block_size, bool symmetric);

// max_abs_x: max |x| per input channel; max_abs_w: max_n |W[k, n]| (over every MatMul that
// reads x); alpha in [0, 1].
std::vector<float> smoothquant_scales(const std::vector<double>& max_abs_x, const std::vector<double>& max_abs_w,
                                      double alpha);

}  // namespace qwasm
