// What com.microsoft EmbedLayerNormalization and QEmbedLayerNormalization
// (ops/quant_qembed_layer_norm.cc) share, defined in ops/embed_layer_norm.cc (layer_norm_rows
// in ops/llm_norm.cc): the token inputs (input_ids, segment_ids, mask, position_ids) checked,
// the per-token gather-and-sum of embedding rows with its range checks, the row layer
// normalisation and mask_index. The two differ only in how a table row becomes float (read,
// or dequantized row by row: no float copy of a quantized table is made).
#pragma once
#include <cstdint>
#include <functional>

#include "ops/op.h"

namespace qwasm {

struct EmbedTokens {
  const Tensor* ids = nullptr;      // int32 [B, S]
  const Tensor* seg_ids = nullptr;  // int32 [B, S] or null
  const Tensor* mask = nullptr;     // int32 [B, S] or null
  const Tensor* pos_ids = nullptr;  // int32 [B, S] / [1, S] or null
  int64_t B = 0, S = 0;
};

// Inputs 0 (input_ids), 1 (segment_ids) and `mask_input`, and `pos_ids` when given, checked.
EmbedTokens embed_tokens(const OpContext& ctx, int mask_input, const Tensor* pos_ids);

// The embedding tables' row counts (word, position, segment; segment 0 when absent). For each
// token t, add_row(table, row, dst) adds that table's row (0 word, 1 position, 2 segment) into
// dst (hidden floats, zeroed first); rows are range-checked here, naming the node.
using EmbedAddRow = std::function<void(int table, int64_t row, float* dst)>;
void embed_sum(const Node& n, const EmbedTokens& e, const int64_t table_rows[3], int64_t hidden, float* sum,
               const EmbedAddRow& add_row);

// y = (x - mean) * inv_std * gamma (+ beta) per row of `h`; mean / inv_std written when asked.
void layer_norm_rows(const float* x, const float* gamma, const float* beta, float* y, float* mean_out, float* inv_out,
                     int64_t rows, int64_t h, float eps);

// Output `out` (int32 [B]) when wanted: the 1s of each mask row, 0 without a mask.
void write_mask_index(OpContext& ctx, size_t out, const EmbedTokens& e);

}  // namespace qwasm
