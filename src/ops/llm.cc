// Transformer operators (onnxruntime contrib ops written by optimum, onnxruntime-genai
// and onnxruntime's transformer optimizer): normalisation, rotary embedding, attention
// (decoder attention in llm_attention.cc, BERT-style Attention / QAttention in
// bert_attention.cc).
#include "ops/registry.h"

namespace qwasm {

void register_llm_norm_ops(OpRegistry& r);
void register_embed_layer_norm_ops(OpRegistry& r);
void register_llm_rotary_ops(OpRegistry& r);
void register_llm_attention_ops(OpRegistry& r);
void register_bert_attention_ops(OpRegistry& r);

void register_llm_ops(OpRegistry& r) {
  register_llm_norm_ops(r);
  register_embed_layer_norm_ops(r);
  register_llm_rotary_ops(r);
  register_llm_attention_ops(r);
  register_bert_attention_ops(r);
}

}  // namespace qwasm
