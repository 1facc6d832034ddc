// com.microsoft EmbedLayerNormalization, and what it shares with QEmbedLayerNormalization
// (ops/quant_qembed_layer_norm.cc; declared in ops/embed_layer_norm.h). Gathers and copies
// once per inference: compiled for size (the cold list in src/CMakeLists.txt); the row
// normalisation is layer_norm_rows in ops/llm_norm.cc.
#include "ops/embed_layer_norm.h"

#include <algorithm>

#include "ops/dtype_switch.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

// com.microsoft EmbedLayerNormalization (input_ids, segment_ids?, word_embedding,
// position_embedding, segment_embedding?, gamma, beta, mask?, position_ids?) ->
// (output, mask_index?, embedding_sum?): per token the word, position (its index in the
// sequence, or position_ids) and segment rows are summed and layer-normalised;
// mask_index[b] counts the 1s of mask row b (0 without a mask).
void embed_layer_norm(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor* seg_emb0 = ctx.input(4);
  const EmbedTokens e = embed_tokens(ctx, 7, ctx.input(8));
  QWASM_CHECK(!e.seg_ids == !seg_emb0, n.label(), ": segment_ids and segment_embedding must be given together");
  const int64_t B = e.B, S = e.S;
  const Tensor& word0 = ctx.in(2);
  const DType ft = word0.dtype();
  const Tensor word = widen_half(word0), pos = widen_half(ctx.in(3)), gamma = widen_half(ctx.in(5)),
               beta = widen_half(ctx.in(6));
  const Tensor seg = seg_emb0 ? widen_half(*seg_emb0) : Tensor();
  QWASM_CHECK(word.dtype() == DType::Float32 && word.rank() == 2, n.label(),
              ": word_embedding must be a float [vocab, hidden] matrix, got ", dtype_name(ft), " ", shape_str(word0.shape()));
  const int64_t H = word.dim(1);
  for (const Tensor* t : {&ctx.in(3), seg_emb0})
    QWASM_CHECK(!t || (t->dtype() == ft && t->rank() == 2 && t->dim(1) == H), n.label(),
                ": position/segment embeddings must be ", dtype_name(ft), " [n, ", H, "], got ", dtype_name(t->dtype()),
                " ", shape_str(t->shape()));
  for (const Tensor* t : {&ctx.in(5), &ctx.in(6)})
    QWASM_CHECK(t->dtype() == ft && t->size() == H, n.label(), ": gamma and beta must be ", dtype_name(ft), " [", H,
                "], got ", shape_str(t->shape()));
  // Gather and sum the rows (the embedding sum, float32).
  Tensor sum(DType::Float32, {B, S, H});
  const Tensor* tables[3] = {&word, &pos, seg_emb0 ? &seg : nullptr};
  const int64_t rows[3] = {word.dim(0), pos.dim(0), seg_emb0 ? seg.dim(0) : 0};
  embed_sum(n, e, rows, H, sum.data<float>(), [&](int table, int64_t row, float* d) {
    const float* src = tables[table]->data<float>() + row * H;
    for (int64_t i = 0; i < H; ++i) d[i] += src[i];
  });
  const bool f32 = ft == DType::Float32;
  Tensor y = f32 ? ctx.output(0, DType::Float32, {B, S, H}) : Tensor(DType::Float32, {B, S, H});
  layer_norm_rows(sum.data<float>(), gamma.data<float>(), beta.data<float>(), y.data<float>(), nullptr, nullptr, B * S, H,
                  n.attr_f("epsilon", 1e-12f));
  if (!f32) narrow_half(y, ctx.output(0, ft, y.shape()));
  write_mask_index(ctx, 1, e);
  if (ctx.output_wanted(2)) {
    if (f32) ctx.set_output(2, sum);
    else narrow_half(sum, ctx.output(2, ft, sum.shape()));
  }
}

}  // namespace

EmbedTokens embed_tokens(const OpContext& ctx, int mask_input, const Tensor* pos_ids) {
  const Node& n = ctx.node();
  EmbedTokens e;
  const Tensor& ids = ctx.in(0);
  QWASM_CHECK(ids.dtype() == DType::Int32 && ids.rank() == 2, n.label(), ": input_ids must be int32 [batch, seq], got ",
              dtype_name(ids.dtype()), " ", shape_str(ids.shape()));
  e.ids = &ids, e.seg_ids = ctx.input(1), e.mask = ctx.input(size_t(mask_input)), e.pos_ids = pos_ids;
  e.B = ids.dim(0), e.S = ids.dim(1);
  for (const Tensor* t : {e.seg_ids, e.mask})
    QWASM_CHECK(!t || (t->dtype() == DType::Int32 && t->shape() == ids.shape()), n.label(),
                ": segment_ids / mask must be int32 ", shape_str(ids.shape()), ", got ", dtype_name(t->dtype()), " ",
                shape_str(t->shape()));
  QWASM_CHECK(!pos_ids || (pos_ids->dtype() == DType::Int32 && (pos_ids->shape() == ids.shape() ||
                                                                 pos_ids->shape() == Shape({1, e.S}))),
              n.label(), ": position_ids must be int32 [batch, seq] or [1, seq]");
  return e;
}

void embed_sum(const Node& n, const EmbedTokens& e, const int64_t table_rows[3], int64_t hidden, float* sum,
               const EmbedAddRow& add_row) {
  static const char* const kWhat[3] = {"input id", "position", "segment id"};
  auto check = [&](int table, int64_t id) {
    QWASM_CHECK(id >= 0 && id < table_rows[table], n.label(), ": ", kWhat[table], " ", id, " is outside [0, ",
                table_rows[table], ")");
    return id;
  };
  const int64_t S = e.S;
  for (int64_t t = 0; t < e.B * S; ++t) {
    float* d = sum + t * hidden;
    std::fill(d, d + hidden, 0.0f);
    add_row(0, check(0, e.ids->data<int32_t>()[t]), d);
    const int64_t p_id = e.pos_ids ? e.pos_ids->data<int32_t>()[e.pos_ids->size() == S ? t % S : t] : t % S;
    add_row(1, check(1, p_id), d);
    if (e.seg_ids) add_row(2, check(2, e.seg_ids->data<int32_t>()[t]), d);
  }
}

void write_mask_index(OpContext& ctx, size_t out, const EmbedTokens& e) {
  if (!ctx.output_wanted(out)) return;
  int32_t* mi = ctx.output(out, DType::Int32, {e.B}).data<int32_t>();
  for (int64_t b = 0; b < e.B; ++b) {
    int32_t c = 0;
    for (int64_t s = 0; e.mask && s < e.S; ++s) c += e.mask->data<int32_t>()[b * e.S + s] == 1;
    mi[b] = c;
  }
}

void register_embed_layer_norm_ops(OpRegistry& r) {
  // float16 tables: widened for the sums, the output rounded once.
  r.add_fn("com.microsoft", "EmbedLayerNormalization", 1, embed_layer_norm);
}

}  // namespace qwasm
