// The quantizer: rewrites a float ONNX model (protobuf level, so everything it does not
// touch — metadata, other nodes, value infos — is kept as written) into the quantized forms
// qwasm runs on its integer kernels and that onnxruntime runs too:
//   weight-only: 4 bits: MatMul(A, W const) -> com.microsoft MatMulNBits (blocks along K,
//                per-block scales, zero points unless symmetric), round to nearest;
//                8 bits: MatMul(A, DequantizeLinear(W_q int8, scale, axis 1)), symmetric per
//                output channel (block size and zero points do not apply; gptq and awq keep
//                MatMulNBits 8-bit blocks: their searches work per block);
//   dynamic:     MatMul(A, W const) -> DynamicQuantizeLinear(A) -> MatMulInteger(A_q, W_q int8
//                per output channel) -> Cast -> Mul(A_scale * W_scale) (onnxruntime's
//                quantize_dynamic form); Gemm the same on W (transposed once when transB)
//                followed by Add(C); Conv -> DynamicQuantizeLinear -> ConvInteger (uint8 W,
//                zero point 128, scale per output channel) -> Cast -> Mul [-> Add(bias)].
//   awq / smoothQuant: per-input-channel scales moved from the activations into the weights
//                first (quantize/input_scale.h), then one of the forms here;
//   static:      MatMul / Gemm / Conv in QDQ form (quantize/static_quant.h): per-channel int8
//                weights behind DequantizeLinear, QuantizeLinear -> DequantizeLinear pairs on
//                the activations with per-tensor scales from running the float model in qwasm
//                on calibration data (quantize/calibrate.h).
// The source bytes are never modified; the result is a new model.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "graph/tensor.h"

namespace qwasm {

struct QuantizeOptions {
  enum class Mode { WeightOnly, Dynamic, Static } mode = Mode::WeightOnly;
  int bits = 0;                 // weight-only: 4 or 8; dynamic, static: 8 (0 = the mode's default)
  int block_size = 32;          // weight-only: 16..256, a power of two
  bool symmetric = false;       // weight-only: no zero points (2^(bits-1) implied)
  int accuracy_level = 4;       // weight-only: MatMulNBits accuracy_level (0..4)
  // weight-only: "int" (MatMulNBits / int8 DequantizeLinear) or "float8e4m3fn" (per-channel
  // float8 weights behind DequantizeLinear; needs ai.onnx opset 19; bits 8, rtn only).
  std::string weight_type = "int";
  // weight-only: "rtn" (round to nearest), "gptq" (quantize/gptq.h) or "awq" (quantize/awq.h);
  // gptq and awq measure the MatMul inputs on `calibration`.
  std::string algorithm = "rtn";
  // awq: AWQ's weight clipping search after the scales (quantize/awq.h awq_clip).
  bool awq_clip = true;
  // Internal (awq's second pass): 8-bit weight-only as MatMulNBits blocks, the form awq searched.
  bool nbits8 = false;
  // dynamic, static: SmoothQuant (quantize/awq.h, quantize/input_scale.h) on the MatMuls
  // before they are quantized, with max |x| from `calibration`.
  bool smooth_quant = false;
  double smooth_alpha = 0.5;
  // Op types to quantize; empty = every type the mode handles (weight-only and dynamic:
  // MatMul; static: MatMul, Gemm, Conv).
  std::vector<std::string> ops;
  std::vector<std::string> exclude;           // node names left float
  // Initializers of at least this many bytes go to the output's own external data file
  // (0 = never, unless the model would pass protobuf's 2 GB limit; then 1 KiB). The output
  // never refers to the source's external files: tensors it keeps from them are copied.
  uint64_t external_data_threshold = 0;
  std::string external_data_name = "model.onnx_data";

  // static: activation integers and 7-bit weights (|q| <= 63, so a u8 x s8 pair sum fits
  // int16: CPUs whose integer dot saturates there, e.g. AVX2's vpmaddubsw, stay exact).
  enum class Activations { UInt8, Int8 } activations = Activations::UInt8;
  bool reduce_range = false;
  // static: calibration feeds (each one run of the float model) and how to pick ranges.
  std::vector<std::vector<std::pair<std::string, Tensor>>> calibration;
  enum class Calibration { MinMax, Percentile, Entropy } calibration_method = Calibration::MinMax;
  double percentile = 99.999;
  // static: the sensitivity pass leaves in float the nodes whose quantization alone costs
  // the most output accuracy, at most this many (0 = none; -1 = automatic: up to 1 in 8 of
  // the quantized nodes, only those whose own error is over twice the median and costs over
  // 1e-4 output cosine). See static_quant.h.
  int keep_float = -1;
};

// What happened to one candidate node.
struct QuantizeReportEntry {
  std::string node;     // node name (or "#index" when it has none)
  std::string op_type;  // as in the source
  std::string action;   // "MatMulNBits", "DequantizeLinear", "MatMulInteger", "QDQ" or "float"
  std::string detail;   // bits / block size, or why it stayed float
};

struct QuantizedModel {
  std::string model;                                    // serialized ModelProto
  std::vector<std::pair<std::string, std::string>> external;  // {file name, bytes}
  std::vector<QuantizeReportEntry> report;
  uint64_t source_bytes = 0;  // model + external data in
};

// External data of the source, by location (the TensorProto's relative file name): views the
// caller keeps alive for the call — its own buffers (the JS binding's copies) or read-only
// mappings of the files (the native tool: the OS pages a tensor in when it is read and may drop
// it after, so the source need not fit in memory).
using ExternalFiles = std::map<std::string, std::string_view>;
using QuantizeProgress = std::function<void(size_t done, size_t total)>;

// The external data files the model's initializers name (to read before quantize_model).
std::vector<std::string> external_data_files(const void* data, size_t size);

// Throws qwasm::Error naming what is wrong: a malformed model, a model that is already
// quantized, one with nothing to quantize, external data that is missing or short, or an
// option combination that is not supported.
QuantizedModel quantize_model(const void* data, size_t size, const ExternalFiles& external,
                              const QuantizeOptions& options, const QuantizeProgress& progress = {});

}  // namespace qwasm
