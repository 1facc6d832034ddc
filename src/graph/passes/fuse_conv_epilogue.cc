// A float Conv's output consumed only by an Add (a residual), then only by an
// activation, or only by the activation, becomes one Conv node that applies them on
// the way out (ops/conv_epilogue.h):
//   Conv -> [Add(., r)] -> [Relu | Clip | HardSwish | HardSigmoid | Sigmoid | LeakyRelu]
//        -> [Mul by a scalar constant] -> [Add of a scalar constant]
//        -> [Max | Min with a scalar constant] -> [Max | Min with a scalar constant]
// The activation and its parameters go into qwasm_float_act*, the Add's other operand
// into input 3 with qwasm_residual = 1, the scalars into qwasm_post_scale / _shift
// (graph/private_attrs.h), the Max / Min steps into qwasm_post_clamp_*. The op computes the
// same expressions in the same order, so the fused graph gives the same bits.
// Matched only when each intermediate value has its one use inside the chain (none is
// a graph output) and a Clip's bounds are float32 constants; the fused node takes the
// place of the chain's last node, so a residual computed after the Conv is ready.
#include <algorithm>
#include <limits>
#include <vector>

#include "graph/passes/graph_index.h"
#include "graph/passes/passes.h"
#include "graph/private_attrs.h"

