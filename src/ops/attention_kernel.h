// Fused scaled-dot-product attention for the attention contrib ops (GroupQueryAttention,
// MultiHeadAttention, Attention, QAttention): one pass per (batch, head, query) computing
// softmax(q.k * scale + bias) . v without materialising the score matrix.
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
  int64_t v_head_dim = 0;  // head size of v and of the output; 0: head_dim
};

// An additive term on the scaled scores: p[b * sb + h * sh + i * ss + j] for query i and
// key j (a stride of 0 broadcasts that dim). Masks arrive as one (mask_filter_value for
// a masked key, 0 otherwise).
struct ScoreBias {
  const float* p = nullptr;
  int64_t sb = 0, sh = 0, ss = 0;
};

// visible(b, i) = number of leading keys query i of batch b may see (causal:
// its absolute position + 1; capped at kv_len). nullptr = all keys.
using VisibleFn = int64_t (*)(const void* user, int64_t b, int64_t i);

void attention_f32(const AttentionShape& s, const float* q, const float* k, const float* v, float* out,
                   float scale, VisibleFn visible, const void* user, const ScoreBias& bias = {});

// A KV cache step: present[b, n, past + s, d] = concat(past[b, n, past, d] (or nothing when
// past is nullptr), fresh[b, s, n, d] (rows of `fresh_row_stride` floats, head n at n * d)).
void append_kv(const float* past, int64_t past_len, const float* fresh, int64_t fresh_row_stride, int64_t b,
               int64_t heads, int64_t s, int64_t d, float* present);

// Rotate-half (or interleaved) rotary embedding of one head vector in place,
// with cos/sin rows of rotary_dim / 2 values.
void apply_rotary(float* x, int64_t rotary_dim, const float* cos, const float* sin, bool interleaved);

}  // namespace qwasm
