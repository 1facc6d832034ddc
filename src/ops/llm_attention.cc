// com.microsoft GroupQueryAttention and MultiHeadAttention (decoder attention
// with a KV cache). New keys/values are appended to the past cache in the
// [batch, kv_heads, seq, head_dim] layout onnxruntime uses; attention runs in
// one fused pass (ops/attention_kernel.h). float16 runs through float32 (ops/half_via_float.h).
#include <cmath>
#include <cstring>
#include <vector>

#include "ops/attention_kernel.h"
#include "ops/half_via_float.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

const float* f32_of(const OpContext& ctx, const Tensor& t, const char* what) {
  QWASM_CHECK(t.dtype() == DType::Float32, ctx.node().label(), ": ", what, " must be float32 or float16, got ",
              dtype_name(t.dtype()));
  return t.data<float>();
}

struct CausalOffsets {
  std::vector<int64_t> past;  // per batch: absolute position of query 0
  static int64_t visible(const void* user, int64_t b, int64_t i) {
    return static_cast<const CausalOffsets*>(user)->past[size_t(b)] + i + 1;
  }
};

// The length of the past key/value cache; both, when given, must be [b, heads, past, d].
int64_t past_length(const Node& n, const Tensor* pk, const Tensor* pv, int64_t b, int64_t heads, int64_t d) {
  const int64_t past = pk ? pk->dim(2) : 0;
  for (const Tensor* p : {pk, pv})
    QWASM_CHECK(!p || p->shape() == Shape({b, heads, past, d}), n.label(), ": past key/value must be ",
                shape_str({b, heads, past, d}));
  return past;
}

// The softmax scale: the attribute when set, else 1 / sqrt(head_dim).
float attention_scale(float scale_attr, int64_t d) { return scale_attr > 0 ? scale_attr : 1.0f / std::sqrt(float(d)); }

class GroupQueryAttention : public OpKernel {
 public:
  explicit GroupQueryAttention(const Node& n)
      : heads_(n.attr_i("num_heads")), kv_heads_(n.attr_i("kv_num_heads")), do_rotary_(n.attr_i("do_rotary", 0) != 0),
        interleaved_(n.attr_i("rotary_interleaved", 0) != 0), scale_(n.attr_f("scale", 0.0f)) {
    QWASM_CHECK(heads_ > 0 && kv_heads_ > 0 && heads_ % kv_heads_ == 0, n.label(), ": num_heads ", heads_,
                " must be a positive multiple of kv_num_heads ", kv_heads_);
    QWASM_CHECK(n.attr_f("softcap", 0.0f) == 0.0f, n.label(), ": softcap is not supported");
    QWASM_CHECK(n.attr_i("local_window_size", -1) == -1, n.label(), ": local_window_size is not supported");
  }

  void compute(OpContext& ctx) override {
    const Qkv in = qkv(ctx);
    const int64_t b = in.b, s = in.s, d = in.d;
    const Tensor* pk = ctx.input(3);
    const Tensor* pv = ctx.input(4);
    const int64_t past = past_length(ctx.node(), pk, pv, b, kv_heads_, d);
    const CausalOffsets offs = causal_offsets(ctx, b, s, past);
    // Rotate q and k (copies: inputs are never written).
    std::vector<float> q(in.q, in.q + b * s * in.qw), k;
    if (do_rotary_) rotate(ctx, in, offs, q, k);
    const float* k_rows = do_rotary_ ? k.data() : in.k;

    const int64_t total = past + s;
    Tensor& pres_k = ctx.output(1, DType::Float32, {b, kv_heads_, total, d});
    Tensor& pres_v = ctx.output(2, DType::Float32, {b, kv_heads_, total, d});
    append_kv(pk ? f32_of(ctx, *pk, "past_key") : nullptr, past, k_rows, in.kw, b, kv_heads_, s, d, pres_k.data<float>());
    append_kv(pv ? f32_of(ctx, *pv, "past_value") : nullptr, past, in.v, in.kw, b, kv_heads_, s, d, pres_v.data<float>());

    Tensor& out = ctx.output(0, DType::Float32, {b, s, heads_ * d});
    AttentionShape as{b, heads_, kv_heads_, s, total, d,
                      s * in.qw, d, in.qw,
                      kv_heads_ * total * d, total * d, d,
                      kv_heads_ * total * d, total * d, d,
                      s * heads_ * d, d, heads_ * d};
    attention_f32(as, q.data(), pres_k.data<float>(), pres_v.data<float>(), out.data<float>(),
                  attention_scale(scale_, d), &CausalOffsets::visible, &offs);
  }

