// com.microsoft Attention and QAttention: the self-attention of BERT / GPT-2 exports from
// onnxruntime's transformer optimizer (and its quantizer, for QAttention). One input
// projection input [B, S, D_in] x weights [D_in, Hq + Hk + Hv] (+ bias) gives Q, K and V;
// an optional past [2, B, N, P, head] is prepended to K and V (present is the result);
// the scores take an additive mask built from mask_index (and the causal mask when
// unidirectional) plus an optional attention_bias, then attention runs in the fused
// kernel of ops/attention_kernel.h.
//
// mask_index forms (int32), as onnxruntime's CPU kernel reads them (T = P + S):
//   [B]       right padding: keys at or after mask_index[b] are masked
//   [2B]      end positions then start positions: keys outside [start, end) are masked
//   [B, T]    raw 0/1 mask (0 = masked), the same for every query
//   [B, S, T] raw 0/1 mask per query
// A masked key adds mask_filter_value (default -10000) to its score. The 4-D Megatron
// mask and the [3B + 2] packed form are refused (onnxruntime's CPU kernel has neither).
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "ops/attention_kernel.h"
#include "ops/dtype_switch.h"
#include "ops/gemm_f32.h"
#include "ops/quant_common.h"
#include "ops/quant_matmul.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

// Attributes shared by both ops, read and checked when the kernel is built.
struct AttentionAttrs {
  int64_t heads = 0;
  bool causal = false;
  float scale = 0, mask_filter = -10000.0f;
  std::vector<int64_t> qkv_sizes;  // empty: three equal parts

  explicit AttentionAttrs(const Node& n)
      : heads(n.attr_i("num_heads", 0)), causal(n.attr_i("unidirectional", 0) != 0), scale(n.attr_f("scale", 0.0f)),
        mask_filter(n.attr_f("mask_filter_value", -10000.0f)) {
    QWASM_CHECK(heads > 0, n.label(), ": num_heads must be positive");
    QWASM_CHECK(n.attr_i("do_rotary", 0) == 0, n.label(), ": do_rotary is not supported");
    QWASM_CHECK(n.attr_i("past_present_share_buffer", 0) == 0, n.label(), ": past_present_share_buffer is not supported");
    if (n.has_attr("qkv_hidden_sizes")) {
      qkv_sizes = n.attr_ints("qkv_hidden_sizes");
      QWASM_CHECK(qkv_sizes.size() == 3 && qkv_sizes[0] == qkv_sizes[1], n.label(),
                  ": qkv_hidden_sizes must list three sizes with Q and K equal");
      for (int64_t v : qkv_sizes)
        QWASM_CHECK(v > 0 && v % heads == 0, n.label(), ": qkv_hidden_sizes ", v, " does not split into ", heads,
                    " heads");
    }
  }
};

// The projected rows: qkv[B * S, width] with Q at column 0, K at hq and V at 2 hq.
struct Projected {
  std::vector<float> qkv;
  int64_t B = 0, S = 0, width = 0, hq = 0, hv = 0;
};

// Q/K and V hidden sizes for a projection of `width` columns; checked.
void split_sizes(const Node& n, const AttentionAttrs& a, int64_t width, int64_t& hq, int64_t& hv) {
  if (a.qkv_sizes.empty()) {
    QWASM_CHECK(width % 3 == 0 && (width / 3) % a.heads == 0, n.label(), ": weights have ", width,
                " columns, not three parts that split into ", a.heads, " heads");
    hq = hv = width / 3;
  } else {
    hq = a.qkv_sizes[0], hv = a.qkv_sizes[2];
    QWASM_CHECK(2 * hq + hv == width, n.label(), ": qkv_hidden_sizes sum to ", 2 * hq + hv, " but weights have ",
                width, " columns");
  }
}

