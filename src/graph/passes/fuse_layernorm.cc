// Layer normalization over the last axis written out op by op (how PyTorch exports a
// hand-written LayerNorm module, e.g. openWakeWord's wake-word heads):
//
//   m = ReduceMean(x, axes = [-1])      d = Sub(x, m)          p = Pow(d, 2)
//   v = ReduceMean(p, axes = [-1])      s = Sqrt(Add(v, eps))  n = Div(d, s)
//   y = Add(Mul(n, gamma), beta)        (Mul / Add operands in either order; Add optional)
//
// becomes one ai.onnx LayerNormalization (axis -1, epsilon eps, scale gamma, bias beta).
// Nine steps over a short row become one: in a wake-word head of a few hundred
// microseconds' work the chain's per-step cost was most of the run. The fused op computes
// (x - mean) * (1 / sqrt(var + eps)) * gamma + beta with the same two-pass statistics, so
// it differs from the chain only by rounding (a multiply by the reciprocal instead of the
// Div; the sums in another order): a few float32 ulps.
// Matched only when: both ReduceMeans reduce exactly the last axis and keep it; the Pow
// exponent is exactly 2 and eps a single float32 constant (rank 0 or 1); gamma (and beta)
// are float32 constants of rank 1 with more than one element (broadcasting cannot change
// the shape, and the scale covers the row; the Mul fixes x as float32); and every
// intermediate value is used only inside the pattern (d by the Pow and the Div), none
// being a graph output.
#include "graph/passes/graph_index.h"
#include "graph/passes/passes.h"

