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

}  // namespace

void fuse_gelu(Model& m) {
  Graph& g = m.graph;
  std::set<int> dead;
  {
    const GraphIndex idx(g);
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      const Node& erf = g.nodes[i];
      if (!is_op(erf, "Erf") || erf.inputs.size() != 1 || dead.count(int(i))) continue;
      // d = x / sqrt(2) or x * (1 / sqrt(2)); x is the Div's dividend, either Mul operand.
      const int di = idx.producer(erf.inputs[0]);
      if (di < 0 || idx.sole_consumer(erf.inputs[0]) != int(i)) continue;
      const Node& dn = g.nodes[size_t(di)];
      std::string x;
      float c;
      if (is_op(dn, "Div") && dn.inputs.size() == 2 && scalar_constant(idx, dn.inputs[1], c) && near(c, std::sqrt(2.0)))
        x = dn.inputs[0];
      else if (is_op(dn, "Mul") && dn.inputs.size() == 2) {
        for (int k = 0; k < 2 && x.empty(); ++k)
          if (scalar_constant(idx, dn.inputs[size_t(k)], c) && near(c, std::sqrt(0.5))) x = dn.inputs[size_t(1 - k)];
      }
      if (x.empty()) continue;
      // a = e + 1
      const int ai = idx.sole_consumer(erf.outputs[0]);
      if (ai < 0 || !is_op(g.nodes[size_t(ai)], "Add")) continue;
      const Node& an = g.nodes[size_t(ai)];
      const std::string one = other_input(an, erf.outputs[0]);
      if (one.empty() || !scalar_constant(idx, one, c) || c != 1.0f) continue;
      // The Mul reading a: its other operand is x (then a Mul by 0.5 follows) or x * 0.5.
      const int mi = idx.sole_consumer(an.outputs[0]);
      if (mi < 0 || !is_op(g.nodes[size_t(mi)], "Mul")) continue;
      const Node& mn = g.nodes[size_t(mi)];
      const std::string partner = other_input(mn, an.outputs[0]);
      if (partner.empty()) continue;
      int last = -1, half_node = -1;
      if (partner == x) {
        const int hi = idx.sole_consumer(mn.outputs[0]);
        if (hi < 0 || !is_op(g.nodes[size_t(hi)], "Mul")) continue;
        const std::string h = other_input(g.nodes[size_t(hi)], mn.outputs[0]);
        if (h.empty() || !scalar_constant(idx, h, c) || c != 0.5f) continue;
        last = hi;
      } else {
        const int hi = idx.producer(partner);
        if (hi < 0 || idx.sole_consumer(partner) != mi || !is_op(g.nodes[size_t(hi)], "Mul")) continue;
        const std::string h = other_input(g.nodes[size_t(hi)], x);
        if (h.empty() || !scalar_constant(idx, h, c) || c != 0.5f) continue;
        half_node = hi, last = mi;
      }
      const std::set<int> parts = {di, int(i), ai, mi, last, half_node};
      bool taken = false;
      for (int p : parts) taken = taken || (p >= 0 && dead.count(p));
      if (taken) continue;

      Node f;
      f.domain = "com.microsoft", f.op_type = "Gelu", f.opset = 1;
      f.name = erf.name.empty() ? "Gelu" : erf.name + "/gelu";
      f.inputs = {x};
      f.outputs = g.nodes[size_t(last)].outputs;
      // The fused node takes the last node's place: everything reading y comes after it.
      for (int p : parts)
        if (p >= 0 && p != last) dead.insert(p);
      g.nodes[size_t(last)] = std::move(f);
    }
  }
  if (!dead.empty() && !m.opsets.count("com.microsoft")) m.opsets["com.microsoft"] = 1;
  erase_nodes(g, dead);
}

}  // namespace qwasm