// The additive score term of the mask (and causal mask) as [B, S, T], or empty.
std::vector<float> mask_bias(const Node& n, const AttentionAttrs& a, const Tensor* mask, int64_t B, int64_t S,
                             int64_t P) {
  const int64_t T = P + S;
  const bool causal = a.causal && S > 1;
  if (!mask && !causal) return {};
  std::vector<float> m(size_t(B * S * T), 0.0f);
  const float f = a.mask_filter;
  if (mask) {
    QWASM_CHECK(mask->dtype() == DType::Int32, n.label(), ": mask_index must be int32, got ", dtype_name(mask->dtype()));
    const int32_t* mi = mask->data<int32_t>();
    const Shape& ms = mask->shape();
    if (ms == Shape({B}) || ms == Shape({2 * B})) {
      for (int64_t b = 0; b < B; ++b) {
        const int64_t end = mi[b], start = ms[0] == 2 * B ? mi[B + b] : 0;
        for (int64_t i = 0; i < S; ++i)
          for (int64_t j = 0; j < T; ++j)
            if (j >= end || j < start) m[size_t((b * S + i) * T + j)] = f;
      }
    } else if (ms == Shape({B, T}) || ms == Shape({B, S, T})) {
      const bool per_query = ms.size() == 3;
      for (int64_t b = 0; b < B; ++b)
        for (int64_t i = 0; i < S; ++i)
          for (int64_t j = 0; j < T; ++j)
            if (mi[per_query ? (b * S + i) * T + j : b * T + j] <= 0) m[size_t((b * S + i) * T + j)] = f;
    } else {
      fail(n.label(), ": mask_index shape ", shape_str(ms), " is not supported (expected [", B, "], [", 2 * B, "], [", B,
           ", ", T, "] or [", B, ", ", S, ", ", T, "])");
    }
  }
  if (causal)
    for (int64_t b = 0; b < B; ++b)
      for (int64_t i = 0; i < S; ++i)
        for (int64_t j = P + i + 1; j < T; ++j) m[size_t((b * S + i) * T + j)] = f;
  return m;
}

// Attention over projected rows: output 0 [B, S, hv] and, when wanted, present
// [2, B, N, T, head] (past prepended). Inputs `past_i` / `bias_i` are the past and
// attention_bias slots of the op (bias_i < 0: none).
void attend(OpContext& ctx, const AttentionAttrs& a, const Projected& p, const Tensor* mask, int past_i, int bias_i) {
  const Node& n = ctx.node();
  const int64_t B = p.B, S = p.S, N = a.heads, d = p.hq / N, dv = p.hv / N;
  QWASM_CHECK(!ctx.output_wanted(1) || d == dv, n.label(), ": present requires equal Q, K and V hidden sizes");
  const Tensor* past = ctx.input(size_t(past_i));
  int64_t P = 0;
  if (past) {
    QWASM_CHECK(d == dv, n.label(), ": past requires equal Q, K and V hidden sizes");
    QWASM_CHECK(past->dtype() == DType::Float32 && past->rank() == 5 && past->dim(0) == 2 && past->dim(1) == B &&
                    past->dim(2) == N && past->dim(4) == d,
                n.label(), ": past must be float32 [2, ", B, ", ", N, ", past_len, ", d, "], got ",
                dtype_name(past->dtype()), " ", shape_str(past->shape()));
    P = past->dim(3);
  }
  const int64_t T = P + S;
  // K and V caches [B, N, T, head]: present's two halves when it is wanted.
  const Shape pres_shape{2, B, N, T, d};
  const bool want_present = ctx.output_wanted(1);
  Tensor kv = want_present ? ctx.output(1, DType::Float32, pres_shape) : Tensor(DType::Float32, {B * N * T * (d + dv)});
  float* kc = kv.data<float>();
  float* vc = kc + B * N * T * d;
  const float* past_k = past ? past->data<float>() : nullptr;
  const float* past_v = past ? past_k + B * N * P * d : nullptr;
  append_kv(past_k, P, p.qkv.data() + p.hq, p.width, B, N, S, d, kc);
  append_kv(past_v, P, p.qkv.data() + 2 * p.hq, p.width, B, N, S, dv, vc);

  const std::vector<float> mb = mask_bias(n, a, mask, B, S, P);
  ScoreBias sb;
  std::vector<float> combined;
  const Tensor* ab = bias_i >= 0 ? ctx.input(size_t(bias_i)) : nullptr;
  if (ab) {
    QWASM_CHECK(ab->dtype() == DType::Float32 && ab->rank() == 4 && (ab->dim(0) == 1 || ab->dim(0) == B) &&
                    (ab->dim(1) == 1 || ab->dim(1) == N) && ab->dim(2) == S && ab->dim(3) == T,
                n.label(), ": attention_bias must be float32 [", B, " or 1, ", N, " or 1, ", S, ", ", T, "], got ",
                dtype_name(ab->dtype()), " ", shape_str(ab->shape()));
    sb = {ab->data<float>(), ab->dim(0) == 1 ? 0 : ab->dim(1) * S * T, ab->dim(1) == 1 ? 0 : S * T, T};
    if (!mb.empty()) {  // both: one [B, N, S, T] term
      combined.resize(size_t(B * N * S * T));
      for (int64_t b = 0; b < B; ++b)
        for (int64_t h = 0; h < N; ++h)
          for (int64_t i = 0; i < S; ++i)
            for (int64_t j = 0; j < T; ++j)
              combined[size_t(((b * N + h) * S + i) * T + j)] =
                  sb.p[b * sb.sb + h * sb.sh + i * sb.ss + j] + mb[size_t((b * S + i) * T + j)];
      sb = {combined.data(), N * S * T, S * T, T};
    }
  } else if (!mb.empty()) {
    sb = {mb.data(), S * T, 0, T};
  }

  Tensor& out = ctx.output(0, DType::Float32, {B, S, p.hv});
  AttentionShape as{B, N, N, S, T, d,
                    S * p.width, d, p.width,
                    N * T * d, T * d, d,
                    N * T * dv, T * dv, dv,
                    S * p.hv, dv, p.hv};
  as.v_head_dim = dv;
  attention_f32(as, p.qkv.data(), kc, vc, out.data<float>(), a.scale > 0 ? a.scale : 1.0f / std::sqrt(float(d)),
                nullptr, nullptr, sb);
}

