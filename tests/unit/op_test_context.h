// An OpContext over heap tensors, for unit tests that run one node through the
// builtin registry without an executor.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ops/registry.h"

namespace qwasm::test {

class TestContext : public OpContext {
 public:
  TestContext(const Node& n, std::vector<const Tensor*> ins) : node_(n), ins_(std::move(ins)) {
    outs_.resize(n.outputs.size());
  }
  const Node& node() const override { return node_; }
  size_t input_count() const override { return ins_.size(); }
  const Tensor* input(size_t i) const override { return i < ins_.size() ? ins_[i] : nullptr; }
  Tensor& output(size_t i, DType dtype, const Shape& shape) override { return outs_.at(i) = Tensor(dtype, shape); }
  void set_output(size_t i, Tensor t) override { outs_.at(i) = std::move(t); }
  size_t output_count() const override { return outs_.size(); }
  // An empty output name is an output the node's caller does not want (ONNX optional outputs).
  bool output_wanted(size_t i) const override { return i < outs_.size() && !node_.outputs[i].empty(); }
  std::vector<Tensor> outs_;

 private:
  const Node& node_;
  std::vector<const Tensor*> ins_;
};

// A node of `op` with inputs x0.. and outputs y0.., named so errors can be checked for it.
inline Node make_node(const std::string& op, size_t n_in, int64_t opset, size_t n_out = 1) {
  Node n;
  n.op_type = op;
  n.name = "node_under_test";
  n.opset = opset;
  for (size_t i = 0; i < n_in; ++i) n.inputs.push_back("x" + std::to_string(i));
  for (size_t i = 0; i < n_out; ++i) n.outputs.push_back("y" + std::to_string(i));
  return n;
}

inline void set_int(Node& n, const std::string& name, int64_t v) {
  n.attrs[name].kind = Attribute::Kind::Int;
  n.attrs[name].i = v;
}
inline void set_ints(Node& n, const std::string& name, std::vector<int64_t> v) {
  n.attrs[name].kind = Attribute::Kind::Ints;
  n.attrs[name].ints = std::move(v);
}
inline void set_float(Node& n, const std::string& name, float v) {
  n.attrs[name].kind = Attribute::Kind::Float;
  n.attrs[name].f = v;
}
inline void set_floats(Node& n, const std::string& name, std::vector<float> v) {
  n.attrs[name].kind = Attribute::Kind::Floats;
  n.attrs[name].floats = std::move(v);
}
inline void set_str(Node& n, const std::string& name, const std::string& v) {
  n.attrs[name].kind = Attribute::Kind::String;
  n.attrs[name].s = v;
}
inline void set_strs(Node& n, const std::string& name, std::vector<std::string> v) {
  n.attrs[name].kind = Attribute::Kind::Strings;
  n.attrs[name].strings = std::move(v);
}

// Builds n's kernel from the builtin registry with no constant inputs.
inline std::unique_ptr<OpKernel> build_kernel(const Node& n) {
  const OpFactory* f = OpRegistry::builtin().find(n.domain, n.op_type, n.opset);
  if (!f) fail("no kernel for ", n.op_type);
  BuildContext bc{n, [](const std::string&) -> const Tensor* { return nullptr; }};
  return (*f)(bc);
}

// Builds and runs n once on `ins`; returns every output.
inline std::vector<Tensor> run_node(const Node& n, std::vector<const Tensor*> ins) {
  auto k = build_kernel(n);
  TestContext ctx(n, std::move(ins));
  k->compute(ctx);
  return ctx.outs_;
}

// Builds n's kernel with the inputs numbered in `constant_inputs` visible at build as
// constants (as initializers are), then runs it once on `ins`; returns every output.
inline std::vector<Tensor> run_node_with_constants(const Node& n, std::vector<const Tensor*> ins,
                                                   const std::vector<size_t>& constant_inputs) {
  const OpFactory* f = OpRegistry::builtin().find(n.domain, n.op_type, n.opset);
  if (!f) fail("no kernel for ", n.op_type);
  BuildContext bc{n, [&](const std::string& name) -> const Tensor* {
                    for (size_t i : constant_inputs)
                      if (i < n.inputs.size() && n.inputs[i] == name) return ins[i];
                    return nullptr;
                  }};
  auto k = (*f)(bc);
  TestContext ctx(n, std::move(ins));
  k->compute(ctx);
  return ctx.outs_;
}

// A tensor of `shape` holding `v` (row-major), and a 1-D one holding `v`.
template <typename T>
Tensor tensor_of(DType dt, const Shape& shape, const std::vector<T>& v) {
  Tensor t(dt, shape);
  std::copy(v.begin(), v.end(), t.data<T>());
  return t;
}
// The same by bytes, for element types whose storage type differs from T's name in the
// Tensor API (float16 / bfloat16 bits, bool), and the elements back as T.
template <typename T>
Tensor tensor_from_bytes(DType dt, const Shape& s, const std::vector<T>& v) {
  Tensor t(dt, s);
  std::memcpy(t.raw(), v.data(), v.size() * sizeof(T));
  return t;
}
template <typename T>
std::vector<T> values_of(const Tensor& t) {
  const T* p = static_cast<const T*>(t.raw());
  return std::vector<T>(p, p + t.size());
}
inline Tensor f32(const Shape& s, std::vector<float> v) { return tensor_of(DType::Float32, s, v); }
inline Tensor i64(std::vector<int64_t> v) { return tensor_of(DType::Int64, {int64_t(v.size())}, v); }
inline Tensor i32(std::vector<int32_t> v) { return tensor_of(DType::Int32, {int64_t(v.size())}, v); }

// Runs n (made by make_node) expecting an error whose message names the node and contains `what`.
inline void expect_error(const Node& n, std::vector<const Tensor*> ins, const std::string& what) {
  try {
    run_node(n, std::move(ins));
    ADD_FAILURE() << n.op_type << " accepted a bad input";
  } catch (const std::exception& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("node_under_test"), std::string::npos) << m;
    EXPECT_NE(m.find(what), std::string::npos) << m;
  }
}

}  // namespace qwasm::test
