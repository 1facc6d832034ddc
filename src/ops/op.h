// The operator contract. An OpKernel is created once per node when a session is
// built (it validates attributes and may pre-pack constant inputs) and computes
// many times. Families register factories in a registry keyed by
// (domain, op_type, since_version); see ops/registry.h.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/tensor.h"
#include "ops/parallel.h"

namespace qwasm {

// Gives a kernel its inputs and allocates its outputs from the session's arena.
class OpContext {
 public:
  virtual ~OpContext() = default;
  virtual const Node& node() const = 0;
  virtual size_t input_count() const = 0;   // as listed on the node, including left-out ones
  // nullptr when the optional input is absent (or index >= input_count()).
  virtual const Tensor* input(size_t i) const = 0;
  // Allocates output i (uninitialised memory) and returns it.
  virtual Tensor& output(size_t i, DType dtype, const Shape& shape) = 0;
  // Sets output i to an existing tensor (e.g. a view sharing an input's buffer).
  virtual void set_output(size_t i, Tensor t) = 0;
  virtual size_t output_count() const = 0;
  // Whether output i is consumed (false when its name is "" or it is out of range).
  virtual bool output_wanted(size_t i) const = 0;
  // The threads this run may split work across (ops/parallel.h): the session's share of
  // its pool when the executor runs it, one thread otherwise (folding, unit tests).
  virtual Parallel& parallel() const { return serial(); }

  // Convenience: required input; throws naming the node when absent.
  const Tensor& in(size_t i) const;
};

class OpKernel {
 public:
  virtual ~OpKernel() = default;
  virtual void compute(OpContext& ctx) = 0;
  // True when the kernel copied constant input i into its own (packed) storage at
  // build time and never reads it at compute: the executor may then free the
  // original once no other node needs it (weights would otherwise sit twice in memory).
  virtual bool absorbed(size_t input) const { return false; }
};

// A subgraph (If branch, Loop / Scan body) compiled by the executor for a control-flow
// op; ops cannot see the runtime, so the executor hands a factory for these through
// BuildContext::subgraph.
class SubgraphRunner {
 public:
  virtual ~SubgraphRunner() = default;
  // Values the body reads from enclosing scopes (its free names, nested bodies included),
  // in the order run() takes them. The executor lists the same names as extra inputs of
  // the control-flow node, after its formal ones.
  virtual const std::vector<std::string>& outer_names() const = 0;
  // formal: one value per body graph input, in order; outer: one per outer_names().
  // Returns the body's outputs in order.
  virtual std::vector<Tensor> run(const std::vector<Tensor>& formal, const std::vector<const Tensor*>& outer,
                                  Parallel& par) = 0;
};

// Documented limits of control flow: a Loop whose iterations or accumulated outputs
// (scan outputs, a carried sequence growing) pass these fails with an Error naming it.
struct ControlFlowLimits {
  int64_t max_loop_iterations = int64_t(1) << 24;
  int64_t max_accumulated_bytes = int64_t(1) << 30;
};

// What a factory can see while building: constant inputs (initializers or
// Constant outputs known at load) for pre-packing and attribute checks.
struct BuildContext {
  const Node& node;
  std::function<const Tensor*(const std::string&)> constant;  // nullptr when not constant
  // The constant's bytes, writable, when this node is its only reader and nothing else
  // shares its buffer; nullptr otherwise. A kernel may then rearrange them in place
  // (and must report the input as absorbed).
  std::function<Tensor*(const std::string&)> exclusive_constant;
  // Compiles one of the node's subgraph attributes; empty outside an executor (tests
  // building one node), where control-flow ops then refuse to build.
  std::function<std::unique_ptr<SubgraphRunner>(const Graph&)> subgraph;
  ControlFlowLimits limits;
  const Tensor* const_input(size_t i) const {
    return i < node.inputs.size() && !node.inputs[i].empty() ? constant(node.inputs[i]) : nullptr;
  }
  Tensor* exclusive_input(size_t i) const {
    return exclusive_constant && i < node.inputs.size() && !node.inputs[i].empty() ? exclusive_constant(node.inputs[i])
                                                                                   : nullptr;
  }
};

using OpFactory = std::function<std::unique_ptr<OpKernel>(const BuildContext&)>;

// Wraps a plain function as a kernel (for ops with no per-node state).
using ComputeFn = void (*)(OpContext&);
std::unique_ptr<OpKernel> make_fn_kernel(ComputeFn fn);

}  // namespace qwasm
