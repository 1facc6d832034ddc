// Fused scaled-dot-product attention for decoder ops (GroupQueryAttention,
// MultiHeadAttention): one pass per (batch, head, query) computing
// softmax(q.k * scale + mask) . v without materialising the score matrix.
#pragma once
#include <cstdint>

namespace qwasm {

struct AttentionShape {
  int64_t batch, q_heads, kv_heads, q_len, kv_len, head_dim;
  // Strides in floats for [batch, head, position] of q (and the output), k and v.
  int64_t q_sb, q_sh, q_ss;
  int64_t k_sb, k_sh, k_ss;
  int64_t v_sb, v_sh, v_ss;
  int64_t o_sb, o_sh, o_ss;
};

// visible(b, i) = number of leading keys query i of batch b may see (causal:
// its absolute position + 1; capped at kv_len). nullptr = all keys.
using VisibleFn = int64_t (*)(const void* user, int64_t b, int64_t i);

void attention_f32(const AttentionShape& s, const float* q, const float* k, const float* v, float* out,
                   float scale, VisibleFn visible, const void* user);

// Rotate-half (or interleaved) rotary embedding of one head vector in place,
// with cos/sin rows of rotary_dim / 2 values.
void apply_rotary(float* x, int64_t rotary_dim, const float* cos, const float* sin, bool interleaved);

}  // namespace qwasm
