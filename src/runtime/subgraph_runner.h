// The executor's implementation of ops/op.h SubgraphRunner: a body compiled as its own
// Executor. Of the values it reads from outside (graph/subgraph_scope.h), those constant
// in the enclosing executor become the body's initializers (so its Conv / MatMul pre-pack
// weights and its shape arithmetic folds, as at top level); the rest are fed per run.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "ops/op.h"

namespace qwasm {

class Executor;

// outer_constant: the enclosing executor's constant of that name, nullptr when not constant.
// parent: the enclosing executor, whose profile (if set when a run starts) the body adds to.
std::unique_ptr<SubgraphRunner> make_subgraph_runner(const Graph& body, const std::map<std::string, int64_t>& opsets,
                                                     bool optimize, const ControlFlowLimits& limits,
                                                     const std::function<const Tensor*(const std::string&)>& outer_constant,
                                                     const Executor* parent);

}  // namespace qwasm
