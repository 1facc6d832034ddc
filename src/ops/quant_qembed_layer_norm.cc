// com.microsoft QEmbedLayerNormalization: EmbedLayerNormalization (ops/llm_norm.cc) over
// tables quantized per tensor, as onnxruntime's quantizer writes it. Inputs:
//   0 input_ids, 1 segment_ids?, 2 word_embedding_quant, 3 position_embedding_quant,
//   4 segment_embedding_quant?, 5 gamma_quant, 6 beta_quant, 7 mask?,
//   8-12 the scales (word, position, segment?, gamma, beta; float32, one element each),
//   13-17 the zero points in the same order (the tables' type, uint8 or int8; absent = 0).
// Outputs: layernorm_out (float32 [B, S, hidden]) and mask_index_out (int32 [B]: the 1s of
// each mask row, 0 without a mask). attribute epsilon (default 1e-12).
// Each gathered row is dequantized as onnxruntime does, float(int32(q) - zero_point) * scale,
// into the token's float sum (word + position + segment); no float copy of a table is made.
// Positions are the token's index in the sequence (the schema has no position_ids).
#include <string>
#include <vector>

#include "ops/embed_layer_norm.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

enum In { kIds, kSegIds, kWord, kPos, kSeg, kGamma, kBeta, kMask, kScale0 = 8, kZp0 = 13 };
const char* const kTable[5] = {"word_embedding", "position_embedding", "segment_embedding", "gamma", "beta"};

struct QTable {
  const Tensor* q = nullptr;
  float scale = 0;
  int32_t zp = 0;
};

int32_t elem_i32(const Tensor& t) { return t.dtype() == DType::UInt8 ? t.data<uint8_t>()[0] : t.data<int8_t>()[0]; }

// Table `i` (0..4 as in kTable) with its scale and zero point, checked against the word table's type.
QTable qtable(const OpContext& ctx, int i, DType qt) {
  const Node& n = ctx.node();
  QTable t;
  t.q = ctx.input(size_t(kWord + i));
  QWASM_CHECK(t.q, n.label(), ": ", kTable[i], "_quant is required");
  QWASM_CHECK(t.q->dtype() == qt, n.label(), ": ", kTable[i], "_quant must be ", dtype_name(qt),
              " like word_embedding_quant, got ", dtype_name(t.q->dtype()));
  const Tensor* s = ctx.input(size_t(kScale0 + i));
  QWASM_CHECK(s && s->dtype() == DType::Float32 && s->size() == 1 && s->rank() <= 1, n.label(), ": ", kTable[i],
              "_scale must be one float32 element, got ", s ? dtype_name(s->dtype()) : "nothing", " ",
              s ? shape_str(s->shape()) : "");
  t.scale = s->data<float>()[0];
  if (const Tensor* z = ctx.input(size_t(kZp0 + i))) {
    QWASM_CHECK(z->dtype() == qt && z->size() == 1 && z->rank() <= 1, n.label(), ": ", kTable[i],
                "_zero_point must be one ", dtype_name(qt), " element (the tables' type), got ", dtype_name(z->dtype()),
                " ", shape_str(z->shape()));
    t.zp = elem_i32(*z);
  }
  return t;
}

template <typename Q>
void add_dequantized(const QTable& t, int64_t row, int64_t h, float* dst) {
  const Q* q = t.q->data<Q>() + row * h;
  for (int64_t i = 0; i < h; ++i) dst[i] += float(int32_t(q[i]) - t.zp) * t.scale;
}

void add_row(const QTable& t, int64_t row, int64_t h, float* dst) {
  if (t.q->dtype() == DType::UInt8) add_dequantized<uint8_t>(t, row, h, dst);
  else add_dequantized<int8_t>(t, row, h, dst);
}

void qembed_layer_norm(OpContext& ctx) {
  const Node& n = ctx.node();
  const EmbedTokens e = embed_tokens(ctx, kMask, nullptr);
  const Tensor& word = ctx.in(kWord);
  const DType qt = word.dtype();
  QWASM_CHECK((qt == DType::UInt8 || qt == DType::Int8) && word.rank() == 2, n.label(),
              ": word_embedding_quant must be a uint8 or int8 [vocab, hidden] matrix, got ", dtype_name(qt), " ",
              shape_str(word.shape()));
  const bool has_seg = ctx.input(kSeg) != nullptr;
  QWASM_CHECK(has_seg == (e.seg_ids != nullptr), n.label(),
              ": segment_ids and segment_embedding_quant must be given together");
  const int64_t H = word.dim(1);
  QTable t[5];
  for (int i = 0; i < 5; ++i)
    if (i != 2 || has_seg) t[i] = qtable(ctx, i, qt);
  for (int i = 1; i < 3; ++i)
    QWASM_CHECK(!t[i].q || (t[i].q->rank() == 2 && t[i].q->dim(1) == H), n.label(), ": ", kTable[i],
                "_quant must be [n, ", H, "], got ", shape_str(t[i].q->shape()));
  for (int i = 3; i < 5; ++i)
    QWASM_CHECK(t[i].q->rank() == 1 && t[i].q->dim(0) == H, n.label(), ": ", kTable[i], "_quant must be [", H,
                "], got ", shape_str(t[i].q->shape()));
  std::vector<float> gamma(size_t(H), 0.0f), beta(size_t(H), 0.0f);
  add_row(t[3], 0, H, gamma.data());
  add_row(t[4], 0, H, beta.data());

  Tensor& y = ctx.output(0, DType::Float32, {e.B, e.S, H});
  const int64_t rows[3] = {word.dim(0), t[1].q->dim(0), has_seg ? t[2].q->dim(0) : 0};
  embed_sum(n, e, rows, H, y.data<float>(), [&](int table, int64_t row, float* d) { add_row(t[table], row, H, d); });
  // The sums are in y already: normalise them in place (each row is read before it is written).
  layer_norm_rows(y.data<float>(), gamma.data(), beta.data(), y.data<float>(), nullptr, nullptr, e.B * e.S, H,
                  n.attr_f("epsilon", 1e-12f));
  write_mask_index(ctx, 1, e);
}

}  // namespace

void register_quant_qembed_layer_norm_ops(OpRegistry& r) {
  r.add_fn("com.microsoft", "QEmbedLayerNormalization", 1, qembed_layer_norm);
}

}  // namespace qwasm
