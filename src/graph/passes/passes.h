// Graph rewrites run once per session, before constant folding and kernel creation
// (folding would otherwise expand DequantizeLinear(W) into a float copy of W).
// Each pass lives in its own file, matches a pattern on the IR and replaces it with
// one node of an operator the registry already knows (or a qwasm-internal fused op),
// keeping every tensor name the rest of the graph or the caller can see.
#pragma once
#include "graph/graph.h"
#include "graph/op_traits.h"

namespace qwasm {

// Runs every pass below, in order. `traits` tells what an op declared at its
// registration (the executor hands in the registry's; graph/ cannot include ops/).
void optimize_graph(Model& m, const OpTraitsOf& traits);

// Identity, inference Dropout and same-type Cast nodes taken out (consumers read the
// input; a graph output keeps its name). Runs first.
void remove_identities(Model& m);
// DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul (-> Add bias): one fused op.
void fuse_dynamic_quant_matmul(Model& m);
// DynamicQuantizeMatMul -> Gather(constant indices): the Gather folded into the matmul,
// which then computes only the rows it selects (bit-identical).
void gather_into_dynamic_matmul(Model& m);
// MatMul(A, DequantizeLinear(W constant)): packed integer weights, no float copy of W.
void fuse_weight_dequant_matmul(Model& m);
// DequantizeLinear -> Conv/MatMul/Gemm/Add/activation -> QuantizeLinear: integer kernels.
// Reads OpTraits::moves_values.
void fuse_qdq(Model& m, const OpTraitsOf& traits);
// Div(x, sqrt 2) -> Erf -> Add 1 -> Mul x -> Mul 0.5 (the erf GELU as exported): com.microsoft Gelu.
void fuse_gelu(Model& m);
// ReduceMean -> Sub -> Pow 2 -> ReduceMean -> Add eps -> Sqrt -> Div -> Mul gamma [-> Add beta]
// over the last axis: LayerNormalization.
void fuse_layernorm(Model& m);
// Conv / ConvTranspose / Gemm (constant weights) -> BatchNormalization: the BN folded
// into new weights and bias; a Conv's following Mul / Add by per-channel constants too.
void fold_batchnorm(Model& m);
// Add(x, 3) -> Clip(0, 6) -> Mul(x, .) -> Div(6): HardSwish(x).
void fuse_hardswish(Model& m);
// Conv -> [Add residual] -> [Relu / Clip / HardSwish / HardSigmoid / Sigmoid / LeakyRelu]:
// one Conv with the epilogue in private attributes.
void fuse_conv_epilogue(Model& m);
// Pow(x, constant 2): Mul(x, x).
void square_pow_to_mul(Model& m);

// Not part of optimize_graph (a session option, SessionOptions::last_position_outputs):
// the named [batch, seq, n] graph outputs of a row-wise product computed for the last
// position only (last_position.cc). Returns how many outputs it changed.
int last_position_outputs(Model& m, const std::vector<std::string>& names);

}  // namespace qwasm
