// The quantizer: rewrites a float ONNX model (protobuf level, so everything it does not
// touch — metadata, other nodes, value infos — is kept as written) into the quantized forms
// qwasm runs on its integer kernels and that onnxruntime runs too:
//   weight-only: MatMul(A, W const) -> com.microsoft MatMulNBits (4 or 8 bits, blocks along K,
//                per-block scales, zero points unless symmetric), round to nearest;
//   dynamic:     MatMul(A, W const) -> DynamicQuantizeLinear(A) -> MatMulInteger(A_q, W_q int8
//                per output channel) -> Cast -> Mul(A_scale * W_scale) (onnxruntime's
//                quantize_dynamic form).
// The source bytes are never modified; the result is a new model.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace qwasm {

struct QuantizeOptions {
  enum class Mode { WeightOnly, Dynamic, Static } mode = Mode::WeightOnly;
  int bits = 4;                 // weight-only: 4 or 8
  int block_size = 32;          // weight-only: 16..256, a power of two
  bool symmetric = false;       // weight-only: no zero points (2^(bits-1) implied)
  int accuracy_level = 4;       // weight-only: MatMulNBits accuracy_level (0..4)
  std::string algorithm = "rtn";
  std::vector<std::string> ops = {"MatMul"};  // op types to quantize
  std::vector<std::string> exclude;           // node names left float
  // Initializers of at least this many bytes go to an external data file (0 = never,
  // unless the model would pass protobuf's 2 GB limit).
  uint64_t external_data_threshold = 0;
  std::string external_data_name = "model.onnx_data";
};

// What happened to one candidate node.
struct QuantizeReportEntry {
  std::string node;     // node name (or "#index" when it has none)
  std::string op_type;  // as in the source
  std::string action;   // "MatMulNBits", "MatMulInteger" or "float"
  std::string detail;   // bits / block size, or why it stayed float
};

struct QuantizedModel {
  std::string model;                                    // serialized ModelProto
  std::vector<std::pair<std::string, std::string>> external;  // {file name, bytes}
  std::vector<QuantizeReportEntry> report;
  uint64_t source_bytes = 0;  // model + external data in
};

// External data of the source, by location (the TensorProto's relative file name).
using ExternalFiles = std::map<std::string, std::string>;
using QuantizeProgress = std::function<void(size_t done, size_t total)>;

// The external data files the model's initializers name (to read before quantize_model).
std::vector<std::string> external_data_files(const void* data, size_t size);

// Throws qwasm::Error naming what is wrong: a malformed model, a model that is already
// quantized, one with nothing to quantize, external data that is missing or short, or an
// option combination that is not supported.
QuantizedModel quantize_model(const void* data, size_t size, const ExternalFiles& external,
                              const QuantizeOptions& options, const QuantizeProgress& progress = {});

}  // namespace qwasm
