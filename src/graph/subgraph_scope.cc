#include "graph/subgraph_scope.h"

#include <set>

namespace qwasm {
namespace {

void add_unique(std::vector<std::string>& out, std::set<std::string>& seen, const std::string& s) {
  if (!s.empty() && seen.insert(s).second) out.push_back(s);
}

}  // namespace

std::vector<std::string> free_names(const Graph& g) {
  std::set<std::string> defined;
  for (const auto& vi : g.inputs) defined.insert(vi.name);
  for (const auto& kv : g.initializers) defined.insert(kv.first);
  for (const Node& n : g.nodes)
    for (const auto& o : n.outputs) defined.insert(o);
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto use = [&](const std::string& s) {
    if (!defined.count(s)) add_unique(out, seen, s);
  };
  for (const Node& n : g.nodes) {
    for (const auto& s : n.inputs) use(s);
    for (const auto& s : free_names(n)) use(s);
  }
  for (const auto& vi : g.outputs) use(vi.name);
  return out;
}

std::vector<std::string> free_names(const Node& n) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& kv : n.attrs) {
    if (kv.second.g)
      for (const auto& s : free_names(*kv.second.g)) add_unique(out, seen, s);
    for (const auto& sub : kv.second.graphs)
      if (sub)
        for (const auto& s : free_names(*sub)) add_unique(out, seen, s);
  }
  return out;
}

bool has_subgraph(const Node& n) {
  for (const auto& kv : n.attrs)
    if (kv.second.g || !kv.second.graphs.empty()) return true;
  return false;
}

}  // namespace qwasm
