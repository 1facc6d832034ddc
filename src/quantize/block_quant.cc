#include "quantize/block_quant.h"

#include <algorithm>
#include <cmath>

#include "ops/quant_common.h"

namespace qwasm {

NBitsBlock nbits_block(const float* v, int64_t count, int bits, bool symmetric) {
  NBitsBlock p{0, 0};
  if (symmetric) {
    float amax = 0;
    for (int64_t i = 0; i < count; ++i) amax = std::max(amax, std::fabs(v[i]));
    p.scale = amax / float(1 << (bits - 1));
    p.zero_point = 1 << (bits - 1);
  } else {
    const int qmax = (1 << bits) - 1;
    float lo = 0, hi = 0;
    for (int64_t i = 0; i < count; ++i) lo = std::min(lo, v[i]), hi = std::max(hi, v[i]);
    p.scale = (hi - lo) / float(qmax);
    if (p.scale != 0) p.zero_point = int(std::clamp(std::nearbyint(-lo / p.scale), 0.0f, float(qmax)));
  }
  if (p.scale == 0) p.scale = 1.0f;
  return p;
}

NBitsWeight nbits_zeros(int64_t K, int64_t N, int bits, int block_size, bool symmetric) {
  NBitsWeight out;
  out.blocks = (K + block_size - 1) / block_size;
  out.b.assign(size_t(N * out.blocks * (block_size * bits / 8)), 0);
  out.scales.assign(size_t(N * out.blocks), 1.0f);
  if (!symmetric) out.zero_points.assign(size_t(N * ((out.blocks * bits + 7) / 8)), 0);
  return out;
}

void set_nbits_block(NBitsWeight& w, int64_t n, int64_t blk, const NBitsBlock& p, int bits, bool symmetric) {
  w.scales[size_t(n * w.blocks + blk)] = p.scale;
  if (!symmetric) {
    const int64_t zp_row = (w.blocks * bits + 7) / 8;
    w.zero_points[size_t(n * zp_row + (blk * bits) / 8)] |= uint8_t(p.zero_point << ((blk * bits) % 8));
  }
}

void set_nbits_value(NBitsWeight& w, int64_t n, int64_t blk, int64_t i, int q, int bits, int block_size) {
  uint8_t* dst = &w.b[size_t((n * w.blocks + blk) * (block_size * bits / 8))];
  if (bits == 8) dst[i] = uint8_t(q);
  else dst[i / 2] |= uint8_t(q << ((i & 1) * 4));
}

int nbits_round(float v, const NBitsBlock& p, int bits) {
  return int(std::clamp(std::nearbyint(v / p.scale) + float(p.zero_point), 0.0f, float((1 << bits) - 1)));
}

NBitsWeight quantize_nbits(const float* w, int64_t K, int64_t N, int bits, int block_size, bool symmetric) {
  NBitsWeight out = nbits_zeros(K, N, bits, block_size, symmetric);
  std::vector<float> v(static_cast<size_t>(block_size));
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t blk = 0; blk < out.blocks; ++blk) {
      for (int i = 0; i < block_size; ++i) {
        const int64_t k = blk * block_size + i;
        v[size_t(i)] = k < K ? w[k * N + n] : 0.0f;
      }
      const NBitsBlock p = nbits_block(v.data(), block_size, bits, symmetric);
      set_nbits_block(out, n, blk, p, bits, symmetric);
      for (int i = 0; i < block_size; ++i) set_nbits_value(out, n, blk, i, nbits_round(v[size_t(i)], p, bits), bits, block_size);
    }
  }
  return out;
}

namespace {

// Symmetric per-channel scales over a weight viewed as [outer, channels, inner]: amax / qmax per
// channel, 1 for an all-zero channel (its values quantize to 0 either way).
std::vector<float> axis_scales(const float* w, int64_t outer, int64_t channels, int64_t inner, float qmax) {
  std::vector<float> scales(size_t(channels), 0.0f);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < inner; ++i)
        scales[size_t(c)] = std::max(scales[size_t(c)], std::fabs(w[(o * channels + c) * inner + i]));
  for (float& s : scales) s = s > 0 ? s / qmax : 1.0f;
  return scales;
}

}  // namespace

Float8Weight quantize_float8_per_channel(const float* w, int64_t K, int64_t N) {
  constexpr float kMaxE4M3FN = 448.0f;
  Float8Weight out;
  out.scales = axis_scales(w, K, N, 1, kMaxE4M3FN);
  out.q.resize(size_t(K * N));
  for (int64_t k = 0; k < K; ++k)
    for (int64_t n = 0; n < N; ++n)
      out.q[size_t(k * N + n)] = float_to_f8(w[k * N + n] / out.scales[size_t(n)], DType::Float8E4M3FN, /*saturate=*/true);
  return out;
}

Int8Weight quantize_int8_per_channel(const float* w, int64_t K, int64_t N) {
  return quantize_int8_per_axis(w, K, N, 1, 127);  // [K, N]: the columns are the channels
}

Int8Weight quantize_int8_per_axis(const float* w, int64_t outer, int64_t channels, int64_t inner, int qmax) {
  Int8Weight r;
  r.scales = axis_scales(w, outer, channels, inner, float(qmax));
  r.q.assign(size_t(outer * channels * inner), 0);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < inner; ++i) {
        const size_t at = size_t((o * channels + c) * inner + i);
        const float v = std::nearbyint(w[at] / r.scales[size_t(c)]);
        r.q[at] = int8_t(std::min(std::max(v, float(-qmax)), float(qmax)));
      }
  return r;
}

}  // namespace qwasm
