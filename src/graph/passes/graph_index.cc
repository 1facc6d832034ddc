#include "graph/passes/graph_index.h"

namespace qwasm {
namespace {

// Every name a subgraph body reads. Bodies may read outer-scope values without
// listing them anywhere else, so a rewrite must treat these as live uses. Names the
// body defines itself are counted too: harmless, they only make matching stricter.
void collect_subgraph_reads(const Graph& g, std::map<std::string, int>& reads) {
  for (const Node& n : g.nodes) {
    for (const auto& in : n.inputs)
      if (!in.empty()) ++reads[in];
    for (const auto& kv : n.attrs) {
      if (kv.second.g) collect_subgraph_reads(*kv.second.g, reads);
      for (const auto& sub : kv.second.graphs)
        if (sub) collect_subgraph_reads(*sub, reads);
    }
  }
  for (const auto& o : g.outputs) ++reads[o.name];
}

const std::vector<int> kNone;

}  // namespace

GraphIndex::GraphIndex(const Graph& g) : g_(g) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    for (const auto& o : n.outputs)
      if (!o.empty()) producer_[o] = int(i);
    for (const auto& in : n.inputs)
      if (!in.empty()) consumers_[in].push_back(int(i));
    for (const auto& kv : n.attrs) {
      if (kv.second.g) collect_subgraph_reads(*kv.second.g, subgraph_uses_);
      for (const auto& sub : kv.second.graphs)
        if (sub) collect_subgraph_reads(*sub, subgraph_uses_);
    }
  }
  for (const auto& o : g.outputs) outputs_.insert(o.name);
  for (const auto& i : g.inputs) inputs_.insert(i.name);
}

int GraphIndex::producer(const std::string& value) const {
  auto it = producer_.find(value);
  return it == producer_.end() ? -1 : it->second;
}

const std::vector<int>& GraphIndex::consumers(const std::string& value) const {
  auto it = consumers_.find(value);
  return it == consumers_.end() ? kNone : it->second;
}

int GraphIndex::uses(const std::string& value) const {
  auto sub = subgraph_uses_.find(value);
  return int(consumers(value).size()) + (sub == subgraph_uses_.end() ? 0 : sub->second) +
         (is_graph_output(value) ? 1 : 0);
}

bool GraphIndex::only_used_by(const std::string& value, int node) const {
  return uses(value) == 1 && consumers(value).size() == 1 && consumers(value)[0] == node;
}

int GraphIndex::sole_consumer(const std::string& value) const {
  const std::vector<int>& c = consumers(value);
  return uses(value) == 1 && c.size() == 1 ? c[0] : -1;
}

const Tensor* GraphIndex::constant(const std::string& value) const {
  if (value.empty() || inputs_.count(value)) return nullptr;
  auto it = g_.initializers.find(value);
  if (it != g_.initializers.end()) return &it->second;
  const int p = producer(value);
  if (p < 0) return nullptr;
  const Node& n = g_.nodes[size_t(p)];
  if (n.op_type != "Constant" || !n.domain.empty()) return nullptr;
  return n.attr_t("value");
}

void erase_nodes(Graph& g, const std::set<int>& dead) {
  if (dead.empty()) return;
  std::vector<Node> kept;
  kept.reserve(g.nodes.size() - dead.size());
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (!dead.count(int(i))) kept.push_back(std::move(g.nodes[i]));
  g.nodes = std::move(kept);
}

bool replace_chain(Graph& g, const std::set<int>& parts, int last, Node fused, std::set<int>& dead) {
  for (int p : parts)
    if (p >= 0 && dead.count(p)) return false;
  for (int p : parts)
    if (p >= 0 && p != last) dead.insert(p);
  g.nodes[size_t(last)] = std::move(fused);
  return true;
}

std::string fresh_name(const Graph& g, const std::string& base) {
  std::set<std::string> taken;
  for (const auto& kv : g.initializers) taken.insert(kv.first);
  for (const auto& vi : g.inputs) taken.insert(vi.name);
  for (const auto& vi : g.outputs) taken.insert(vi.name);
  for (const auto& n : g.nodes) {
    taken.insert(n.name);
    taken.insert(n.inputs.begin(), n.inputs.end());
    taken.insert(n.outputs.begin(), n.outputs.end());
  }
  std::string name = base;
  for (int i = 1; taken.count(name); ++i) name = base + "_" + std::to_string(i);
  return name;
}

void drop_unused_initializers(Graph& g, const std::vector<std::string>& candidates) {
  if (candidates.empty()) return;
  const GraphIndex idx(g);
  for (const auto& name : candidates)
    if (idx.uses(name) == 0) g.initializers.erase(name);
}

}  // namespace qwasm
