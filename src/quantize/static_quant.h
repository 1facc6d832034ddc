// Static-range quantization in QDQ form, as onnxruntime's quantize_static writes it and as
// qwasm's fuse_qdq pass (graph/passes/fuse_qdq.cc) turns into QLinearConv / QLinearMatMul:
//   x -> QuantizeLinear -> DequantizeLinear -> Conv | MatMul | Gemm (W: DequantizeLinear of
//   int8 per output channel, bias: DequantizeLinear of int32 in units of x_scale * w_scale)
//   [-> Relu | Clip] -> QuantizeLinear -> DequantizeLinear -> ...
// Activation scales are per tensor, from the ranges the calibration data produced when the
// float model ran in qwasm (runtime/executor.h's step observer) with the chosen method
// (quantize/calibrate.h). A tensor's producer writes `<name>_prequant`, and the pair writes
// the tensor's own name, so every consumer (and a graph output) reads the quantized value.
//
// First, a Conv -> BatchNormalization pair with constant parameters is folded into the Conv
// (report action "folded"), as onnxruntime's pre-processing does.
//
// Sensitivity pass (options.keep_float): each candidate is quantized alone and the model run
// on the calibration data; its cost is 1 - cosine(float outputs, those outputs) averaged
// over the feeds. The costliest are left in float (see QuantizeOptions::keep_float for the
// automatic rule); the report gives every node's cost.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "onnx.pb.h"
#include "quantize/quantize.h"

namespace qwasm {

// m: the parsed source (rewritten in place); data / size: its bytes (to run it in qwasm).
void quantize_static(onnx::ModelProto& m, const void* data, size_t size, const ExternalFiles& external,
                     const QuantizeOptions& options, const QuantizeProgress& progress, QuantizedModel& result);

// What GPTQ, AWQ and SmoothQuant measure of a MatMul's input x [rows, K] over every
// calibration feed (x a graph input or any node's output, viewed as rows of its last K
// values), from the float model run in qwasm with the step observer.
struct ActivationStats {
  std::vector<double> h;        // sum X^T X (K x K, row-major), when asked for
  std::vector<double> abs_sum;  // sum |x| per channel
  std::vector<double> abs_max;  // max |x| per channel
  int64_t rows = 0;
};
// inputs: activation name -> K. Throws naming the activation when one was never seen as a
// float32 tensor of whole rows of K.
std::map<std::string, ActivationStats> collect_activation_stats(
    const void* data, size_t size, const ExternalFiles& external,
    const std::vector<std::vector<std::pair<std::string, Tensor>>>& feeds, const std::map<std::string, int64_t>& inputs,
    bool hessians);

}  // namespace qwasm
