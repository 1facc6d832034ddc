// QDQ format (onnxruntime quantize_static): every quantized op appears as
//   DequantizeLinear(inputs) -> float op [-> Relu | Clip] -> QuantizeLinear
// Run as written, each activation is dequantized to float, processed in float and
// quantized again. This pass replaces the chain with one integer node reading the
// quantized tensors directly:
//   Conv   -> QLinearConv (W per tensor or per output channel, bias DQ(int32) folded in)
//   MatMul -> QLinearMatMul (B per tensor or per column)
//   Add    -> com.microsoft QLinearAdd (src/ops/quant_qlinear_add.cc)
//   Gemm   -> Reshape + 1x1 QLinearConv + Reshape (bias DQ(int32) folded in)
//   an op whose registration sets OpTraits::moves_values (Reshape, Flatten, Transpose,
//          Squeeze, Unsqueeze) between equal Q parameters -> the same op on the quantized tensor
// A Relu / Clip between the op and the QuantizeLinear becomes a narrower output clamp
// (attributes kAttrActLo / kAttrActHi of graph/private_attrs.h, read by QLinearConv and QLinearAdd): since
// q(y) = saturate(round(y / s) + z) is monotonic, q(clip(y, a, b)) = clamp(q(y), q(a), q(b))
// exactly, and Relu is clip(y, 0, inf).
// Conditions: activation scales / zero points per tensor and constant, weights and
// their parameters constant; the op's output (and the activation's) has no other use
// and is not a graph output. A DequantizeLinear shared with other consumers stays
// for them; one left unused is removed.
// Exactness: QLinearAdd, told so by kAttrQdqRounding, repeats the float arithmetic of the
// chain (bit-identical);
// QLinearConv / QLinearMatMul accumulate in int32, where the float op rounds every
// partial sum, so an output lying within float rounding of a .5 boundary can differ
// by 1 LSB (the bound tests/unit/graph_passes_qdq_test.cc checks).
#include <cmath>
#include <limits>
#include <string>
#include <map>
#include <set>

#include "graph/passes/graph_index.h"
#include "graph/passes/passes.h"
#include "graph/private_attrs.h"

