// DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul(scales) (-> Add bias): the
// chain onnxruntime's quantize_dynamic (and so transformers.js "q8" models) emits
// for every MatMul with a constant weight:
//
//   A_q, A_scale, A_zp = DynamicQuantizeLinear(A)
//   Y_i = MatMulInteger(A_q, W_q, A_zp, W_zp)          W_q, W_zp constant
//   Y_f = Cast(Y_i, to=FLOAT)
//   S   = Mul(A_scale, W_scale)                        W_scale constant, scalar or [N]
//   Y   = Mul(Y_f, S)          (either operand order)
//   Out = Add(Y, bias)         optional, bias constant [N]
//
// becomes one com.microsoft DynamicQuantizeMatMul(A, W_q, W_scale, W_zp, bias) named
// like the MatMulInteger and producing Out under its own name. That op quantizes A
// with the same code as DynamicQuantizeLinear, runs the same packed int8 GEMM and
// then computes float(acc) * (a_scale * w_scale[n]) + bias[n] in the same order as
// the chain, so the fused result is bit-identical, while the int32 and two float
// [M, N] intermediates and four kernel launches per matmul disappear.
//
// Also matched: the scales applied by two Muls, Mul(Mul(Y_f, A_scale), W_scale) in
// either order; the fused op multiplies by their product instead, which can differ
// in the last bit (one extra rounding moved). The DynamicQuantizeLinear is removed
// once every chain reading it is fused (onnxruntime shares one between the Q, K and
// V projections: each fused op then quantizes A itself, which is cheap next to the
// GEMM). Intermediates used anywhere else, or visible as graph outputs, stop the
// match; so do non-constant weights or scale/zero-point shapes the op cannot take.
#include <set>

#include "graph/passes/graph_index.h"
#include "graph/passes/passes.h"