// Checks the 3-D input and returns B, S, D_in.
void input_dims(const Node& n, const Tensor& x, int64_t& B, int64_t& S, int64_t& D) {
  QWASM_CHECK(x.rank() == 3, n.label(), ": input must be 3-D [batch, seq, hidden], got ", shape_str(x.shape()));
  B = x.dim(0), S = x.dim(1), D = x.dim(2);
}

// Attention (input, weights, bias?, mask_index?, past?, attention_bias?, past_sequence_length?).
class Attention : public OpKernel {
 public:
  explicit Attention(const Node& n) : a_(n) {}

  void compute(OpContext& ctx) override {
    const Node& n = ctx.node();
    const Tensor& x0 = ctx.in(0);
    const Tensor& w0 = ctx.in(1);
    QWASM_CHECK(x0.dtype() == DType::Float32 && w0.dtype() == DType::Float32, n.label(),
                ": input and weights must be float32, got ", dtype_name(x0.dtype()), " and ", dtype_name(w0.dtype()));
    QWASM_CHECK(!ctx.input(6), n.label(), ": past_sequence_length is not supported");
    Projected p;
    int64_t D;
    input_dims(n, x0, p.B, p.S, D);
    QWASM_CHECK(w0.rank() == 2 && w0.dim(0) == D, n.label(), ": weights must be [", D, ", Hq + Hk + Hv], got ",
                shape_str(w0.shape()));
    p.width = w0.dim(1);
    split_sizes(n, a_, p.width, p.hq, p.hv);
    const Tensor* bias = ctx.input(2);
    QWASM_CHECK(!bias || (bias->dtype() == DType::Float32 && bias->size() == p.width), n.label(),
                ": bias must be float32 with ", p.width, " elements");
    const int64_t rows = p.B * p.S;
    p.qkv.assign(size_t(rows * p.width), 0.0f);
    if (bias)
      for (int64_t r = 0; r < rows; ++r) std::memcpy(&p.qkv[size_t(r * p.width)], bias->data<float>(), size_t(p.width) * 4);
    gemm_f32(ctx.parallel(), false, false, rows, p.width, D, 1.0f, x0.data<float>(), D, w0.data<float>(), p.width,
             bias ? 1.0f : 0.0f, p.qkv.data(), p.width);
    attend(ctx, a_, p, ctx.input(3), 4, 5);
  }

