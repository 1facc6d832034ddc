// An OpContext over heap tensors, for unit tests that run one node through the
// builtin registry without an executor.
#pragma once
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

}  // namespace qwasm::test