namespace qwasm {
namespace {

bool is_op(const Node& n, const char* op) { return n.domain.empty() && n.op_type == op; }
bool scalar_or_n(const Tensor& t, int64_t n) {
  return (t.size() == 1 && t.rank() <= 1) || (t.rank() == 1 && t.size() == n);
}

struct Chain {
  int dql = -1, matmul = -1, cast = -1, scale_mul = -1, add = -1;
  std::vector<int> muls;  // the Mul nodes on the Y_f path, in order
  std::string a, w, w_scale, w_zp, bias, out;
};

// Node i consuming `value` as its only use, when it is a `op` node; else -1.
int sole_consumer(const Graph& g, const GraphIndex& idx, const std::string& value, const char* op) {
  const int c = idx.sole_consumer(value);
  return c >= 0 && is_op(g.nodes[size_t(c)], op) ? c : -1;
}

// The input of a binary node that is not `value` ("" when both are).
std::string other_input(const Node& n, const std::string& value) {
  if (n.inputs.size() != 2) return "";
  if (n.inputs[0] == value && n.inputs[1] != value) return n.inputs[1];
  if (n.inputs[1] == value && n.inputs[0] != value) return n.inputs[0];
  return "";
}

// A_q and A_zp of MatMulInteger `mm` must both come from one DynamicQuantizeLinear
// (its scale is checked by match_scales). Sets c.dql and c.a.
bool match_dql(const Graph& g, const GraphIndex& idx, const Node& mm, Chain& c) {
  c.dql = idx.producer(mm.inputs[0]);
  if (c.dql < 0) return false;
  const Node& dq = g.nodes[size_t(c.dql)];
  if (!is_op(dq, "DynamicQuantizeLinear") || dq.inputs.size() != 1 || dq.outputs.size() != 3 ||
      dq.outputs[0] != mm.inputs[0] || dq.outputs[2].empty() || dq.outputs[2] != mm.inputs[2] || dq.outputs[1].empty())
    return false;
  c.a = dq.inputs[0];
  return true;
}

// W and its zero point: constant bytes, zero point scalar or one per column. Sets
// c.w, c.w_zp and N (the columns).
bool match_weight(const GraphIndex& idx, const Node& mm, Chain& c, int64_t& N) {
  const Tensor* w = idx.constant(mm.inputs[1]);
  if (!w || (w->dtype() != DType::Int8 && w->dtype() != DType::UInt8) || w->rank() < 2) return false;
  N = w->dim(w->rank() - 1);
  c.w = mm.inputs[1];
  if (mm.inputs.size() > 3 && !mm.inputs[3].empty()) {
    const Tensor* wz = idx.constant(mm.inputs[3]);
    if (!wz || wz->dtype() != w->dtype() || !scalar_or_n(*wz, N)) return false;
    c.w_zp = mm.inputs[3];
  }
  return true;
}

// The scales applied to Y_f (value `v`): a pre-multiplied A_scale * W_scale, or
// A_scale and W_scale one Mul each. Sets c.muls, c.w_scale, c.scale_mul and c.out.
bool match_scales(const Graph& g, const GraphIndex& idx, const std::string& a_scale, int64_t N, std::string v,
                  Chain& c) {
  auto is_w_scale = [&](const std::string& t_name) {
    const Tensor* t = idx.constant(t_name);
    return t && t->dtype() == DType::Float32 && scalar_or_n(*t, N);
  };
  bool have_a = false, have_w = false;
  while (!(have_a && have_w)) {
    const int mul = sole_consumer(g, idx, v, "Mul");
    if (mul < 0) return false;
    const Node& m = g.nodes[size_t(mul)];
    const std::string s = other_input(m, v);
    if (s.empty() || m.outputs.size() != 1 || m.outputs[0].empty()) return false;
    const int sp = idx.producer(s);
    if (s == a_scale && !have_a) {
      have_a = true;
    } else if (!have_w && is_w_scale(s)) {
      have_w = true, c.w_scale = s;
    } else if (!have_a && !have_w && sp >= 0 && is_op(g.nodes[size_t(sp)], "Mul")) {
      const std::string ws = other_input(g.nodes[size_t(sp)], a_scale);
      if (ws.empty() || !is_w_scale(ws)) return false;
      have_a = have_w = true, c.w_scale = ws, c.scale_mul = sp;
    } else {
      return false;
    }
    c.muls.push_back(mul);
    v = m.outputs[0];
  }
  c.out = v;
  return true;
}

// Optional bias after c.out: Add with a constant float [N] (the op takes exactly that shape).
void match_bias(const Graph& g, const GraphIndex& idx, int64_t N, Chain& c) {
  const int add = sole_consumer(g, idx, c.out, "Add");
  if (add < 0) return;
  const Node& ad = g.nodes[size_t(add)];
  const std::string b = other_input(ad, c.out);
  const Tensor* bias = b.empty() ? nullptr : idx.constant(b);
  if (bias && bias->dtype() == DType::Float32 && bias->rank() == 1 && bias->size() == N && ad.outputs.size() == 1 &&
      !ad.outputs[0].empty()) {
    c.add = add, c.bias = b, c.out = ad.outputs[0];
  }
}

bool match(const Graph& g, const GraphIndex& idx, int mi, Chain& c) {
  const Node& mm = g.nodes[size_t(mi)];
  if (!is_op(mm, "MatMulInteger") || mm.inputs.size() < 3 || mm.outputs.size() != 1 || mm.outputs[0].empty())
    return false;
  c.matmul = mi;
  int64_t N = 0;
  if (!match_dql(g, idx, mm, c) || !match_weight(idx, mm, c, N)) return false;
  c.cast = sole_consumer(g, idx, mm.outputs[0], "Cast");
  if (c.cast < 0) return false;
  const Node& cast = g.nodes[size_t(c.cast)];
  if (cast.attr_i("to", 0) != int64_t(DType::Float32) || cast.outputs.size() != 1) return false;
  if (!match_scales(g, idx, g.nodes[size_t(c.dql)].outputs[1], N, cast.outputs[0], c)) return false;
  match_bias(g, idx, N, c);
  return true;
}

Node fused_node(const Graph& g, const Chain& c) {
  Node f;
  f.name = g.nodes[size_t(c.matmul)].name;
  f.op_type = "DynamicQuantizeMatMul";
  f.domain = "com.microsoft";
  f.opset = 1;
  f.inputs = {c.a, c.w, c.w_scale, c.w_zp, c.bias};
  while (!f.inputs.empty() && f.inputs.back().empty()) f.inputs.pop_back();
  f.outputs = {c.out};
  return f;
}

// Removes DynamicQuantizeLinear and scale-Mul nodes (named by their first output)
// whose outputs nothing reads any more; repeats because a scale Mul reads A_scale.
void drop_dead(Graph& g, std::set<std::string> candidates) {
  for (bool changed = true; changed && !candidates.empty();) {
    changed = false;
    const GraphIndex idx(g);
    std::set<int> dead;
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      const Node& n = g.nodes[i];
      if (n.outputs.empty() || !candidates.count(n.outputs[0])) continue;
      bool unused = true;
      for (const auto& o : n.outputs) unused = unused && (o.empty() || idx.uses(o) == 0);
      if (unused) dead.insert(int(i)), candidates.erase(n.outputs[0]), changed = true;
    }
    erase_nodes(g, dead);
  }
}

}  // namespace

void fuse_dynamic_quant_matmul(Model& m) {
  Graph& g = m.graph;
  std::vector<Chain> chains;
  {
    const GraphIndex idx(g);
    std::set<int> claimed;
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      Chain c;
      if (!match(g, idx, int(i), c)) continue;
      std::vector<int> nodes = {c.matmul, c.cast};
      nodes.insert(nodes.end(), c.muls.begin(), c.muls.end());
      if (c.add >= 0) nodes.push_back(c.add);
      bool free = true;
      for (int n : nodes) free = free && !claimed.count(n);
      if (!free) continue;
      claimed.insert(nodes.begin(), nodes.end());
      chains.push_back(c);
    }
  }
  if (chains.empty()) return;

  // The fused node takes the place of the chain's last node; the rest goes.
  std::set<int> dead;
  std::set<std::string> maybe_dead;
  for (const Chain& c : chains) {
    const int last = c.add >= 0 ? c.add : c.muls.back();
    Node f = fused_node(g, c);
    dead.insert(c.matmul), dead.insert(c.cast);
    for (int mul : c.muls) dead.insert(mul);
    dead.erase(last);
    g.nodes[size_t(last)] = std::move(f);
    maybe_dead.insert(g.nodes[size_t(c.dql)].outputs[0]);
    if (c.scale_mul >= 0) maybe_dead.insert(g.nodes[size_t(c.scale_mul)].outputs[0]);
  }
  erase_nodes(g, dead);
  drop_dead(g, maybe_dead);
  if (!m.opsets.count("com.microsoft")) m.opsets["com.microsoft"] = 1;
}

}  // namespace qwasm