namespace qwasm {
namespace {

bool is_op(const Node& n, const char* op) { return n.domain.empty() && n.op_type == op && n.outputs.size() == 1; }

Attribute float_attr(float v) {
  Attribute a;
  a.kind = Attribute::Kind::Float, a.f = v;
  return a;
}

// A single float32 constant input (absent: `def`); false when not constant.
bool bound(const GraphIndex& idx, const Node& n, size_t i, float def, float& v) {
  v = def;
  if (i >= n.inputs.size() || n.inputs[i].empty()) return true;
  const Tensor* t = idx.constant(n.inputs[i]);
  if (!t || t->dtype() != DType::Float32 || t->size() != 1) return false;
  v = t->data<float>()[0];
  return true;
}

// The activation `n` as the Conv epilogue names it, with its parameters; "" when not one.
std::string activation(const GraphIndex& idx, const Node& n, float& alpha, float& beta) {
  alpha = beta = 0.0f;
  if (!n.domain.empty() || n.outputs.size() != 1 || n.inputs.empty()) return "";
  const std::string& op = n.op_type;
  if ((op == "Relu" || op == "Sigmoid" || op == "HardSwish") && n.inputs.size() == 1) return op;
  if (op == "LeakyRelu" && n.inputs.size() == 1) return alpha = n.attr_f("alpha", 0.01f), op;
  if (op == "HardSigmoid" && n.inputs.size() == 1) {
    alpha = n.attr_f("alpha", 0.2f), beta = n.attr_f("beta", 0.5f);
    return op;
  }
  if (op == "Clip") {
    const float inf = std::numeric_limits<float>::infinity();
    if (n.opset < 11) {
      if (n.inputs.size() != 1) return "";
      alpha = n.attr_f("min", -inf), beta = n.attr_f("max", inf);
      return op;
    }
    return bound(idx, n, 1, -inf, alpha) && bound(idx, n, 2, inf, beta) ? op : "";
  }
  return "";
}

// Whether `n` is `op`(value, c) or `op`(c, value) with c a single float32 constant of
// rank <= max_rank (so it cannot broadcast the output up); sets c and whether c comes first.
bool scalar_operand(const GraphIndex& idx, const Node& n, const char* op, const std::string& value, float& c,
                    int64_t max_rank = 1, bool* c_first = nullptr) {
  if (!is_op(n, op) || n.inputs.size() != 2 || n.inputs[0] == n.inputs[1]) return false;
  const std::string& other = n.inputs[0] == value ? n.inputs[1] : n.inputs[0];
  const Tensor* t = idx.constant(other);
  if (!t || t->dtype() != DType::Float32 || t->size() != 1 || int64_t(t->rank()) > max_rank) return false;
  c = t->data<float>()[0];
  if (c_first) *c_first = n.inputs[0] == other;
  return true;
}

// The rank of the Conv's output when its weight is a constant (the same rank), else 1
// (then only constants of rank <= 1 are known not to broadcast it).
int64_t conv_output_rank(const GraphIndex& idx, const Node& conv) {
  const Tensor* w = idx.constant(conv.inputs[1]);
  return w ? std::max<int64_t>(1, int64_t(w->rank())) : 1;
}

// The one node reading `value`, when nothing else (graph outputs included) sees it.
int only_reader(const GraphIndex& idx, const std::string& value, const std::set<int>& dead) {
  if (idx.is_graph_output(value)) return -1;
  const int c = idx.sole_consumer(value);
  return c >= 0 && !dead.count(c) ? c : -1;
}

}  // namespace

void fuse_conv_epilogue(Model& m) {
  Graph& g = m.graph;
  std::set<int> dead;
  {
    const GraphIndex idx(g);
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      const Node& conv = g.nodes[i];
      if (dead.count(int(i)) || !is_op(conv, "Conv") || conv.inputs.size() < 2 || conv.inputs.size() > 3) continue;
      bool has_private = false;
      for (const auto& kv : conv.attrs) has_private = has_private || is_private_attr(kv.first);
      if (has_private) continue;
      int last = int(i), add = -1, act = -1;
      std::string residual, act_name;
      float alpha = 0, beta = 0;
      int next = only_reader(idx, conv.outputs[0], dead);
      if (next >= 0 && is_op(g.nodes[size_t(next)], "Add") && g.nodes[size_t(next)].inputs.size() == 2) {
        const Node& a = g.nodes[size_t(next)];
        if (a.inputs[0] != a.inputs[1]) {
          residual = a.inputs[0] == conv.outputs[0] ? a.inputs[1] : a.inputs[0];
          add = last = next;
          next = only_reader(idx, a.outputs[0], dead);
        }
      }
      if (next >= 0) {
        act_name = activation(idx, g.nodes[size_t(next)], alpha, beta);
        if (!act_name.empty()) {
          act = last = next;
          next = only_reader(idx, g.nodes[size_t(act)].outputs[0], dead);
        }
      }
      // Then v * scale (a scalar Mul) and / or + shift (a scalar Add), in that order.
      int post_mul = -1, post_add = -1;
      float scale = 1.0f, shift = 0.0f;
      if (next >= 0 && scalar_operand(idx, g.nodes[size_t(next)], "Mul", g.nodes[size_t(last)].outputs[0], scale)) {
        post_mul = last = next;
        next = only_reader(idx, g.nodes[size_t(last)].outputs[0], dead);
      }
      if (next >= 0 && scalar_operand(idx, g.nodes[size_t(next)], "Add", g.nodes[size_t(last)].outputs[0], shift)) {
        post_add = last = next;
        next = only_reader(idx, g.nodes[size_t(last)].outputs[0], dead);
      }
      // Then Max / Min with a scalar (a rank-4 [1,1,1,1] constant included: it does not
      // broadcast a 4-D Conv output).
      std::vector<int> clamp_nodes;
      std::vector<int64_t> clamp_ops;
      std::vector<float> clamp_values;
      const int64_t rank = conv_output_rank(idx, conv);
      while (next >= 0 && clamp_nodes.size() < 2) {
        const Node& n = g.nodes[size_t(next)];
        const std::string& v = g.nodes[size_t(last)].outputs[0];
        float c = 0;
        bool c_first = false;
        int64_t code;
        if (scalar_operand(idx, n, "Max", v, c, rank, &c_first)) code = c_first ? 1 : 0;
        else if (scalar_operand(idx, n, "Min", v, c, rank, &c_first)) code = c_first ? 3 : 2;
        else break;
        clamp_nodes.push_back(next), clamp_ops.push_back(code), clamp_values.push_back(c);
        last = next;
        next = only_reader(idx, n.outputs[0], dead);
      }
      if (last == int(i)) continue;
      Node f = conv;
      f.inputs.resize(3);  // "" when the Conv has no bias
      if (add >= 0) {
        f.inputs.push_back(residual);
        Attribute one;
        one.kind = Attribute::Kind::Int, one.i = 1;
        f.attrs[kAttrResidual] = one;
      }
      if (act >= 0) {
        Attribute a;
        a.kind = Attribute::Kind::String, a.s = act_name;
        f.attrs[kAttrFloatAct] = a;
        f.attrs[kAttrFloatActAlpha] = float_attr(alpha);
        f.attrs[kAttrFloatActBeta] = float_attr(beta);
      }
      if (post_mul >= 0 || post_add >= 0) {
        f.attrs[kAttrPostScale] = float_attr(scale);
        f.attrs[kAttrPostShift] = float_attr(shift);
      }
      if (!clamp_nodes.empty()) {
        Attribute ops, values;
        ops.kind = Attribute::Kind::Ints, ops.ints = clamp_ops;
        values.kind = Attribute::Kind::Floats, values.floats = clamp_values;
        f.attrs[kAttrPostClampOps] = ops;
        f.attrs[kAttrPostClampValues] = values;
      }
      f.outputs = g.nodes[size_t(last)].outputs;
      dead.insert(int(i));
      clamp_nodes.insert(clamp_nodes.end(), {add, act, post_mul, post_add});
      for (int k : clamp_nodes)
        if (k >= 0 && k != last) dead.insert(k);
      g.nodes[size_t(last)] = std::move(f);
    }
  }
  erase_nodes(g, dead);
}

}  // namespace qwasm
