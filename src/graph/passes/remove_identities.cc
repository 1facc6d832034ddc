// Pass-through nodes (Identity; Dropout in inference with only its output wanted; a
// Cast to the type its input already has) taken out of the graph: their consumers read
// the input instead. Identity only shares a buffer, but each node still costs a step per
// run (200 chained Identity nodes on [1, 8]: 0.022 ms a run vs onnxruntime-web's 0.008),
// and an Identity between two nodes hides a pattern from the fusing passes after this one.
//
// Names the caller or a subgraph can see stay valid:
// - a graph output made by a pass-through node keeps its name: the node producing the
//   input is renamed to write the output directly, when the input is a plain intermediate
//   value (not a graph input, initializer or another graph output); otherwise the node
//   stays (a graph input passed straight to an output, say);
// - If / Loop / Scan bodies that read a removed name from the outer scope are rewritten
//   to read its replacement (copied first: bodies are shared between copies of a model);
//   where a body defines the replacement's name itself (shadowing), nothing is removed.
#include <map>
#include <memory>
#include <set>

#include "graph/passes/graph_index.h"
#include "graph/passes/passes.h"
#include "graph/subgraph_scope.h"

namespace qwasm {
namespace {

constexpr int64_t kInt64 = 7;  // TensorProto.INT64

// Every name a node's subgraphs (and theirs, recursively) define.
void collect_defined(const Graph& g, std::set<std::string>& out) {
  for (const auto& vi : g.inputs) out.insert(vi.name);
  for (const auto& kv : g.initializers) out.insert(kv.first);
  for (const Node& n : g.nodes) {
    out.insert(n.outputs.begin(), n.outputs.end());
    for (const auto& kv : n.attrs) {
      if (kv.second.g) collect_defined(*kv.second.g, out);
      for (const auto& sub : kv.second.graphs)
        if (sub) collect_defined(*sub, out);
    }
  }
}

void rename_free_in_node(Node& n, const std::string& from, const std::string& to);

// Rewrites the free uses of `from` in *gp to `to`, on a copy of the graph (the original
// may be shared with another Model). A body that defines `from` has no free use of it.
void rename_free(std::shared_ptr<Graph>& gp, const std::string& from, const std::string& to) {
  if (!gp) return;
  bool used = false;
  for (const auto& s : free_names(*gp)) used = used || s == from;
  if (!used) return;
  gp = std::make_shared<Graph>(*gp);
  for (Node& n : gp->nodes) {
    for (auto& s : n.inputs)
      if (s == from) s = to;
    rename_free_in_node(n, from, to);
  }
  for (auto& vi : gp->outputs)
    if (vi.name == from) vi.name = to;
}

void rename_free_in_node(Node& n, const std::string& from, const std::string& to) {
  for (auto& kv : n.attrs) {
    rename_free(kv.second.g, from, to);
    for (auto& sub : kv.second.graphs) rename_free(sub, from, to);
  }
}

// Whether `n` returns its input 0 unchanged as output 0 and has no other wanted output.
bool passes_through(const Node& n, const GraphIndex& idx, const Graph& g) {
  if (!n.domain.empty() || n.inputs.empty() || n.inputs[0].empty() || n.outputs.empty() || n.outputs[0].empty())
    return false;
  for (size_t i = 1; i < n.outputs.size(); ++i)
    if (!n.outputs[i].empty()) return false;
  if (n.op_type == "Identity") return n.inputs.size() == 1;
  if (n.op_type == "Dropout") {
    if (n.opset < 12) return n.inputs.size() == 1;  // no training before opset 12
    // ratio absent or one constant element (the kernel checks its size); training_mode
    // absent or a constant false.
    if (n.inputs.size() > 3) return false;
    if (n.inputs.size() > 1 && !n.inputs[1].empty()) {
      const Tensor* r = idx.constant(n.inputs[1]);
      if (!r || r->size() != 1) return false;
    }
    if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
      const Tensor* t = idx.constant(n.inputs[2]);
      if (!t || t->size() != 1 || t->dtype() != DType::Bool || t->data<uint8_t>()[0] != 0) return false;
    }
    return true;
  }
  if (n.op_type == "Cast" && n.inputs.size() == 1) {
    // The input's type is known without shape inference only where its producer fixes it.
    const Attribute* to = n.attr("to");
    if (!to || to->kind != Attribute::Kind::Int) return false;
    const int p = idx.producer(n.inputs[0]);
    if (p < 0) return false;
    const Node& src = g.nodes[size_t(p)];
    if (!src.domain.empty()) return false;
    if (src.op_type == "Shape" || src.op_type == "Size") return to->i == kInt64;
    if (src.op_type == "Cast") {
      const Attribute* src_to = src.attr("to");
      return src_to && src_to->kind == Attribute::Kind::Int && src_to->i == to->i;
    }
  }
  return false;
}

}  // namespace