namespace qwasm {
namespace {

bool is_op(const Node& n, const char* op) { return n.domain.empty() && n.op_type == op && n.outputs.size() == 1; }

bool scalar_constant(const GraphIndex& idx, const std::string& name, float& v) {
  const Tensor* t = idx.constant(name);
  if (!t || t->dtype() != DType::Float32 || t->size() != 1 || t->rank() > 1) return false;
  v = t->data<float>()[0];
  return true;
}

// gamma / beta: rank 1 (broadcasting cannot change the shape) and more than one element
// (LayerNormalization's scale must cover the row; a single broadcast value stays unfused).
bool vector_constant(const GraphIndex& idx, const std::string& name) {
  const Tensor* t = idx.constant(name);
  return t && t->dtype() == DType::Float32 && t->rank() == 1 && t->size() > 1;
}

std::string other_input(const Node& n, const std::string& known) {
  if (n.inputs.size() != 2) return "";
  if (n.inputs[0] == known) return n.inputs[1];
  if (n.inputs[1] == known) return n.inputs[0];
  return "";
}

// A ReduceMean over the last axis that keeps it (axes as the attribute, opset < 18).
bool mean_over_last_axis(const Node& n) {
  if (!is_op(n, "ReduceMean") || n.inputs.size() != 1) return false;
  if (n.attr_i("keepdims", 1) != 1 || n.attr_i("noop_with_empty_axes", 0) != 0) return false;
  return n.has_attr("axes") && n.attr_ints("axes") == std::vector<int64_t>{-1};
}

struct LayerNormChain {
  int mean = -1, sub = -1, pow = -1, var = -1, add_eps = -1, sqrt = -1, div = -1, mul = -1, add_beta = -1;
  std::string x, gamma, beta;
  float eps = 0;
};

// The consumer of `value` when it is its only use and is op `op`, else -1.
int sole(const Graph& g, const GraphIndex& idx, const std::string& value, const char* op) {
  const int c = idx.sole_consumer(value);
  return c >= 0 && is_op(g.nodes[size_t(c)], op) ? c : -1;
}

bool match_layernorm(const Graph& g, const GraphIndex& idx, int mean_i, LayerNormChain& c) {
  const Node& mean = g.nodes[size_t(mean_i)];
  if (!mean_over_last_axis(mean)) return false;
  c.mean = mean_i;
  c.x = mean.inputs[0];
  if ((c.sub = sole(g, idx, mean.outputs[0], "Sub")) < 0) return false;
  const Node& sub = g.nodes[size_t(c.sub)];
  if (sub.inputs.size() != 2 || sub.inputs[0] != c.x || sub.inputs[1] != mean.outputs[0]) return false;
  // d feeds exactly the Pow and the Div.
  const std::string& d = sub.outputs[0];
  const std::vector<int>& dc = idx.consumers(d);
  if (idx.uses(d) != 2 || dc.size() != 2) return false;
  for (int k : dc) {
    const Node& n = g.nodes[size_t(k)];
    if (is_op(n, "Pow")) c.pow = k;
    else if (is_op(n, "Div")) c.div = k;
  }
  if (c.pow < 0 || c.div < 0) return false;
  const Node& pw = g.nodes[size_t(c.pow)];
  float two;
  if (pw.inputs.size() != 2 || pw.inputs[0] != d || !scalar_constant(idx, pw.inputs[1], two) || two != 2.0f) return false;
  if ((c.var = sole(g, idx, pw.outputs[0], "ReduceMean")) < 0 || !mean_over_last_axis(g.nodes[size_t(c.var)])) return false;
  const std::string& v = g.nodes[size_t(c.var)].outputs[0];
  if ((c.add_eps = sole(g, idx, v, "Add")) < 0) return false;
  if (!scalar_constant(idx, other_input(g.nodes[size_t(c.add_eps)], v), c.eps)) return false;
  if ((c.sqrt = sole(g, idx, g.nodes[size_t(c.add_eps)].outputs[0], "Sqrt")) < 0) return false;
  const Node& dv = g.nodes[size_t(c.div)];
  const std::string& s = g.nodes[size_t(c.sqrt)].outputs[0];
  if (idx.sole_consumer(s) != c.div || dv.inputs.size() != 2 || dv.inputs[0] != d || dv.inputs[1] != s) return false;
  const std::string& nrm = dv.outputs[0];
  if ((c.mul = sole(g, idx, nrm, "Mul")) < 0) return false;
  c.gamma = other_input(g.nodes[size_t(c.mul)], nrm);
  if (c.gamma.empty() || c.gamma == nrm || !vector_constant(idx, c.gamma)) return false;
  const std::string& scaled = g.nodes[size_t(c.mul)].outputs[0];
  const int ab = sole(g, idx, scaled, "Add");
  if (ab >= 0) {
    const std::string beta = other_input(g.nodes[size_t(ab)], scaled);
    if (!beta.empty() && beta != scaled && vector_constant(idx, beta)) c.add_beta = ab, c.beta = beta;
  }
  return true;
}

Node layernorm_node(const Node& first, const LayerNormChain& c, const std::vector<std::string>& outputs) {
  Node f;
  f.domain = "", f.op_type = "LayerNormalization", f.opset = 17;
  f.name = first.name.empty() ? "LayerNormalization" : first.name + "/layernorm";
  f.inputs = {c.x, c.gamma};
  if (!c.beta.empty()) f.inputs.push_back(c.beta);
  f.outputs = outputs;
  Attribute axis;
  axis.kind = Attribute::Kind::Int;
  axis.i = -1;
  f.attrs["axis"] = axis;
  Attribute eps;
  eps.kind = Attribute::Kind::Float;
  eps.f = c.eps;
  f.attrs["epsilon"] = eps;
  return f;
}

}  // namespace

void fuse_layernorm(Model& m) {
  Graph& g = m.graph;
  std::set<int> dead;
  const GraphIndex idx(g);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    LayerNormChain c;
    if (dead.count(int(i)) || !match_layernorm(g, idx, int(i), c)) continue;
    const int last = c.add_beta >= 0 ? c.add_beta : c.mul;
    replace_chain(g, {c.mean, c.sub, c.pow, c.var, c.add_eps, c.sqrt, c.div, c.mul, c.add_beta}, last,
                  layernorm_node(g.nodes[i], c, g.nodes[size_t(last)].outputs), dead);
  }
  erase_nodes(g, dead);
}

}  // namespace qwasm
