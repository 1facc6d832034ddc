// What the matching passes ask of a graph while they look for a pattern: who
// produces a value, how many times it is used, whether the caller can see it, and
// whether it is a constant known at load. Built before a pass rewrites anything:
// node indices and counts go stale once nodes are replaced or erased.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace qwasm {

class GraphIndex {
 public:
  explicit GraphIndex(const Graph& g);

  // Index of the node producing `value`, or -1 (graph input, initializer, unknown).
  int producer(const std::string& value) const;
  // Node indices consuming `value`, one entry per input slot (a node using it twice
  // appears twice). Uses inside subgraphs (If/Loop bodies reading outer values) are
  // not listed here but count in uses().
  const std::vector<int>& consumers(const std::string& value) const;
  // Every use: node input slots, subgraph references and graph outputs.
  int uses(const std::string& value) const;
  bool is_graph_output(const std::string& value) const { return outputs_.count(value) != 0; }
  // True when `value` has exactly one use and it is node `node` (one input slot).
  bool only_used_by(const std::string& value, int node) const;
  // The node whose one input slot is the only use of `value`, or -1.
  int sole_consumer(const std::string& value) const;

  // The constant behind `value` (an initializer or a Constant node's `value`
  // attribute), or nullptr. Graph inputs that shadow an initializer are not constant.
  const Tensor* constant(const std::string& value) const;

 private:
  const Graph& g_;
  std::map<std::string, int> producer_;
  std::map<std::string, std::vector<int>> consumers_;
  std::map<std::string, int> subgraph_uses_;
  std::set<std::string> outputs_;
  std::set<std::string> inputs_;
};

// Removes the nodes whose indices are in `dead` (keeps the others' order).
void erase_nodes(Graph& g, const std::set<int>& dead);

// Replaces a matched chain by one node, in place: `parts` are the chain's node indices (-1
// for a part the match did not need), `last` the part whose outputs `fused` writes. The
// fused node takes `last`'s place, since everything reading those outputs comes after it;
// the other parts go into `dead` (for erase_nodes). Returns false and changes nothing when
// a part is already dead (an earlier match took it).
bool replace_chain(Graph& g, const std::set<int>& parts, int last, Node fused, std::set<int>& dead);

// A name not used by any value, initializer or node of `g`, built from `base`.
std::string fresh_name(const Graph& g, const std::string& base);

// Drops the initializers that nothing reads any more (after a rewrite replaced the
// only consumer with a node over a repacked copy), so the session keeps one copy.
void drop_unused_initializers(Graph& g, const std::vector<std::string>& candidates);

}  // namespace qwasm