 private:
  // The query, key and value rows: one packed [b, s, (heads + 2 kv_heads) d] input,
  // or a query [b, s, heads d] and a key and value [b, s, kv_heads d] each.
  struct Qkv {
    int64_t b, s, d;
    int64_t qw, kw;  // row strides of q and of k, v
    const float *q, *k, *v;
  };

  Qkv qkv(const OpContext& ctx) const {
    const Node& n = ctx.node();
    const Tensor& q_in = ctx.in(0);
    const bool packed = !ctx.input(1);
    QWASM_CHECK(q_in.rank() == 3, n.label(), ": query must be [batch, seq, hidden], got ", shape_str(q_in.shape()));
    const int64_t b = q_in.dim(0), s = q_in.dim(1);
    const int64_t d = packed ? q_in.dim(2) / (heads_ + 2 * kv_heads_) : q_in.dim(2) / heads_;
    QWASM_CHECK(d > 0 && (packed ? d * (heads_ + 2 * kv_heads_) : d * heads_) == q_in.dim(2), n.label(),
                ": hidden size ", q_in.dim(2), " does not split into heads");
    const int64_t qw = packed ? q_in.dim(2) : heads_ * d;
    const float* qp = f32_of(ctx, q_in, "query");
    const float* kp = packed ? qp + heads_ * d : f32_of(ctx, ctx.in(1), "key");
    const float* vp = packed ? qp + (heads_ + kv_heads_) * d : f32_of(ctx, ctx.in(2), "value");
    if (!packed)
      for (int i : {1, 2})
        QWASM_CHECK(ctx.in(size_t(i)).shape() == Shape({b, s, kv_heads_ * d}), n.label(), ": input ", i, " must be ",
                    shape_str({b, s, kv_heads_ * d}), ", got ", shape_str(ctx.in(size_t(i)).shape()));
    return {b, s, d, qw, packed ? qw : kv_heads_ * d, qp, kp, vp};
  }

  // Per batch, the absolute position of query 0 from seqlens_k (total length - 1).
  static CausalOffsets causal_offsets(const OpContext& ctx, int64_t b, int64_t s, int64_t past) {
    const Node& n = ctx.node();
    const Tensor& seqlens = ctx.in(5);
    QWASM_CHECK(seqlens.size() == b, n.label(), ": seqlens_k must have one entry per batch");
    CausalOffsets offs;
    for (int64_t bi = 0; bi < b; ++bi) {
      const int64_t total = seqlens.get_i64(bi) + 1;
      QWASM_CHECK(total >= s && total <= past + s, n.label(), ": seqlens_k[", bi, "] = ", total - 1,
                  " is inconsistent with past length ", past, " and sequence length ", s);
      offs.past.push_back(total - s);
    }
    return offs;
  }

  // Rotary embedding at each token's absolute position: q in place, k into a copy of the key rows.
  void rotate(const OpContext& ctx, const Qkv& in, const CausalOffsets& offs, std::vector<float>& q,
              std::vector<float>& k) const {
    const Node& n = ctx.node();
    const Tensor& cos = ctx.in(7);
    const Tensor& sin = ctx.in(8);
    const int64_t half = cos.dim(1), b = in.b, s = in.s, d = in.d, qw = in.qw, kw = in.kw;
    QWASM_CHECK(2 * half <= d, n.label(), ": rotary cache width ", half, " too large for head size ", d);
    k.assign(b * s * kw, 0.0f);
    for (int64_t r = 0; r < b * s; ++r) std::memcpy(&k[size_t(r * kw)], in.k + r * kw, size_t(kv_heads_ * d) * 4);
    for (int64_t bi = 0; bi < b; ++bi)
      for (int64_t i = 0; i < s; ++i) {
        const int64_t p = offs.past[size_t(bi)] + i;
        QWASM_CHECK(p < cos.dim(0), n.label(), ": position ", p, " outside the rotary cache of ", cos.dim(0));
        const float* c = cos.data<float>() + p * half;
        const float* sn = sin.data<float>() + p * half;
        for (int64_t h = 0; h < heads_; ++h) apply_rotary(&q[size_t((bi * s + i) * qw + h * d)], 2 * half, c, sn, interleaved_);
        for (int64_t h = 0; h < kv_heads_; ++h) apply_rotary(&k[size_t((bi * s + i) * kw + h * d)], 2 * half, c, sn, interleaved_);
      }
  }

