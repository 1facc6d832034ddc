// What If, Loop, Scan and SequenceMap share: a subgraph attribute compiled into a
// SubgraphRunner (ops/op.h) at build time, the node inputs that carry its outer-scope
// values (the executor appends them, graph/private_attrs.h kAttrOuterInputs), and a
// run that names the enclosing node in any error from inside the body.
#pragma once
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "ops/op.h"

namespace qwasm {

class Body {
 public:
  // Compiles the node's graph attribute `attr`; fails naming the node when absent.
  Body(const BuildContext& bc, const std::string& attr);
  const Graph& graph() const { return *graph_; }
  size_t input_count() const { return graph_->inputs.size(); }
  size_t output_count() const { return graph_->outputs.size(); }
  // Runs the body on `formal` (one value per body input) and the outer values taken
  // from ctx. Errors read "Loop node 'l' > body: Add node 'x': ...".
  std::vector<Tensor> run(OpContext& ctx, const std::vector<Tensor>& formal) const;
  // Whether run() reads node input i. Outer values that were constant when the body was
  // built are the body's own initializers and are never read from the node.
  bool reads_input(size_t i) const;

 private:
  std::string attr_;
  std::shared_ptr<Graph> graph_;
  std::unique_ptr<SubgraphRunner> runner_;
  std::vector<size_t> outer_inputs_;  // node input index per runner_->outer_names()
  // run()'s outer values, kept from run to run (no allocation per run; a body never runs inside itself).
  mutable std::vector<const Tensor*> outer_values_;
};

// The node's own inputs, without the outer values the executor appended.
size_t formal_input_count(const Node& n);

// OpKernel::absorbed for a control-flow node: an appended outer input none of `bodies`
// reads at run time (a constant they took at build), so the executor may drop it.
bool outer_input_absorbed(const Node& n, size_t i, std::initializer_list<const Body*> bodies);

// A scalar-like input read as bool / int64 (one element), naming the node when not.
bool scalar_bool(const Node& n, const Tensor& t, const char* what);
int64_t scalar_i64(const Node& n, const Tensor& t, const char* what);

// Bytes a value holds (a sequence: its items), for the accumulation limit.
int64_t value_bytes(const Tensor& t);

// Slice `index` along `axis` (that axis dropped) and its inverse: `slices` stacked along a new `axis`.
Tensor take_along(const Tensor& t, int64_t axis, int64_t index);
Tensor stack_along(const std::vector<Tensor>& slices, int64_t axis, const Node& n, const std::string& what);

}  // namespace qwasm
