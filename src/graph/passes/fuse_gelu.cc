// The erf form of GELU, as PyTorch exports nn.GELU() and the BERT family writes it,
// becomes one com.microsoft Gelu node (the contrib op onnxruntime's optimizer emits):
//
//   d = Div(x, sqrt(2))   or Mul(x, 1/sqrt(2))
//   e = Erf(d)
//   a = Add(e, 1)
//   y = Mul(Mul(x, a), 0.5)   or   Mul(Mul(x, 0.5), a)        (operands in either order)
//
// Five passes over the activation become one: in BERT-base the unfused chain costs
// more than its attention softmax. The fused op computes 0.5 * x * (1 + erf(x / sqrt(2)))
// with the same fast_erff, so it differs from the chain only by rounding (x * 1/sqrt(2)
// instead of x / sqrt(2), and the product order): a few float32 ulps.
// Matched only when the constants are single float32 values (rank 0 or 1, so that
// broadcasting cannot change the shape) equal to sqrt(2) or 1/sqrt(2) within float
// rounding, exactly 1 and exactly 0.5, and every intermediate value has its one use
// inside the pattern (none is a graph output).
#include <cmath>

#include "graph/passes/graph_index.h"
#include "graph/passes/passes.h"

namespace qwasm {
namespace {

bool is_op(const Node& n, const char* op) { return n.domain.empty() && n.op_type == op && n.outputs.size() == 1; }

// The value of `name` when it is a single float32 constant that cannot broadcast x up.
bool scalar_constant(const GraphIndex& idx, const std::string& name, float& v) {
  const Tensor* t = idx.constant(name);
  if (!t || t->dtype() != DType::Float32 || t->size() != 1 || t->rank() > 1) return false;
  v = t->data<float>()[0];
  return true;
}

// The operand of a two-input node other than `known`, or "" when `known` is not one.
std::string other_input(const Node& n, const std::string& known) {
  if (n.inputs.size() != 2) return "";
  if (n.inputs[0] == known) return n.inputs[1];
  if (n.inputs[1] == known) return n.inputs[0];
  return "";
}

bool near(float v, double want) { return std::fabs(double(v) - want) <= 4e-7 * want; }

bool constant_is(const GraphIndex& idx, const std::string& name, float want) {
  float c;
  return !name.empty() && scalar_constant(idx, name, c) && c == want;
}

// The nodes of one matched chain (-1: not in this form) and the activation x.
struct GeluChain {
  int div = -1, erf = -1, add = -1, mul = -1, last = -1, half = -1;
  std::string x;
};

// d = x / sqrt(2) or x * (1 / sqrt(2)) feeding only the Erf: sets x (the Div's
// dividend, either Mul operand) and the node's index.
bool match_scaled_x(const Graph& g, const GraphIndex& idx, GeluChain& c) {
  const Node& erf = g.nodes[size_t(c.erf)];
  c.div = idx.producer(erf.inputs[0]);
  if (c.div < 0 || idx.sole_consumer(erf.inputs[0]) != c.erf) return false;
  const Node& dn = g.nodes[size_t(c.div)];
  float v;
  if (is_op(dn, "Div") && dn.inputs.size() == 2 && scalar_constant(idx, dn.inputs[1], v) && near(v, std::sqrt(2.0)))
    c.x = dn.inputs[0];
  else if (is_op(dn, "Mul") && dn.inputs.size() == 2) {
    for (int k = 0; k < 2 && c.x.empty(); ++k)
      if (scalar_constant(idx, dn.inputs[size_t(k)], v) && near(v, std::sqrt(0.5))) c.x = dn.inputs[size_t(1 - k)];
  }
  return !c.x.empty();
}

// The Mul reading a = e + 1: its other operand is x (then a Mul by 0.5 follows)
// or x * 0.5. Sets the Mul, the last node and the x * 0.5 node.
bool match_half_product(const Graph& g, const GraphIndex& idx, GeluChain& c) {
  const std::string& a = g.nodes[size_t(c.add)].outputs[0];
  c.mul = idx.sole_consumer(a);
  if (c.mul < 0 || !is_op(g.nodes[size_t(c.mul)], "Mul")) return false;
  const Node& mn = g.nodes[size_t(c.mul)];
  const std::string partner = other_input(mn, a);
  if (partner.empty()) return false;
  if (partner == c.x) {
    const int hi = idx.sole_consumer(mn.outputs[0]);
    if (hi < 0 || !is_op(g.nodes[size_t(hi)], "Mul")) return false;
    if (!constant_is(idx, other_input(g.nodes[size_t(hi)], mn.outputs[0]), 0.5f)) return false;
    c.last = hi;
  } else {
    const int hi = idx.producer(partner);
    if (hi < 0 || idx.sole_consumer(partner) != c.mul || !is_op(g.nodes[size_t(hi)], "Mul")) return false;
    if (!constant_is(idx, other_input(g.nodes[size_t(hi)], c.x), 0.5f)) return false;
    c.half = hi, c.last = c.mul;
  }
  return true;
}

// The whole chain around Erf node `erf_i`.
bool match_gelu(const Graph& g, const GraphIndex& idx, int erf_i, GeluChain& c) {
  const Node& erf = g.nodes[size_t(erf_i)];
  if (!is_op(erf, "Erf") || erf.inputs.size() != 1) return false;
  c.erf = erf_i;
  if (!match_scaled_x(g, idx, c)) return false;
  c.add = idx.sole_consumer(erf.outputs[0]);  // a = e + 1
  if (c.add < 0 || !is_op(g.nodes[size_t(c.add)], "Add")) return false;
  if (!constant_is(idx, other_input(g.nodes[size_t(c.add)], erf.outputs[0]), 1.0f)) return false;
  return match_half_product(g, idx, c);
}

Node gelu_node(const Node& erf, const std::string& x, const std::vector<std::string>& outputs) {
  Node f;
  f.domain = "com.microsoft", f.op_type = "Gelu", f.opset = 1;
  f.name = erf.name.empty() ? "Gelu" : erf.name + "/gelu";
  f.inputs = {x};
  f.outputs = outputs;
  return f;
}

}  // namespace

void fuse_gelu(Model& m) {
  Graph& g = m.graph;
  std::set<int> dead;
  {
    const GraphIndex idx(g);
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      GeluChain c;
      if (dead.count(int(i)) || !match_gelu(g, idx, int(i), c)) continue;
      replace_chain(g, {c.div, c.erf, c.add, c.mul, c.last, c.half}, c.last,
                    gelu_node(g.nodes[i], c.x, g.nodes[size_t(c.last)].outputs), dead);
    }
  }
  if (!dead.empty() && !m.opsets.count("com.microsoft")) m.opsets["com.microsoft"] = 1;
  erase_nodes(g, dead);
}

}  // namespace qwasm
