// GPTQ (Frantar et al., 2022) for the weight-only MatMulNBits form, independent of ONNX:
// quantizes W [K, N] one row of K at a time (an input channel: the K dimension is what the
// MatMul sums over) and spreads each row's rounding error over the rows not yet quantized,
// weighted by the inverse Hessian of the layer's squared output error, H = sum X^T X over the
// calibration inputs X [rows, K].
//   H += 0.01 * mean(diag H) * I (damping); a row whose diag is 0 (an input that was always 0)
//   gets diag 1 and weight 0, as the paper's code does.
//   U = upper Cholesky factor of H^-1 (H^-1 = U^T U).
//   For k = 0..K-1: at the first row of each block the block's scale / zero point per column
//   are chosen from the current (already error-compensated) weights of that block by the
//   same rule as quantize_nbits; q = clamp(round(w_k / s) + zp), e = (w_k - (q - zp) s) / U[k][k],
//   w_j -= e * U[k][j] for every later row j (within the block and across blocks).
// Everything runs in double in a fixed order, so g++, clang and wasm give the same nibbles.
// The output has quantize_nbits's layout and rules (K padded with zero rows to whole blocks).
#pragma once
#include <cstdint>
#include <vector>

#include "quantize/block_quant.h"

namespace qwasm {

// h: K x K, row-major, symmetric (only read). Throws qwasm::Error when the dampened H is not
// positive definite (it always is for finite inputs; NaNs in the calibration data are not).
NBitsWeight quantize_nbits_gptq(const float* w, int64_t K, int64_t N, const std::vector<double>& h, int bits,
                                int block_size, bool symmetric);

// Adds x [rows, K]^T x to h (K x K, row-major).
void accumulate_hessian(const float* x, int64_t rows, int64_t K, std::vector<double>& h);

}  // namespace qwasm
