// HardSwish as exporters without the op write it (Paddle2ONNX, opsets < 14):
//
//   a = Add(x, 3)  c = Clip(a, 0, 6)  p = Mul(x, c)  y = Div(p, 6)  (or Mul(p, 1/6))
//
// (operands of Add and the first Mul in either order) becomes one HardSwish(x), which
// computes x * max(0, min(1, x / 6 + 0.5)): the same function, different float rounding
// (a few ulps). Four passes over the activation become one, and the HardSwish can then
// join its Conv's epilogue (fuse_conv_epilogue). Matched only when the constants are
// single float32 values equal to 3, 0, 6 (1/6 within float rounding) and every
// intermediate value has its one use inside the pattern (none is a graph output).
#include <cmath>
#include <limits>

#include "graph/passes/graph_index.h"
#include "graph/passes/passes.h"

namespace qwasm {
namespace {

bool is_op(const Node& n, const char* op) { return n.domain.empty() && n.op_type == op && n.outputs.size() == 1; }

bool scalar(const GraphIndex& idx, const std::string& name, float& v) {
  const Tensor* t = name.empty() ? nullptr : idx.constant(name);
  if (!t || t->dtype() != DType::Float32 || t->size() != 1 || t->rank() > 1) return false;
  v = t->data<float>()[0];
  return true;
}

// The Clip's bounds (attributes before opset 11, constant inputs after).
bool clip_is_0_6(const GraphIndex& idx, const Node& c) {
  if (c.opset < 11) return c.inputs.size() == 1 && c.attr_f("min", -1.0f) == 0.0f && c.attr_f("max", -1.0f) == 6.0f;
  float lo, hi;
  return c.inputs.size() == 3 && scalar(idx, c.inputs[1], lo) && scalar(idx, c.inputs[2], hi) && lo == 0.0f &&
         hi == 6.0f;
}

// The single consumer of `value` when it has no other use, else -1.
int next_of(const GraphIndex& idx, const std::string& value) {
  return idx.is_graph_output(value) ? -1 : idx.sole_consumer(value);
}

}  // namespace

void fuse_hardswish(Model& m) {
  Graph& g = m.graph;
  std::set<int> dead;
  {
    const GraphIndex idx(g);
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      const Node& add = g.nodes[i];
      if (dead.count(int(i)) || !is_op(add, "Add") || add.inputs.size() != 2) continue;
      float v;
      std::string x;
      if (scalar(idx, add.inputs[1], v) && v == 3.0f) x = add.inputs[0];
      else if (scalar(idx, add.inputs[0], v) && v == 3.0f) x = add.inputs[1];
      if (x.empty()) continue;
      const int ci = next_of(idx, add.outputs[0]);
      if (ci < 0 || !is_op(g.nodes[size_t(ci)], "Clip") || !clip_is_0_6(idx, g.nodes[size_t(ci)])) continue;
      const std::string& c = g.nodes[size_t(ci)].outputs[0];
      const int mi = next_of(idx, c);
      if (mi < 0 || !is_op(g.nodes[size_t(mi)], "Mul")) continue;
      const Node& mul = g.nodes[size_t(mi)];
      if (mul.inputs.size() != 2 || !((mul.inputs[0] == x && mul.inputs[1] == c) || (mul.inputs[0] == c && mul.inputs[1] == x)))
        continue;
      const int di = next_of(idx, mul.outputs[0]);
      if (di < 0) continue;
      const Node& last = g.nodes[size_t(di)];
      if (is_op(last, "Div") && last.inputs.size() == 2 && last.inputs[0] == mul.outputs[0]) {
        if (!scalar(idx, last.inputs[1], v) || v != 6.0f) continue;
      } else if (is_op(last, "Mul") && last.inputs.size() == 2) {
        const std::string& k = last.inputs[0] == mul.outputs[0] ? last.inputs[1] : last.inputs[0];
        if (!scalar(idx, k, v) || std::fabs(double(v) - 1.0 / 6.0) > 1e-7) continue;
      } else {
        continue;
      }
      if (dead.count(ci) || dead.count(mi) || dead.count(di)) continue;
      Node h;
      h.op_type = "HardSwish";
      h.opset = 14;
      h.name = last.name.empty() ? "HardSwish" : last.name + "/hardswish";
      h.inputs = {x};
      h.outputs = last.outputs;
      dead.insert(int(i)), dead.insert(ci), dead.insert(mi);
      g.nodes[size_t(di)] = std::move(h);
    }
  }
  erase_nodes(g, dead);
}

}  // namespace qwasm
