// Small ModelProto helpers shared by the quantizer's modes.
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "onnx.pb.h"
#include "quantize/quantize.h"

namespace qwasm {

std::string node_id(const onnx::NodeProto& n, int index);

// The bytes of an initializer stored in one of the caller's external files (checked against
// the file's size).
std::string external_bytes(const onnx::TensorProto& tp, const ExternalFiles& external);

// Moves every initializer of `g` that lives in an external file into its raw_data, so the
// quantized model never points into the source's files (finish() may then write the large
// ones to the output's own file).
void inline_external_data(onnx::GraphProto& g, const ExternalFiles& external);

// The float32 values of an initializer (inline or in the caller's external files).
std::vector<float> float_values(const onnx::TensorProto& tp, const ExternalFiles& external);

template <class T>
onnx::TensorProto make_tensor(const std::string& name, int elem, const std::vector<int64_t>& dims, const T* data,
                              size_t count) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(elem);
  for (int64_t d : dims) t.add_dims(d);
  t.set_raw_data(std::string(reinterpret_cast<const char*>(data), count * sizeof(T)));
  return t;
}

void set_int_attr(onnx::NodeProto& n, const char* name, int64_t v);

// A unique value / initializer name derived from `base`.
class Names {
 public:
  explicit Names(const onnx::GraphProto& g);
  std::string make(const std::string& base);

 private:
  std::set<std::string> used_;
};

}  // namespace qwasm
