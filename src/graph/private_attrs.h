// Attributes the graph passes (graph/passes) write on the nodes they create and the
// ops (src/ops) read: the one declaration of each. They are not ONNX attributes; a
// loaded model carrying one is refused (onnx/loader.cc), so only a pass can steer an
// op through them. Every name starts with kPrivateAttrPrefix, which is what
// is_private_attr() tests: a private attribute added later is refused without a
// second list to keep in step.
#pragma once
#include <string>

namespace qwasm {

inline constexpr const char kPrivateAttrPrefix[] = "qwasm_";

// Output clamp of QLinearConv / QLinearAdd, in the output's quantized units (int):
// written by fuse_qdq when a Relu / Clip sits between the op and its QuantizeLinear.
inline constexpr const char kAttrActLo[] = "qwasm_act_lo";
inline constexpr const char kAttrActHi[] = "qwasm_act_hi";

// Rounding of com.microsoft QLinearAdd (int, 1 = set): written by fuse_qdq on every
// QLinearAdd it emits for DQ + Add + Q, so the op quantizes like that float chain,
// saturate(round(v) + zc), and the fused graph stays bit-identical to the unfused one.
// Without it (a model's own QLinearAdd) the op rounds like onnxruntime's kernel,
// round(clamp(v, lo - zc, hi - zc) + zc); with an odd zc the two differ at exact halves.
inline constexpr const char kAttrQdqRounding[] = "qwasm_qdq_rounding";

// A Gather folded into com.microsoft DynamicQuantizeMatMul (gather_into_dynamic_matmul):
// the Gather's axis (int), its constant indices (tensor) and its node name (string,
// for error messages naming the node the user wrote).
inline constexpr const char kAttrGatherAxis[] = "qwasm_gather_axis";
inline constexpr const char kAttrGatherIndices[] = "qwasm_gather_indices";
inline constexpr const char kAttrGatherName[] = "qwasm_gather_name";

// How many inputs at the end of a control-flow node (If, Loop, Scan, SequenceMap) the
// executor appended (int): the outer-scope values its subgraphs read
// (graph/subgraph_scope.h), after the node's own inputs.
inline constexpr const char kAttrOuterInputs[] = "qwasm_outer_inputs";

// Epilogue of a float Conv / Gemm (fuse_conv_epilogue): y = act(conv + bias [+ residual]).
// kAttrFloatAct (string) names the activation folded in: Relu, Clip, HardSwish,
// HardSigmoid, Sigmoid or LeakyRelu; kAttrFloatActAlpha / kAttrFloatActBeta (float) are
// its parameters (Clip: min, max; HardSigmoid: alpha, beta; LeakyRelu: alpha).
// kAttrResidual (int, 1 = set): the node's input 3 (Conv) is a value added before the
// activation, as the Add the pass folded computed it (numpy broadcasting).
inline constexpr const char kAttrFloatAct[] = "qwasm_float_act";
inline constexpr const char kAttrFloatActAlpha[] = "qwasm_float_act_alpha";
inline constexpr const char kAttrFloatActBeta[] = "qwasm_float_act_beta";
inline constexpr const char kAttrResidual[] = "qwasm_residual";
// A scalar Mul (kAttrPostScale, float) and then Add (kAttrPostShift, float) after the
// activation (PaddleOCR's learnable affine blocks): v = act(.) * scale + shift.
inline constexpr const char kAttrPostScale[] = "qwasm_post_scale";
inline constexpr const char kAttrPostShift[] = "qwasm_post_shift";
// Then up to two elementwise Max / Min with a scalar constant (openWakeWord's
// Max(x, -0.4) after LeakyRelu, Max(0) -> Min(6) clamps), in graph order:
// kAttrPostClampOps (ints) holds one code per step (ops/conv_epilogue.h ClampOp:
// 0 Max(v, c), 1 Max(c, v), 2 Min(v, c), 3 Min(c, v); the operand order decides the
// sign of a zero result), kAttrPostClampValues (floats) the constants.
inline constexpr const char kAttrPostClampOps[] = "qwasm_post_clamp_ops";
inline constexpr const char kAttrPostClampValues[] = "qwasm_post_clamp_values";

// Compile-time check that each name above carries the prefix (else the loader would let
// a model set it).
constexpr bool has_private_prefix(const char* name) {
  for (const char* p = kPrivateAttrPrefix; *p; ++p, ++name)
    if (*name != *p) return false;
  return true;
}
static_assert(has_private_prefix(kAttrActLo) && has_private_prefix(kAttrActHi) && has_private_prefix(kAttrQdqRounding),
              "private attribute prefix");
static_assert(has_private_prefix(kAttrGatherAxis) && has_private_prefix(kAttrGatherIndices) &&
                  has_private_prefix(kAttrGatherName) && has_private_prefix(kAttrOuterInputs),
              "private attribute prefix");
static_assert(has_private_prefix(kAttrFloatAct) && has_private_prefix(kAttrFloatActAlpha) &&
                  has_private_prefix(kAttrFloatActBeta) && has_private_prefix(kAttrResidual) &&
                  has_private_prefix(kAttrPostScale) && has_private_prefix(kAttrPostShift) &&
                  has_private_prefix(kAttrPostClampOps) && has_private_prefix(kAttrPostClampValues),
              "private attribute prefix");

// The ops that read kAttrActLo / kAttrActHi (ops/quant_conv_integer.cc, ops/quant_qlinear_add.cc);
// fuse_qdq folds a Relu / Clip only into these. Declared here with the attributes, not as
// an OpTraits of the registration: it is part of the attributes' contract, and the pass
// needs it for the op it is about to create.
inline bool reads_act_clamp(const std::string& domain, const std::string& op_type) {
  return (domain.empty() && op_type == "QLinearConv") || (domain == "com.microsoft" && op_type == "QLinearAdd");
}

inline bool is_private_attr(const std::string& name) {
  return name.compare(0, sizeof kPrivateAttrPrefix - 1, kPrivateAttrPrefix) == 0;
}

}  // namespace qwasm
