// The graph side of AWQ and SmoothQuant (quantize/awq.h): before the model is quantized,
// every MatMul with a constant float32 weight W [K, N] (K >= 16, W used by it alone, not
// excluded) gets per-input-channel scales s, shared by the MatMuls that read the same
// activation x; W's rows are multiplied by s (in the float initializer, which the chosen mode
// then quantizes as usual) and x is divided by s where a standard runtime runs it:
//   - folded into x's producer when x feeds only those MatMuls and the producer is
//     per-channel along x's last axis: LayerNormalization (axis -1; scale and bias),
//     SimplifiedLayerNormalization (scale), com.microsoft SkipLayerNormalization /
//     SkipSimplifiedLayerNormalization (gamma, beta; their output 0), a Mul by a constant
//     float32 tensor (of last dimension K or 1, or a scalar), a MatMul with a constant weight
//     [*, K] used by it alone (its columns / s), or a Mul one of whose inputs is such a MatMul's
//     output used only there (a gated MLP's up projection); Shape / Size readers of x do not
//     count as other consumers;
//   - else a Mul(x, 1 / s) is inserted before the first of those MatMuls.
// The result is a float model computing the same function up to float rounding, so every
// mode's rules and onnxruntime apply to it unchanged.
#pragma once
#include <map>
#include <string>

#include "quantize/quantize.h"

namespace qwasm {

struct ScaledModel {
  std::string model;                        // serialized ModelProto
  std::map<std::string, std::string> notes;  // node id (in `model`) -> what was done, for the report
};

// options.algorithm 'awq' (weight-only) or options.smooth_quant (dynamic / static) with
// options.calibration: measures the MatMul inputs on the calibration data (float model in
// qwasm) and applies the scales.
ScaledModel scale_matmul_inputs(const void* data, size_t size, const ExternalFiles& external,
                                const QuantizeOptions& options);

}  // namespace qwasm