namespace qwasm {
namespace {

bool is_op(const Node& n, const char* op) { return n.domain.empty() && n.op_type == op; }
bool is_byte(DType t) { return t == DType::UInt8 || t == DType::Int8; }

// The producer of `value` when it is a DequantizeLinear, else nullptr.
const Node* dq_of(const Graph& g, const GraphIndex& idx, const std::string& value) {
  const int p = idx.producer(value);
  if (p < 0) return nullptr;
  const Node& n = g.nodes[size_t(p)];
  if (!is_op(n, "DequantizeLinear") || n.inputs.size() < 2 || n.outputs.size() != 1) return nullptr;
  if (n.attr_i("output_dtype", 0) != 0 && n.attr_i("output_dtype", 0) != int64_t(DType::Float32)) return nullptr;
  if (n.opset >= 21 && n.attr_i("block_size", 0) != 0) return nullptr;
  return &n;
}

// Per-tensor quantization parameters of an activation: constant float32 scale and a
// constant uint8/int8 zero point (required: without it the integer type is unknown here).
struct ActParams {
  std::string q, scale, zp;  // q: the quantized tensor (DQ input / Q output)
  float s = 0;
  int32_t z = 0;
  DType type = DType::Undefined;
};

bool per_tensor(const GraphIndex& idx, const Node& n, ActParams& p) {
  if (n.inputs.size() < 3 || n.inputs[2].empty()) return false;
  const Tensor* s = idx.constant(n.inputs[1]);
  const Tensor* z = idx.constant(n.inputs[2]);
  if (!s || !z || s->dtype() != DType::Float32 || s->size() != 1 || z->size() != 1 || !is_byte(z->dtype())) return false;
  p.scale = n.inputs[1], p.zp = n.inputs[2];
  p.s = s->data<float>()[0];
  p.type = z->dtype();
  p.z = p.type == DType::Int8 ? int32_t(static_cast<const int8_t*>(z->raw())[0]) : int32_t(z->data<uint8_t>()[0]);
  return p.s > 0 && std::isfinite(p.s);
}

bool act_input(const Graph& g, const GraphIndex& idx, const std::string& value, ActParams& p) {
  const Node* dq = dq_of(g, idx, value);
  if (!dq || !per_tensor(idx, *dq, p)) return false;
  p.q = dq->inputs[0];
  return true;
}

// QuantizeLinear of a float value, exactly as the QuantizeLinear kernel computes it.
int32_t quantize(float v, const ActParams& p) {
  const int32_t lo = p.type == DType::Int8 ? -128 : 0, hi = p.type == DType::Int8 ? 127 : 255;
  if (std::isnan(v)) return lo;  // never reached for the bounds used here
  const float r = std::nearbyint(v / p.s) + float(p.z);
  return r <= float(lo) ? lo : r >= float(hi) ? hi : int32_t(r);
}

// The end of a chain: op output -> [Relu | Clip] -> QuantizeLinear (per tensor).
struct Tail {
  int act = -1, q = -1;
  ActParams out;
  int32_t lo = 0, hi = 0;  // folded activation clamp, in output integers
  bool clamps = false;
};

bool clip_bounds(const Graph& g, const GraphIndex& idx, const Node& c, float& a, float& b) {
  a = -std::numeric_limits<float>::infinity(), b = std::numeric_limits<float>::infinity();
  if (c.opset < 11) {
    a = c.attr_f("min", a), b = c.attr_f("max", b);
    return true;
  }
  for (size_t i = 1; i < c.inputs.size() && i < 3; ++i) {
    if (c.inputs[i].empty()) continue;
    const Tensor* t = idx.constant(c.inputs[i]);
    if (!t || t->dtype() != DType::Float32 || t->size() != 1) return false;
    (i == 1 ? a : b) = t->data<float>()[0];
  }
  (void)g;
  return !(a > b) && !std::isnan(a) && !std::isnan(b);
}

bool match_tail(const Graph& g, const GraphIndex& idx, int core, Tail& t) {
  const std::string& y = g.nodes[size_t(core)].outputs[0];
  int next = idx.sole_consumer(y);
  if (next < 0) return false;
  float a = 0, b = 0;
  const Node& n = g.nodes[size_t(next)];
  if (is_op(n, "Relu") || is_op(n, "Clip")) {
    if (n.outputs.size() != 1 || n.inputs[0] != y) return false;
    if (is_op(n, "Relu")) {
      a = 0, b = std::numeric_limits<float>::infinity();
    } else if (!clip_bounds(g, idx, n, a, b)) {
      return false;
    }
    t.act = next, t.clamps = true;
    next = idx.sole_consumer(n.outputs[0]);
    if (next < 0) return false;
  }
  const Node& q = g.nodes[size_t(next)];
  if (!is_op(q, "QuantizeLinear") || q.outputs.size() != 1 || q.inputs.size() < 3) return false;
  if (q.inputs[0] != (t.act >= 0 ? g.nodes[size_t(t.act)].outputs[0] : y)) return false;
  if (q.opset >= 21 && q.attr_i("block_size", 0) != 0) return false;
  if (!per_tensor(idx, q, t.out)) return false;
  const int64_t od = q.attr_i("output_dtype", 0);
  if (od != 0 && od != int64_t(t.out.type)) return false;
  t.q = next;
  t.out.q = q.outputs[0];
  t.lo = t.out.type == DType::Int8 ? -128 : 0, t.hi = t.out.type == DType::Int8 ? 127 : 255;
  if (t.clamps) {
    if (std::isfinite(a)) t.lo = std::max(t.lo, quantize(a, t.out));
    else if (a > 0) return false;
    if (std::isfinite(b)) t.hi = std::min(t.hi, quantize(b, t.out));
    else if (b < 0) return false;
  }
  return true;
}

Attribute int_attr(int64_t v) {
  Attribute a;
  a.kind = Attribute::Kind::Int, a.i = v;
  return a;
}

// Constant weight behind DequantizeLinear: byte data, float32 scale per tensor or one
// per slice of `axis`, zero point (optional) of the same type and shape as the scale.
struct Weight {
  std::string q, scale, zp;
  const Tensor *qt = nullptr, *st = nullptr, *zt = nullptr;
};

bool const_weight(const Graph& g, const GraphIndex& idx, const std::string& value, int64_t axis, Weight& w) {
  const Node* dq = dq_of(g, idx, value);
  if (!dq) return false;
  w.q = dq->inputs[0], w.scale = dq->inputs[1];
  w.qt = idx.constant(w.q), w.st = idx.constant(w.scale);
  if (!w.qt || !w.st || w.st->dtype() != DType::Float32 || w.qt->rank() <= axis) return false;
  if (dq->inputs.size() > 2 && !dq->inputs[2].empty()) {
    w.zp = dq->inputs[2];
    w.zt = idx.constant(w.zp);
    if (!w.zt || w.zt->dtype() != w.qt->dtype() || w.zt->shape() != w.st->shape()) return false;
  }
  if (w.st->size() == 1 && w.st->rank() <= 1) return true;
  int64_t a = dq->opset >= 13 ? dq->attr_i("axis", 1) : 1;
  if (a < 0) a += w.qt->rank();
  return a == axis && w.st->rank() == 1 && w.st->size() == w.qt->dim(axis);
}

std::string add_init(Graph& g, const std::string& base, Tensor t) {
  const std::string name = fresh_name(g, base);
  g.initializers[name] = std::move(t);
  return name;
}

// Conv's float bias DQ(b int32, sb) as QLinearConv's int32 bias, which is read in units
// of x_scale * w_scale[m]. The quantizer writes sb = x_scale * w_scale, so b is used
// as is; otherwise b is rescaled (rounded) into those units.
bool conv_bias(Graph& g, const GraphIndex& idx, const std::string& value, float xs, const Weight& w, int64_t M,
               std::string& out) {
  const Node* dq = dq_of(g, idx, value);
  if (!dq) return false;
  const Tensor* b = idx.constant(dq->inputs[0]);
  const Tensor* sb = idx.constant(dq->inputs[1]);
  if (!b || !sb || b->dtype() != DType::Int32 || b->size() != M || sb->dtype() != DType::Float32) return false;
  if (!(sb->size() == 1 || sb->size() == M)) return false;
  if (dq->inputs.size() > 2 && !dq->inputs[2].empty()) {
    const Tensor* z = idx.constant(dq->inputs[2]);
    if (!z) return false;
    for (int64_t i = 0; i < z->size(); ++i)
      if (z->get_i64(i) != 0) return false;
  }
  bool same = true;
  std::vector<double> units(size_t(M), 0.0);
  for (int64_t m = 0; m < M; ++m) {
    const float u = xs * w.st->data<float>()[w.st->size() == 1 ? 0 : m];
    units[size_t(m)] = u;
    same = same && u == sb->data<float>()[sb->size() == 1 ? 0 : m];
  }
  if (same) {
    out = dq->inputs[0];
    return true;
  }
  Tensor nb(DType::Int32, {M});
  for (int64_t m = 0; m < M; ++m) {
    if (units[size_t(m)] == 0) return false;
    const double v = std::nearbyint(double(b->data<int32_t>()[m]) * sb->data<float>()[sb->size() == 1 ? 0 : m] /
                                    units[size_t(m)]);
    if (!(std::fabs(v) < 2147483647.0)) return false;
    nb.data<int32_t>()[m] = int32_t(v);
  }
  out = add_init(g, dq->inputs[0] + "_qlinear", nb);
  return true;
}

// A matched chain, rewritten after matching is done (so the index stays valid).
struct Fusion {
  int core = -1;
  Tail tail;
  Node fused;
  std::vector<Node> before, after;  // extra nodes around `fused` (Gemm's reshapes)
  std::vector<std::string> dq_values;  // DequantizeLinear outputs the chain read
};

void finish(const Node& core, const Tail& t, Node& f) {
  f.name = core.name;
  f.outputs = {t.out.q};
  QWASM_CHECK(!t.clamps || reads_act_clamp(f.domain, f.op_type), f.label(), ": cannot take a fused clamp");
  if (t.clamps) f.attrs[kAttrActLo] = int_attr(t.lo), f.attrs[kAttrActHi] = int_attr(t.hi);
}

bool match_conv(Graph& g, const GraphIndex& idx, int i, Fusion& fu) {
  const Node& c = g.nodes[size_t(i)];
  if (c.inputs.size() < 2 || c.outputs.size() != 1) return false;
  ActParams x;
  Weight w;
  std::string bias;
  if (!act_input(g, idx, c.inputs[0], x) || !const_weight(g, idx, c.inputs[1], 0, w)) return false;
  if (!is_byte(w.qt->dtype()) || w.qt->rank() < 3) return false;
  if (!match_tail(g, idx, i, fu.tail)) return false;
  const bool has_bias = c.inputs.size() > 2 && !c.inputs[2].empty();
  if (has_bias && !conv_bias(g, idx, c.inputs[2], x.s, w, w.qt->dim(0), bias)) return false;
  Node& f = fu.fused;
  f.op_type = "QLinearConv", f.domain = "", f.opset = c.opset;
  f.inputs = {x.q, x.scale, x.zp, w.q, w.scale, w.zp, fu.tail.out.scale, fu.tail.out.zp, bias};
  if (bias.empty()) f.inputs.pop_back();
  for (const char* a : {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"})
    if (c.has_attr(a)) f.attrs[a] = *c.attr(a);
  finish(c, fu.tail, f);
  fu.dq_values = {c.inputs[0], c.inputs[1]};
  if (has_bias) fu.dq_values.push_back(c.inputs[2]);
  return true;
}

bool match_matmul(Graph& g, const GraphIndex& idx, int i, Fusion& fu) {
  const Node& c = g.nodes[size_t(i)];
  if (c.inputs.size() != 2 || c.outputs.size() != 1) return false;
  ActParams a;
  Weight b;
  if (!act_input(g, idx, c.inputs[0], a) || !const_weight(g, idx, c.inputs[1], 1, b)) return false;
  if (b.qt->rank() != 2 || !is_byte(b.qt->dtype())) return false;
  if (!match_tail(g, idx, i, fu.tail) || (fu.tail.clamps && !reads_act_clamp("", "QLinearMatMul"))) return false;
  Node& f = fu.fused;
  f.op_type = "QLinearMatMul", f.domain = "", f.opset = c.opset;
  std::string bz = b.zp;
  if (bz.empty()) bz = add_init(g, b.q + "_zp", Tensor(b.qt->dtype(), b.st->shape()));  // zeros
  f.inputs = {a.q, a.scale, a.zp, b.q, b.scale, bz, fu.tail.out.scale, fu.tail.out.zp};
  finish(c, fu.tail, f);
  fu.dq_values = {c.inputs[0], c.inputs[1]};
  return true;
}

bool match_add(Graph& g, const GraphIndex& idx, int i, Fusion& fu) {
  const Node& c = g.nodes[size_t(i)];
  if (c.inputs.size() != 2 || c.outputs.size() != 1) return false;
  ActParams a, b;
  if (!act_input(g, idx, c.inputs[0], a) || !act_input(g, idx, c.inputs[1], b)) return false;
  if (!match_tail(g, idx, i, fu.tail)) return false;
  // QLinearAdd's output has A's type.
  if (a.type != b.type || a.type != fu.tail.out.type) return false;
  Node& f = fu.fused;
  f.op_type = "QLinearAdd", f.domain = "com.microsoft", f.opset = 1;
  f.inputs = {a.q, a.scale, a.zp, b.q, b.scale, b.zp, fu.tail.out.scale, fu.tail.out.zp};
  // Round as the Q of the chain does (round, then add the zero point), not as onnxruntime's
  // QLinearAdd (add, then round): they differ at exact halves.
  f.attrs[kAttrQdqRounding] = int_attr(1);
  finish(c, fu.tail, f);
  fu.dq_values = {c.inputs[0], c.inputs[1]};
  return true;
}

// Gemm(DQ(A), DQ(W const), DQ(bias)) -> Q: a 1x1 QLinearConv over A viewed as
// [M, K, 1, 1] (Reshape of the quantized A, so no data moves), output reshaped back
// to [M, N]. W becomes [N, K, 1, 1] (transposed once when transB = 0), its scale is
// then per output channel. Only transA = 0, alpha = 1 and beta = 1.
bool match_gemm(Graph& g, const GraphIndex& idx, int i, Fusion& fu) {
  const Node& c = g.nodes[size_t(i)];
  if (c.inputs.size() < 2 || c.outputs.size() != 1) return false;
  if (c.attr_i("transA", 0) != 0 || c.attr_f("alpha", 1.0f) != 1.0f || c.attr_f("beta", 1.0f) != 1.0f) return false;
  const bool tb = c.attr_i("transB", 0) != 0;
  ActParams a;
  Weight w;
  std::string bias;
  if (!act_input(g, idx, c.inputs[0], a) || !const_weight(g, idx, c.inputs[1], tb ? 0 : 1, w)) return false;
  if (w.qt->rank() != 2 || !is_byte(w.qt->dtype())) return false;
  const int64_t N = w.qt->dim(tb ? 0 : 1), K = w.qt->dim(tb ? 1 : 0);
  if (!match_tail(g, idx, i, fu.tail)) return false;
  const bool has_bias = c.inputs.size() > 2 && !c.inputs[2].empty();
  if (has_bias && !conv_bias(g, idx, c.inputs[2], a.s, w, N, bias)) return false;
  Tensor w4;
  if (tb) {
    w4 = w.qt->reshaped({N, K, 1, 1});  // same bytes
  } else {
    w4 = Tensor(w.qt->dtype(), {N, K, 1, 1});
    const uint8_t* src = static_cast<const uint8_t*>(w.qt->raw());
    uint8_t* dst = static_cast<uint8_t*>(w4.raw());
    for (int64_t k = 0; k < K; ++k)
      for (int64_t n = 0; n < N; ++n) dst[n * K + k] = src[k * N + n];
  }
  auto shape = [&](std::vector<int64_t> d) {
    Tensor t(DType::Int64, {int64_t(d.size())});
    for (size_t j = 0; j < d.size(); ++j) t.data<int64_t>()[j] = d[j];
    return add_init(g, c.name + "_qdq_shape", t);
  };
  // Node index in the names: several Gemms may read one A, and these values only
  // enter the graph after matching.
  const std::string tag = "_nkhw_" + std::to_string(i);
  const std::string a4 = fresh_name(g, a.q + tag), y4 = fresh_name(g, fu.tail.out.q + tag);
  Node ra;
  ra.op_type = "Reshape", ra.name = c.name + "_a4", ra.opset = c.opset;
  ra.inputs = {a.q, shape({-1, K, 1, 1})}, ra.outputs = {a4};
  fu.before.push_back(ra);
  Node f;
  f.op_type = "QLinearConv", f.domain = "", f.opset = c.opset;
  f.inputs = {a4, a.scale, a.zp, add_init(g, w.q + "_nkhw", w4), w.scale, w.zp, fu.tail.out.scale, fu.tail.out.zp, bias};
  if (bias.empty()) f.inputs.pop_back();
  finish(c, fu.tail, f);
  f.outputs = {y4};
  fu.fused = f;
  Node ry;
  ry.op_type = "Reshape", ry.name = c.name + "_y2", ry.opset = c.opset;
  ry.inputs = {y4, shape({-1, N})}, ry.outputs = {fu.tail.out.q};
  fu.after.push_back(ry);
  fu.dq_values = {c.inputs[0], c.inputs[1]};
  if (has_bias) fu.dq_values.push_back(c.inputs[2]);
  return true;
}

// DQ(x) -> an OpTraits::moves_values op (Reshape, Transpose, ...) -> Q with the same
// scale, zero point and type: the op only moves values, and Q(DQ(q)) = q exactly
// ((q - z) * s / s is within 255 * 2^-23 of q - z for normal scales), so it runs on
// the quantized bytes.
bool match_move(Graph& g, const GraphIndex& idx, int i, Fusion& fu) {
  const Node& c = g.nodes[size_t(i)];
  if (c.inputs.empty() || c.outputs.size() != 1) return false;
  ActParams x;
  if (!act_input(g, idx, c.inputs[0], x) || !(x.s >= 1e-30f)) return false;
  if (!match_tail(g, idx, i, fu.tail) || (fu.tail.clamps && !reads_act_clamp(c.domain, c.op_type))) return false;
  const ActParams& y = fu.tail.out;
  if (y.s != x.s || y.z != x.z || y.type != x.type) return false;
  Node f = c;
  f.inputs[0] = x.q;
  f.outputs = {y.q};
  fu.fused = f;
  fu.dq_values = {c.inputs[0]};
  return true;
}

}  // namespace

void fuse_qdq(Model& m, const OpTraitsOf& traits) {
  Graph& g = m.graph;
  std::vector<Fusion> fusions;
  {
    const GraphIndex idx(g);
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      const Node& n = g.nodes[i];
      Fusion fu;
      fu.core = int(i);
      const bool ok = is_op(n, "Conv")     ? match_conv(g, idx, int(i), fu)
                      : is_op(n, "MatMul") ? match_matmul(g, idx, int(i), fu)
                      : is_op(n, "Add")    ? match_add(g, idx, int(i), fu)
                      : is_op(n, "Gemm")   ? match_gemm(g, idx, int(i), fu)
                      : traits(n).moves_values ? match_move(g, idx, int(i), fu)
                                           : false;
      if (ok) fusions.push_back(std::move(fu));
    }
  }
  if (fusions.empty()) return;
  // The fused node takes the op's place: its quantized inputs are produced before the
  // DequantizeLinear nodes the op read, and the Q's consumers come after the Q.
  std::set<int> dead;
  std::set<std::string> dq_values;
  std::map<int, Fusion*> at;
  for (Fusion& fu : fusions) {
    at[fu.core] = &fu;
    if (fu.tail.act >= 0) dead.insert(fu.tail.act);
    dead.insert(fu.tail.q);
    dq_values.insert(fu.dq_values.begin(), fu.dq_values.end());
  }
  std::vector<Node> nodes;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    auto it = at.find(int(i));
    if (it == at.end()) {
      if (!dead.count(int(i))) nodes.push_back(std::move(g.nodes[i]));
      continue;
    }
    Fusion& fu = *it->second;
    for (Node& n : fu.before) nodes.push_back(std::move(n));
    nodes.push_back(std::move(fu.fused));
    for (Node& n : fu.after) nodes.push_back(std::move(n));
  }
  g.nodes = std::move(nodes);
  // DequantizeLinear nodes nobody reads any more, and the constants only they read.
  const GraphIndex idx(g);
  std::set<int> unused;
  std::vector<std::string> inputs;
  for (const std::string& v : dq_values) {
    const int p = idx.producer(v);
    if (p >= 0 && idx.uses(v) == 0) {
      unused.insert(p);
      for (const auto& in : g.nodes[size_t(p)].inputs) inputs.push_back(in);
    }
  }
  erase_nodes(g, unused);
  drop_unused_initializers(g, inputs);
  if (!m.opsets.count("com.microsoft")) m.opsets["com.microsoft"] = 1;
}

}  // namespace qwasm
