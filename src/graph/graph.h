// The IR the loader builds from a ModelProto: nodes with typed attributes,
// initializers, graph inputs/outputs (with symbolic dims) and opset imports.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "graph/tensor.h"

namespace qwasm {

struct Graph;

struct Attribute {
  // TypeProto: only its presence is kept (Optional's `type`; qwasm needs no more of it).
  enum class Kind { Undefined, Float, Int, String, Tensor, Graph, Floats, Ints, Strings, Tensors, Graphs, TypeProto };
  Kind kind = Kind::Undefined;
  float f = 0;
  int64_t i = 0;
  std::string s;
  qwasm::Tensor t;
  std::shared_ptr<qwasm::Graph> g;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  std::vector<qwasm::Tensor> tensors;
  std::vector<std::shared_ptr<qwasm::Graph>> graphs;
};

// A dim is either a known value (>= 0) or a symbol (value == -1, name in `param`).
struct Dim {
  int64_t value = -1;
  std::string param;
};

struct ValueInfo {
  std::string name;
  DType dtype = DType::Undefined;
  bool has_shape = false;  // false: rank unknown
  std::vector<Dim> dims;
};

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;  // "" for ai.onnx
  int64_t opset = 0;   // the model's opset for `domain`
  std::vector<std::string> inputs;   // "" = optional input left out
  std::vector<std::string> outputs;  // "" = optional output not wanted
  std::map<std::string, Attribute> attrs;

  // A readable identity for error messages: "Conv node 'conv1'". Built on first use and
  // kept (kernels pass it to checks on every run); a copy starts without it, and the
  // executor builds it for every node it runs before any run (so threads only read it).
  const std::string& label() const;
  // Builds label() afresh (after passes that may have renamed the node).
  void refresh_label() const { label_.s.clear(); label(); }

  bool has_attr(const std::string& n) const { return attrs.count(n) != 0; }
  int64_t attr_i(const std::string& n, int64_t def) const;
  int64_t attr_i(const std::string& n) const;  // required
  float attr_f(const std::string& n, float def) const;
  std::string attr_s(const std::string& n, const std::string& def) const;
  std::vector<int64_t> attr_ints(const std::string& n, std::vector<int64_t> def = {}) const;
  std::vector<float> attr_floats(const std::string& n, std::vector<float> def = {}) const;
  const Tensor* attr_t(const std::string& n) const;  // nullptr when absent
  const Attribute* attr(const std::string& n) const;  // nullptr when absent (any type)

 private:
  // attr(n), or an Error naming the node when it is present with another type.
  const Attribute* typed_attr(const std::string& n, Attribute::Kind want) const;
  // label()'s string; empty again in every copy (the copy may be renamed).
  struct LabelCache {
    std::string s;
    LabelCache() = default;
    LabelCache(const LabelCache&) {}
    LabelCache& operator=(const LabelCache&) { s.clear(); return *this; }
  };
  mutable LabelCache label_;
};

struct Graph {
  std::string name;
  std::vector<Node> nodes;
  std::map<std::string, Tensor> initializers;
  std::vector<ValueInfo> inputs;   // graph inputs that are not initializers
  std::vector<ValueInfo> outputs;
  std::map<std::string, ValueInfo> value_info;
};

struct Model {
  int64_t ir_version = 0;
  std::map<std::string, int64_t> opsets;  // domain -> version ("" = ai.onnx)
  std::string producer;
  Graph graph;
};

}  // namespace qwasm
