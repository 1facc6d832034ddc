#include "ops/attention_kernel.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace qwasm {

void attention_f32(const AttentionShape& s, const float* q, const float* k, const float* v, float* out,
                   float scale, VisibleFn visible, const void* user, const ScoreBias& bias) {
  const int64_t group = s.q_heads / s.kv_heads;
  const int64_t d = s.head_dim;
  const int64_t dv = s.v_head_dim > 0 ? s.v_head_dim : d;
  std::vector<float> scores(size_t(std::max<int64_t>(s.kv_len, 1)));
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t h = 0; h < s.q_heads; ++h) {
      const int64_t kvh = h / group;
      const float* kb = k + b * s.k_sb + kvh * s.k_sh;
      const float* vb = v + b * s.v_sb + kvh * s.v_sh;
      for (int64_t i = 0; i < s.q_len; ++i) {
        const float* qi = q + b * s.q_sb + h * s.q_sh + i * s.q_ss;
        float* oi = out + b * s.o_sb + h * s.o_sh + i * s.o_ss;
        const int64_t n = visible ? std::min(s.kv_len, visible(user, b, i)) : s.kv_len;
        const float* bi = bias.p ? bias.p + b * bias.sb + h * bias.sh + i * bias.ss : nullptr;
        float mx = -INFINITY;
        for (int64_t j = 0; j < n; ++j) {
          const float* kj = kb + j * s.k_ss;
          float dot = 0;
          for (int64_t t = 0; t < d; ++t) dot += qi[t] * kj[t];
          scores[size_t(j)] = dot * scale + (bi ? bi[j] : 0.0f);
          mx = std::max(mx, scores[size_t(j)]);
        }
        std::fill(oi, oi + dv, 0.0f);
        if (n <= 0) continue;
        float sum = 0;
        for (int64_t j = 0; j < n; ++j) sum += scores[size_t(j)] = std::exp(scores[size_t(j)] - mx);
        const float inv = 1.0f / sum;
        for (int64_t j = 0; j < n; ++j) {
          const float p = scores[size_t(j)] * inv;
          const float* vj = vb + j * s.v_ss;
          for (int64_t t = 0; t < dv; ++t) oi[t] += p * vj[t];
        }
      }
    }
  }
}

void append_kv(const float* past, int64_t past_len, const float* fresh, int64_t fresh_row_stride, int64_t b,
               int64_t heads, int64_t s, int64_t d, float* present) {
  const int64_t total = past_len + s;
  for (int64_t bi = 0; bi < b; ++bi)
    for (int64_t h = 0; h < heads; ++h) {
      float* dst = present + (bi * heads + h) * total * d;
      if (past_len) std::memcpy(dst, past + (bi * heads + h) * past_len * d, size_t(past_len * d) * 4);
      for (int64_t i = 0; i < s; ++i)
        std::memcpy(dst + (past_len + i) * d, fresh + (bi * s + i) * fresh_row_stride + h * d, size_t(d) * 4);
    }
}

void apply_rotary(float* x, int64_t rotary_dim, const float* cos, const float* sin, bool interleaved) {
  const int64_t half = rotary_dim / 2;
  if (interleaved) {
    for (int64_t j = 0; j < half; ++j) {
      const float a = x[2 * j], b = x[2 * j + 1];
      x[2 * j] = a * cos[j] - b * sin[j];
      x[2 * j + 1] = b * cos[j] + a * sin[j];
    }
  } else {
    for (int64_t j = 0; j < half; ++j) {
      const float a = x[j], b = x[j + half];
      x[j] = a * cos[j] - b * sin[j];
      x[j + half] = b * cos[j] + a * sin[j];
    }
  }
}

}  // namespace qwasm