  int64_t heads_, kv_heads_;
  bool do_rotary_, interleaved_;
  float scale_;
};

class MultiHeadAttention : public OpKernel {
 public:
  explicit MultiHeadAttention(const Node& n)
      : heads_(n.attr_i("num_heads")), causal_(n.attr_i("unidirectional", 0) != 0), scale_(n.attr_f("scale", 0.0f)) {
    QWASM_CHECK(heads_ > 0, n.label(), ": num_heads must be positive");
  }

  void compute(OpContext& ctx) override {
    const Node& n = ctx.node();
    const Tensor& q_in = ctx.in(0);
    const Tensor& k_in = ctx.in(1);
    const Tensor& v_in = ctx.in(2);
    QWASM_CHECK(!ctx.input(4) && !ctx.input(5), n.label(), ": key_padding_mask / attention_bias are not supported");
    QWASM_CHECK(q_in.rank() == 3 && k_in.rank() == 3 && v_in.rank() == 3, n.label(),
                ": query, key and value must be 3-D [batch, seq, hidden]");
    const int64_t b = q_in.dim(0), s = q_in.dim(1), hid = q_in.dim(2), d = hid / heads_, kv_s = k_in.dim(1);
    QWASM_CHECK(d * heads_ == hid && k_in.shape() == Shape({b, kv_s, hid}) && v_in.shape() == k_in.shape(), n.label(),
                ": key/value must be ", shape_str({b, kv_s, hid}));
    std::vector<float> q(f32_of(ctx, q_in, "query"), q_in.data<float>() + q_in.size());
    std::vector<float> k(f32_of(ctx, k_in, "key"), k_in.data<float>() + k_in.size());
    std::vector<float> v(f32_of(ctx, v_in, "value"), v_in.data<float>() + v_in.size());
    if (const Tensor* bias = ctx.input(3)) {
      QWASM_CHECK(bias->size() == 3 * hid, n.label(), ": bias must have ", 3 * hid, " elements");
      const float* bp = f32_of(ctx, *bias, "bias");
      for (size_t i = 0; i < q.size(); ++i) q[i] += bp[i % size_t(hid)];
      for (size_t i = 0; i < k.size(); ++i) k[i] += bp[hid + int64_t(i % size_t(hid))], v[i] += bp[2 * hid + int64_t(i % size_t(hid))];
    }
    const Tensor* pk = ctx.input(6);
    const Tensor* pv = ctx.input(7);
    const int64_t past = past_length(n, pk, pv, b, heads_, d);
    const int64_t total = past + kv_s;
    Tensor pres_k = ctx.output_wanted(1) ? ctx.output(1, DType::Float32, {b, heads_, total, d}) : Tensor(DType::Float32, {b, heads_, total, d});
    Tensor pres_v = ctx.output_wanted(2) ? ctx.output(2, DType::Float32, {b, heads_, total, d}) : Tensor(DType::Float32, {b, heads_, total, d});
    append_kv(pk ? f32_of(ctx, *pk, "past_key") : nullptr, past, k.data(), hid, b, heads_, kv_s, d, pres_k.data<float>());
    append_kv(pv ? f32_of(ctx, *pv, "past_value") : nullptr, past, v.data(), hid, b, heads_, kv_s, d, pres_v.data<float>());
    CausalOffsets offs;
    offs.past.assign(size_t(b), total - s);
    Tensor& out = ctx.output(0, DType::Float32, {b, s, hid});
    AttentionShape as{b, heads_, heads_, s, total, d,
                      s * hid, d, hid,
                      heads_ * total * d, total * d, d,
                      heads_ * total * d, total * d, d,
                      s * hid, d, hid};
    attention_f32(as, q.data(), pres_k.data<float>(), pres_v.data<float>(), out.data<float>(),
                  attention_scale(scale_, d), causal_ ? &CausalOffsets::visible : nullptr, &offs);
  }

 private:
  int64_t heads_;
  bool causal_;
  float scale_;
};

}  // namespace

void register_llm_attention_ops(OpRegistry& r) {
  r.add("com.microsoft", "GroupQueryAttention", 1,
        half_via_float([](const BuildContext& bc) { return std::make_unique<GroupQueryAttention>(bc.node); }));
  r.add("com.microsoft", "MultiHeadAttention", 1,
        half_via_float([](const BuildContext& bc) { return std::make_unique<MultiHeadAttention>(bc.node); }));
}

}  // namespace qwasm
