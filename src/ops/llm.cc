// Decoder-specific operators (onnxruntime contrib ops written by optimum and
// onnxruntime-genai exports): normalisation, rotary embedding, attention.
#include "ops/registry.h"

namespace qwasm {

void register_llm_norm_ops(OpRegistry& r);
void register_llm_rotary_ops(OpRegistry& r);
void register_llm_attention_ops(OpRegistry& r);

void register_llm_ops(OpRegistry& r) {
  register_llm_norm_ops(r);
  register_llm_rotary_ops(r);
  register_llm_attention_ops(r);
}

}  // namespace qwasm
