#include "runtime/subgraph_runner.h"

#include "graph/subgraph_scope.h"
#include "runtime/executor.h"

namespace qwasm {
namespace {

class BodyRunner : public SubgraphRunner {
 public:
  BodyRunner(const Graph& body, const std::map<std::string, int64_t>& opsets, bool optimize,
             const ControlFlowLimits& limits, const std::function<const Tensor*(const std::string&)>& outer_constant,
             const Executor* parent)
      : parent_(parent) {
    std::map<std::string, Tensor> constants;
    for (const auto& name : free_names(body)) {
      const Tensor* c = outer_constant ? outer_constant(name) : nullptr;
      if (c) constants[name] = *c;  // shares the buffer
      else outer_.push_back(name);
    }
    for (const auto& vi : body.inputs) formal_.push_back(vi.name);
    exec_ = Executor::for_subgraph(body, outer_, constants, opsets, optimize, limits);
  }
  const std::vector<std::string>& outer_names() const override { return outer_; }

  std::vector<Tensor> run(const std::vector<Tensor>& formal, const std::vector<const Tensor*>& outer,
                          Parallel& par) override {
    QWASM_CHECK(formal.size() == formal_.size(), "the body declares ", formal_.size(), " inputs but is given ",
                formal.size());
    QWASM_CHECK(outer.size() == outer_.size(), "the body reads ", outer_.size(), " outer values, given ",
                outer.size());
    // By position (the body's inputs, then the outer values: Executor::for_subgraph's order),
    // no names copied or looked up per run.
    std::vector<const Tensor*>& args = args_;
    args.clear();
    for (const Tensor& t : formal) args.push_back(&t);
    for (size_t i = 0; i < outer.size(); ++i) {
      QWASM_CHECK(outer[i] && outer[i]->defined(), "outer value '", outer_[i], "' the body reads has no value");
      args.push_back(outer[i]);
    }
    exec_->set_profile(parent_ ? parent_->profile() : nullptr, parent_ && parent_->profile_by_shape());
    return exec_->run_bound(args, par);
  }

 private:
  const Executor* parent_;
  std::vector<std::string> outer_;
  std::vector<std::string> formal_;
  std::vector<const Tensor*> args_;  // reused from run to run
  std::unique_ptr<Executor> exec_;
};

}  // namespace

std::unique_ptr<SubgraphRunner> make_subgraph_runner(const Graph& body, const std::map<std::string, int64_t>& opsets,
                                                     bool optimize, const ControlFlowLimits& limits,
                                                     const std::function<const Tensor*(const std::string&)>& outer_constant,
                                                     const Executor* parent) {
  return std::make_unique<BodyRunner>(body, opsets, optimize, limits, outer_constant, parent);
}

}  // namespace qwasm
