// Which names a subgraph (If branch, Loop / Scan / SequenceMap body) reads from the
// scopes around it. The executor lists them as extra inputs of the control-flow node,
// so ordering, lifetimes and constants treat an outer value a body reads like any
// other input of that node, and the body's own executor receives them as inputs.
#pragma once
#include <string>
#include <vector>

#include "graph/graph.h"

namespace qwasm {

// Names `g` uses (node inputs, graph outputs, and recursively what nested subgraphs
// read) that `g` does not define (its inputs, initializers, node outputs), in first-use order.
std::vector<std::string> free_names(const Graph& g);

// Union of free_names over every subgraph attribute of `n`, in first-use order.
std::vector<std::string> free_names(const Node& n);

// Whether `n` carries a subgraph attribute.
bool has_subgraph(const Node& n);

}  // namespace qwasm