void remove_identities(Model& m) {
  Graph& g = m.graph;
  std::vector<int> through;
  {
    const GraphIndex idx(g);
    for (size_t i = 0; i < g.nodes.size(); ++i)
      if (passes_through(g.nodes[i], idx, g)) through.push_back(int(i));
  }
  if (through.empty()) return;

  std::set<std::string> outputs, sub_reads, sub_defines, outer_names;
  for (const auto& vi : g.outputs) outputs.insert(vi.name);
  for (const auto& vi : g.inputs) outer_names.insert(vi.name);
  for (const auto& kv : g.initializers) outer_names.insert(kv.first);
  for (const Node& n : g.nodes) {
    if (!has_subgraph(n)) continue;
    for (const auto& s : free_names(n)) sub_reads.insert(s);
    for (const auto& kv : n.attrs) {
      if (kv.second.g) collect_defined(*kv.second.g, sub_defines);
      for (const auto& sub : kv.second.graphs)
        if (sub) collect_defined(*sub, sub_defines);
    }
  }

  // 1. Pass-throughs whose output the caller does not see: y -> x.
  std::map<std::string, std::string> alias;
  std::map<std::string, int> node_of;  // y -> the node making it
  for (int i : through) {
    const Node& n = g.nodes[size_t(i)];
    if (outputs.count(n.outputs[0])) continue;
    alias[n.outputs[0]] = n.inputs[0];
    node_of[n.outputs[0]] = i;
  }
  auto resolve = [&alias](std::string s) {
    for (size_t hops = 0; hops <= alias.size(); ++hops) {  // bounded: a cycle is not a DAG, left as is
      auto it = alias.find(s);
      if (it == alias.end()) return s;
      s = it->second;
    }
    return s;
  };
  // A body reading y, where a body defines y's replacement: keep y (until nothing changes).
  for (bool changed = true; changed;) {
    changed = false;
    for (auto it = alias.begin(); it != alias.end();) {
      const std::string target = resolve(it->first);
      if (alias.count(target) || (sub_reads.count(it->first) && sub_defines.count(target))) {
        node_of.erase(it->first);
        it = alias.erase(it);
        changed = true;
      } else {
        ++it;
      }
    }
  }
  std::set<int> dead;
  for (const auto& kv : node_of) dead.insert(kv.second);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (dead.count(int(i))) continue;
    Node& n = g.nodes[i];
    for (auto& s : n.inputs)
      if (!s.empty() && alias.count(s)) s = resolve(s);
    if (has_subgraph(n))
      for (const auto& kv : alias)
        if (sub_reads.count(kv.first)) rename_free_in_node(n, kv.first, resolve(kv.first));
  }
  for (const auto& kv : alias)
    if (sub_reads.count(kv.first)) sub_reads.insert(resolve(kv.first));

  // 2. Pass-throughs making a graph output y from an intermediate value x: x's producer
  //    writes y instead, and x's readers read y.
  std::map<std::string, int> producer;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (!dead.count(int(i)))
      for (const auto& o : g.nodes[i].outputs)
        if (!o.empty()) producer[o] = int(i);
  for (int i : through) {
    if (dead.count(i)) continue;
    const Node& n = g.nodes[size_t(i)];
    const std::string y = n.outputs[0], x = n.inputs[0];
    if (!outputs.count(y) || outputs.count(x) || outer_names.count(x) || sub_defines.count(y)) continue;
    auto p = producer.find(x);
    if (p == producer.end() || p->second == i) continue;
    for (auto& o : g.nodes[size_t(p->second)].outputs)
      if (o == x) o = y;
    for (size_t j = 0; j < g.nodes.size(); ++j) {
      if (dead.count(int(j)) || int(j) == i) continue;
      Node& c = g.nodes[j];
      for (auto& s : c.inputs)
        if (s == x) s = y;
      if (sub_reads.count(x) && has_subgraph(c)) rename_free_in_node(c, x, y);
    }
    const int writer = p->second;  // erase(x) frees p's node
    producer.erase(x);
    producer[y] = writer;
    dead.insert(i);
  }
  erase_nodes(g, dead);
}

}  // namespace qwasm
