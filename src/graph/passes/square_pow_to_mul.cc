// Pow(x, 2) with a constant exponent becomes Mul(x, x).
//
// Exporters write a square as Pow with the constant 2 (STFT magnitudes |re|^2 + |im|^2,
// variances, RMS norms). The Pow kernel evaluates pow() per element over the general
// broadcast; a Mul of a value by itself is one SIMD pass. x * x is the correctly rounded
// square, which is what pow(x, 2) returns in IEEE arithmetic, and what onnxruntime
// computes for this exponent as well. Only float exponents exactly 2 (any float type,
// one element) or integer 2 match; runs after fuse_layernorm, whose pattern contains a Pow 2.
#include "graph/passes/graph_index.h"
#include "graph/passes/passes.h"

namespace qwasm {
namespace {

bool is_constant_two(const Tensor* t) {
  if (!t || t->size() != 1 || t->rank() > 1) return false;
  switch (t->dtype()) {
    case DType::Float32: return t->data<float>()[0] == 2.0f;
    case DType::Float64: return t->data<double>()[0] == 2.0;
    case DType::Int32: return t->data<int32_t>()[0] == 2;
    case DType::Int64: return t->data<int64_t>()[0] == 2;
    default: return false;  // float16 / bfloat16 / narrow ints: rare, left to Pow
  }
}

}  // namespace

void square_pow_to_mul(Model& m) {
  Graph& g = m.graph;
  const GraphIndex idx(g);
  for (Node& n : g.nodes) {
    if (!n.domain.empty() || n.op_type != "Pow" || n.inputs.size() != 2 || n.outputs.size() != 1) continue;
    if (n.inputs[0].empty() || !is_constant_two(idx.constant(n.inputs[1]))) continue;
    n.op_type = "Mul";
    n.inputs[1] = n.inputs[0];
  }
}

}  // namespace qwasm
