// The executor's implementation of ops/op.h SubgraphRunner: a body compiled as its own
// Executor, its outer-scope values (graph/subgraph_scope.h) fed as extra inputs.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "ops/op.h"

namespace qwasm {

std::unique_ptr<SubgraphRunner> make_subgraph_runner(const Graph& body, const std::map<std::string, int64_t>& opsets,
                                                     bool optimize, const ControlFlowLimits& limits);

}  // namespace qwasm
