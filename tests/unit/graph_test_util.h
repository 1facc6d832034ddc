// Small builders for the unit tests that assemble graphs by hand (graph passes,
// threaded operators): nodes, attributes, value infos, random tensors.
#pragma once
#include <random>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/passes/passes.h"
#include "ops/registry.h"

namespace qwasm::test {

inline Attribute int_attr(int64_t v) {
  Attribute a;
  a.kind = Attribute::Kind::Int, a.i = v;
  return a;
}
inline Attribute ints_attr(std::vector<int64_t> v) {
  Attribute a;
  a.kind = Attribute::Kind::Ints, a.ints = std::move(v);
  return a;
}
inline Attribute float_attr(float v) {
  Attribute a;
  a.kind = Attribute::Kind::Float, a.f = v;
  return a;
}

// A node of the default domain named after its op and first output.
inline Node make(const std::string& op, std::vector<std::string> in, std::vector<std::string> out,
                 int64_t opset = 17) {
  Node n;
  n.op_type = op;
  n.name = op + "_" + out[0];
  n.opset = opset;
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  return n;
}
// The same for a com.microsoft contrib op (opset 1).
inline Node make_ms(const std::string& op, std::vector<std::string> in, std::vector<std::string> out) {
  Node n = make(op, std::move(in), std::move(out), 1);
  n.domain = "com.microsoft";
  return n;
}

inline ValueInfo value(const std::string& name, DType t, const Shape& s) {
  ValueInfo vi;
  vi.name = name, vi.dtype = t, vi.has_shape = true;
  for (int64_t d : s) vi.dims.push_back(Dim{d, ""});
  return vi;
}

// The frame of a pass test's chain: float X and Y of shape s, and X -> Identity -> x, so the
// chain (the caller's nodes, from x to Y) starts at a node output, as in a real model.
// remove_identities (the first pass) takes the Identity out: optimized chains read X.
inline Model chain_model(int64_t opset, const Shape& s) {
  Model m;
  m.opsets[""] = opset;
  Graph& g = m.graph;
  g.inputs = {value("X", DType::Float32, s)};
  g.outputs = {value("Y", DType::Float32, s)};
  g.nodes.push_back(make("Identity", {"X"}, {"x"}));
  return m;
}

// {a, b}, or {b, a} with `swap`: a commutative op's operands in either order.
inline std::vector<std::string> operands(bool swap, const std::string& a, const std::string& b) {
  return swap ? std::vector<std::string>{b, a} : std::vector<std::string>{a, b};
}

inline Tensor scalar_f(float v, const Shape& s = {}) {
  Tensor t(DType::Float32, s);
  t.data<float>()[0] = v;
  return t;
}
inline Tensor random_f32(const Shape& s, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f) {
  Tensor t(DType::Float32, s);
  std::uniform_real_distribution<float> d(lo, hi);
  for (int64_t i = 0; i < t.size(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

// The op traits the executor hands the passes: the built-in registry's.
inline OpTraitsOf builtin_traits() {
  return [](const Node& n) { return OpRegistry::builtin().traits(n.domain, n.op_type, n.opset); };
}

inline Model optimized(Model m) {
  optimize_graph(m, builtin_traits());
  return m;
}
inline std::vector<std::string> op_types(const Model& m) {
  std::vector<std::string> ops;
  for (const Node& n : m.graph.nodes) ops.push_back(n.op_type);
  return ops;
}

}  // namespace qwasm::test
