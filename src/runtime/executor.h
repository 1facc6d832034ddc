// Builds per-node kernels from a Model and runs them in topological order.
// Values live in slots; a slot is released after its last consumer so its buffer
// goes back to the session's arena for the next value (this run or a later one).
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "graph/graph.h"
#include "ops/op.h"
#include "runtime/arena.h"

namespace qwasm {

class Executor {
 public:
  // optimize: run the graph passes (graph/passes) first; off only to compare fused with unfused.
  // limits: what a Loop may iterate / accumulate before it fails (ops/op.h).
  explicit Executor(Model model, bool optimize = true, const ControlFlowLimits& limits = {});
  // A subgraph (If branch, Loop / Scan body) as its own executor: `outer` (names it reads
  // from enclosing scopes, fed per run) become graph inputs after the body's own,
  // `outer_constants` (the enclosing scopes' constants it reads) initializers; feeds are
  // not checked against the declared shapes (loop-carried values may change shape).
  static std::unique_ptr<Executor> for_subgraph(const Graph& body, const std::vector<std::string>& outer,
                                                const std::map<std::string, Tensor>& outer_constants,
                                                const std::map<std::string, int64_t>& opsets, bool optimize,
                                                const ControlFlowLimits& limits);
  ~Executor();

  const std::vector<ValueInfo>& inputs() const { return model_.graph.inputs; }
  const std::vector<ValueInfo>& outputs() const { return model_.graph.outputs; }
  const Model& model() const { return model_; }

  // Runs the graph; `wanted` empty means every graph output. Inputs are checked
  // against the declared dtype and shape (symbolic dims must agree across inputs).
  // Operators split their work across `par` (ops/parallel.h; a PoolSlice for threaded
  // sessions); results are the same for any thread count.
  std::vector<Tensor> run(const std::vector<std::pair<std::string, Tensor>>& feeds,
                          const std::vector<std::string>& wanted, Parallel& par = serial());
  // A subgraph's run: one value per graph input, in declared order (for_subgraph: the body's
  // own inputs, then the outer values), unchecked; returns every graph output in order. No
  // name lookups, so an If / Loop body costs little more than its steps.
  std::vector<Tensor> run_bound(const std::vector<const Tensor*>& inputs, Parallel& par);

  // Time per operator type ("domain::op_type" -> total ms, calls), summed over runs while
  // set. For tools and benchmarks; nullptr (the default) costs nothing. Ops inside If /
  // Loop / Scan bodies are counted too (their time is also inside the control-flow op's).
  // by_shape: the key also names the step's input and output shapes ("Conv [1,3,8,8]
  // [16,3,3,3] -> [1,16,8,8]"), to see which instances of an op the time goes to.
  using OpProfile = std::map<std::string, std::pair<double, int64_t>>;
  void set_profile(OpProfile* p, bool by_shape = false) { profile_ = p, profile_by_shape_ = by_shape; }
  OpProfile* profile() const { return profile_; }
  bool profile_by_shape() const { return profile_by_shape_; }

  // Observation hook: called after every step that runs, with the node (as the executor
  // runs it: build the executor with optimize = false to see the source graph's nodes),
  // its inputs (nullptr where left out) and its outputs. Constants folded at build time
  // are not steps. Used by the quantizer's calibration (activation ranges; later the
  // inputs of chosen nodes for GPTQ / AWQ). nullptr (the default) costs one test per step.
  // Top-level steps only: nodes inside If / Loop / Scan bodies are not observed.
  using StepObserver = std::function<void(const Node& node, const std::vector<const Tensor*>& inputs,
                                          const std::vector<Tensor>& outputs)>;
  void set_observer(const StepObserver* o) { observer_ = o; }

 private:
  struct Step {
    const Node* node;
    std::unique_ptr<OpKernel> kernel;
    std::vector<int> in;   // slot per input (-1 when left out or a constant)
    std::vector<const Tensor*> constant_in;  // per input: the constant it reads (in constants_), else nullptr
    std::vector<int> out;  // slot per output (-1 when not wanted)
    std::vector<int> release_after;  // slots whose last consumer is this step
    bool takes_sequences = false;    // OpTraits::takes_sequences of its op
  };
  class Context;

  Executor(Model model, bool optimize, const ControlFlowLimits& limits, bool is_subgraph);
  void build(bool optimize);
  int slot(const std::string& name);
  void plan();
  // What run() and run_bound() share: the steps over `values` (graph inputs set), then the outputs.
  std::vector<Tensor> execute(std::vector<Tensor>& values, const std::vector<std::string>& wanted, Parallel& par);
  void run_steps(std::vector<Tensor>& values, Parallel& par, size_t& at);
  void profiled_step(Step& st, OpContext& ctx, const std::vector<const Tensor*>& in);
  void check_feed(const ValueInfo& vi, const Tensor& t, std::unordered_map<std::string, int64_t>& syms) const;

  Model model_;
  std::shared_ptr<Arena> arena_;
  std::unordered_map<std::string, int> slots_;
  std::vector<std::string> slot_names_;
  std::unordered_map<std::string, Tensor> constants_;  // initializers + folded values
  std::vector<Step> steps_;
  std::vector<int> input_slots_;                    // slot of each graph input, in order
  std::vector<int> output_slots_;                   // slot of each graph output, in order
  // Reused from run to run (moved out while a run is under way, so a nested use would get
  // fresh ones): the value table and the per-step input pointers and outputs.
  std::vector<Tensor> values_;
  std::vector<const Tensor*> step_in_;
  std::vector<Tensor> step_out_;
  OpProfile* profile_ = nullptr;
  bool profile_by_shape_ = false;
  const StepObserver* observer_ = nullptr;
  ControlFlowLimits limits_;
  bool is_subgraph_ = false;
};

}  // namespace qwasm