 private:
  AttentionAttrs a_;
};

// QAttention (input, weight, bias, input_scale, weight_scale, mask_index?, input_zero_point?,
// weight_zero_point?, past?): the projection is the int8 GEMM (A - za) x (W - zw), scaled by
// input_scale * weight_scale[n] and offset by bias; W (with its zero point) is packed
// once when constant.
class QAttention : public OpKernel {
 public:
  explicit QAttention(const BuildContext& bc) : n_(bc.node), a_(bc.node) {
    const Tensor* w = bc.const_input(1);
    const Tensor* zw = bc.const_input(7);
    const bool zw_absent = n_.inputs.size() <= 7 || n_.inputs[7].empty();
    if (w && (zw || zw_absent)) packed_ = pack_weight(*w, zw);
  }

  void compute(OpContext& ctx) override {
    const Tensor& x = ctx.in(0);
    const Tensor& w = ctx.in(1);
    std::shared_ptr<PackedB> packed = packed_;
    if (!packed) packed = pack_weight(w, ctx.input(7));
    else QWASM_CHECK(w.shape() == packed->shape, n_.label(), ": weight changed shape since the session was built");
    QWASM_CHECK(is_byte(x.dtype()), n_.label(), ": input must be uint8 or int8, got ", dtype_name(x.dtype()));
    Projected p;
    int64_t D;
    input_dims(n_, x, p.B, p.S, D);
    QWASM_CHECK(w.dim(0) == D, n_.label(), ": weight must be [", D, ", 3 * hidden], got ", shape_str(w.shape()));
    p.width = w.dim(1);
    split_sizes(n_, a_, p.width, p.hq, p.hv);
    const int64_t rows = p.B * p.S;
    const Tensor* za = ctx.input(6);
    check_zero_point(n_, "input_zero_point", za, x.dtype(), 1, "");
    const Tensor bias = widen_half(ctx.in(2)), xs = widen_half(ctx.in(3)), ws = widen_half(ctx.in(4));
    QWASM_CHECK(bias.dtype() == DType::Float32 && bias.size() == p.width, n_.label(), ": bias must be float with ",
                p.width, " elements, got ", shape_str(bias.shape()));
    QWASM_CHECK(xs.dtype() == DType::Float32 && xs.size() == 1, n_.label(), ": input_scale must be a float scalar");
    QWASM_CHECK(ws.dtype() == DType::Float32 && scalar_or_len(ws, p.width), n_.label(),
                ": weight_scale must be a float scalar or have ", p.width, " elements, got ", shape_str(ws.shape()));
    const IntMatMulShape s = int_matmul_shape(n_, {rows, D}, w.shape());
    std::vector<int32_t> acc(size_t(rows * p.width));
    int_matmul(ctx.parallel(), x, za, *packed, s, acc.data());
    p.qkv.resize(acc.size());
    const float* wsp = ws.data<float>();
    const float x_scale = xs.data<float>()[0];
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < p.width; ++c)
        p.qkv[size_t(r * p.width + c)] =
            float(acc[size_t(r * p.width + c)]) * (x_scale * wsp[ws.size() == 1 ? 0 : c]) + bias.data<float>()[c];
    attend(ctx, a_, p, ctx.input(5), 8, -1);
  }

 private:
  std::shared_ptr<PackedB> pack_weight(const Tensor& w, const Tensor* zw) const {
    QWASM_CHECK(is_byte(w.dtype()) && w.rank() == 2, n_.label(), ": weight must be a 2-D uint8 or int8 matrix, got ",
                dtype_name(w.dtype()), " ", shape_str(w.shape()));
    return pack_b(n_, w, zw);
  }

  const Node& n_;
  AttentionAttrs a_;
  std::shared_ptr<PackedB> packed_;
};

}  // namespace

void register_bert_attention_ops(OpRegistry& r) {
  r.add("com.microsoft", "Attention", 1, [](const BuildContext& bc) { return std::make_unique<Attention>(bc.node); });
  r.add("com.microsoft", "QAttention", 1, [](const BuildContext& bc) { return std::make_unique<QAttention>(bc); });
}

}  // namespace qwasm
