// Weight quantization arithmetic, independent of ONNX: round to nearest, ties to even
// (std::nearbyint in the default rounding mode), as numpy's round does.
#pragma once
#include <cstdint>
#include <vector>

namespace qwasm {

// MatMulNBits inputs for W [K, N] (row-major, float): B uint8 [N, blocks, block*bits/8]
// (4 bits: low nibble = even k), scales [N * blocks], zero points uint8 [N, ceil(blocks*bits/8)]
// (4 bits: two per byte, low nibble first; empty when symmetric). K is padded with zeros to
// whole blocks. Asymmetric: the block's range is widened to include 0, scale = range / (2^bits - 1),
// zp = round(-min / scale); symmetric: scale = max|w| / 2^(bits-1), zp = 2^(bits-1). A block of
// zeros gets scale 1.
struct NBitsWeight {
  std::vector<uint8_t> b;
  std::vector<float> scales;
  std::vector<uint8_t> zero_points;
  int64_t blocks = 0;
};
NBitsWeight quantize_nbits(const float* w, int64_t K, int64_t N, int bits, int block_size, bool symmetric);

// The pieces quantize_nbits is made of, for quantizers that choose the values another way (GPTQ):
// the scale and zero point of a block of `count` weights by the rule above (a block's zero
// padding cannot widen its range, which includes 0 already); an all-zero NBitsWeight for
// [K, N] with every scale 1; and writers of one block's parameters and of one value
// (0 <= q < 2^bits, i < block_size) of column n's block blk.
struct NBitsBlock {
  float scale;
  int zero_point;
};
NBitsBlock nbits_block(const float* v, int64_t count, int bits, bool symmetric);
NBitsWeight nbits_zeros(int64_t K, int64_t N, int bits, int block_size, bool symmetric);
void set_nbits_block(NBitsWeight& w, int64_t n, int64_t blk, const NBitsBlock& p, int bits, bool symmetric);
void set_nbits_value(NBitsWeight& w, int64_t n, int64_t blk, int64_t i, int q, int bits, int block_size);
// v's quantized value in block p: clamp(round(v / scale) + zero point, 0, 2^bits - 1), in float.
int nbits_round(float v, const NBitsBlock& p, int bits);

// Symmetric int8 per output channel for W [K, N]: scale[n] = max_k |w| / 127 (1 for a zero
// column), q = clamp(round(w / scale), -127, 127). Row-major [K, N] output.
struct Int8Weight {
  std::vector<int8_t> q;
  std::vector<float> scales;
};
Int8Weight quantize_int8_per_channel(const float* w, int64_t K, int64_t N);

// float8 E4M3FN per output channel of W [K, N]: scale[n] = max |w| over column n / 448 (the
// format's largest finite value; 1 for an all-zero column), q = w / scale rounded to the
// nearest E4M3FN value (ties to even, saturating), as DequantizeLinear (opset 19) reads it.
struct Float8Weight {
  std::vector<uint8_t> q;
  std::vector<float> scales;
};
Float8Weight quantize_float8_per_channel(const float* w, int64_t K, int64_t N);

}  // namespace qwasm

namespace qwasm {

// Symmetric int8 per slice of one axis, for a tensor viewed as [outer, channels, inner]
// (Conv W [M, C/g, kh, kw]: outer 1, channels M; MatMul W [K, N]: outer K, channels N, inner 1):
// scale[c] = max |w| over the slice / qmax (1 for an all-zero slice), q = clamp(round(w /
// scale), -qmax, qmax); q keeps w's layout. qmax 127, or 63 for reduced range.
Int8Weight quantize_int8_per_axis(const float* w, int64_t outer, int64_t channels, int64_t inner, int qmax);

}  // namespace qwasm
