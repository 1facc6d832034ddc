// Reductions and transforms over one contiguous float row, written with 8
// independent accumulators: a single running sum or max is a serial dependency
// the compiler may not reorder (float addition is not associative), eight lanes
// let it use SIMD (simd128 in wasm) and hide latency. Used by Softmax, the
// normalisations and dynamic quantization.
#pragma once
#include <cmath>
#include <cstdint>

#include "ops/fast_math.h"

namespace qwasm {

constexpr int kRowLanes = 8;

// max over p[0..n); n >= 1. NaNs are skipped (as `p[i] > m` skips them).
inline float row_max(const float* p, int64_t n) {
  float m[kRowLanes];
  for (int j = 0; j < kRowLanes; ++j) m[j] = p[0];
  int64_t i = 0;
  for (; i + kRowLanes <= n; i += kRowLanes)
    for (int j = 0; j < kRowLanes; ++j) m[j] = p[i + j] > m[j] ? p[i + j] : m[j];
  for (; i < n; ++i) m[0] = p[i] > m[0] ? p[i] : m[0];
  float r = m[0];
  for (int j = 1; j < kRowLanes; ++j) r = m[j] > r ? m[j] : r;
  return r;
}

// min and max over p[0..n), starting from lo/hi.
inline void row_min_max(const float* p, int64_t n, float& lo, float& hi) {
  float a[kRowLanes], b[kRowLanes];
  for (int j = 0; j < kRowLanes; ++j) a[j] = lo, b[j] = hi;
  int64_t i = 0;
  for (; i + kRowLanes <= n; i += kRowLanes)
    for (int j = 0; j < kRowLanes; ++j) {
      a[j] = p[i + j] < a[j] ? p[i + j] : a[j];
      b[j] = p[i + j] > b[j] ? p[i + j] : b[j];
    }
  for (; i < n; ++i) a[0] = p[i] < a[0] ? p[i] : a[0], b[0] = p[i] > b[0] ? p[i] : b[0];
  for (int j = 0; j < kRowLanes; ++j) lo = a[j] < lo ? a[j] : lo, hi = b[j] > hi ? b[j] : hi;
}

// sum of (p[i] - shift)^power for power 1 or 2.
template <int kPower>
inline float row_sum(const float* p, int64_t n, float shift = 0.0f) {
  float s[kRowLanes] = {};
  int64_t i = 0;
  for (; i + kRowLanes <= n; i += kRowLanes)
    for (int j = 0; j < kRowLanes; ++j) {
      const float d = p[i + j] - shift;
      s[j] += kPower == 2 ? d * d : d;
    }
  for (; i < n; ++i) {
    const float d = p[i] - shift;
    s[0] += kPower == 2 ? d * d : d;
  }
  float r = 0;
  for (int j = 0; j < kRowLanes; ++j) r += s[j];
  return r;
}

// p[i] = e^(p[i] - shift) in place; returns the sum of the new values.
inline float row_exp_sum(float* p, int64_t n, float shift) {
  float s[kRowLanes] = {};
  int64_t i = 0;
  for (; i + kRowLanes <= n; i += kRowLanes)
    for (int j = 0; j < kRowLanes; ++j) {
      const float e = fast_expf(p[i + j] - shift);
      p[i + j] = e;
      s[j] += e;
    }
  for (; i < n; ++i) {
    p[i] = fast_expf(p[i] - shift);
    s[0] += p[i];
  }
  float r = 0;
  for (int j = 0; j < kRowLanes; ++j) r += s[j];
  return r;
}

// Mean and 1 / sqrt(variance + eps) of one row (two passes in float lanes: no
// cancellation), the statistics every layer normalisation (LayerNormalization,
// SkipLayerNormalization, EmbedLayerNormalization) normalises with.
inline void row_mean_inv_std(const float* p, int64_t n, float eps, float& mean, float& inv_std) {
  mean = row_sum<1>(p, n) / float(n);
  const float var = row_sum<2>(p, n, mean) / float(n);
  inv_std = 1.0f / std::sqrt(var + eps);
}

}  // namespace qwasm
