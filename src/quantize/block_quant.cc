#include "quantize/block_quant.h"

#include <algorithm>
#include <cmath>

namespace qwasm {

NBitsWeight quantize_nbits(const float* w, int64_t K, int64_t N, int bits, int block_size, bool symmetric) {
  NBitsWeight out;
  const int64_t blocks = (K + block_size - 1) / block_size;
  const int qmax = (1 << bits) - 1;
  const int64_t blob = block_size * bits / 8;
  const int64_t zp_row = (blocks * bits + 7) / 8;
  out.blocks = blocks;
  out.b.assign(size_t(N * blocks * blob), 0);
  out.scales.assign(size_t(N * blocks), 1.0f);
  if (!symmetric) out.zero_points.assign(size_t(N * zp_row), 0);
  std::vector<float> v(static_cast<size_t>(block_size));
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t blk = 0; blk < blocks; ++blk) {
      for (int i = 0; i < block_size; ++i) {
        const int64_t k = blk * block_size + i;
        v[size_t(i)] = k < K ? w[k * N + n] : 0.0f;
      }
      float scale;
      int zp;
      if (symmetric) {
        float amax = 0;
        for (float x : v) amax = std::max(amax, std::fabs(x));
        scale = amax / float(1 << (bits - 1));
        zp = 1 << (bits - 1);
      } else {
        float lo = 0, hi = 0;
        for (float x : v) lo = std::min(lo, x), hi = std::max(hi, x);
        scale = (hi - lo) / float(qmax);
        zp = 0;
        if (scale != 0) zp = int(std::clamp(std::nearbyint(-lo / scale), 0.0f, float(qmax)));
      }
      if (scale == 0) scale = 1.0f;
      out.scales[size_t(n * blocks + blk)] = scale;
      uint8_t* dst = &out.b[size_t((n * blocks + blk) * blob)];
      for (int i = 0; i < block_size; ++i) {
        const int q = int(std::clamp(std::nearbyint(v[size_t(i)] / scale) + float(zp), 0.0f, float(qmax)));
        if (bits == 8) dst[i] = uint8_t(q);
        else dst[i / 2] |= uint8_t(q << ((i & 1) * 4));
      }
      if (!symmetric) {
        uint8_t& z = out.zero_points[size_t(n * zp_row + (blk * bits) / 8)];
        z |= uint8_t(zp << ((blk * bits) % 8));
      }
    }
  }
  return out;
}

Int8Weight quantize_int8_per_channel(const float* w, int64_t K, int64_t N) {
  Int8Weight out;
  out.q.resize(size_t(K * N));
  out.scales.assign(size_t(N), 1.0f);
  for (int64_t n = 0; n < N; ++n) {
    float amax = 0;
    for (int64_t k = 0; k < K; ++k) amax = std::max(amax, std::fabs(w[k * N + n]));
    const float scale = amax > 0 ? amax / 127.0f : 1.0f;
    out.scales[size_t(n)] = scale;
    for (int64_t k = 0; k < K; ++k)
      out.q[size_t(k * N + n)] = int8_t(std::clamp(std::nearbyint(w[k * N + n] / scale), -127.0f, 127.0f));
  }
  return out;
}

}  // namespace qwasm

namespace qwasm {

Int8Weight quantize_int8_per_axis(const float* w, int64_t outer, int64_t channels, int64_t inner, int qmax) {
  Int8Weight r;
  r.scales.assign(size_t(channels), 0.0f);
  r.q.assign(size_t(outer * channels * inner), 0);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < inner; ++i)
        r.scales[size_t(c)] = std::max(r.scales[size_t(c)], std::fabs(w[(o * channels + c) * inner + i]));
  for (float& s : r.scales) s = s > 0 ? s / float(qmax) : 1.0f;
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
