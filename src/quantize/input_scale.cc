#include "quantize/input_scale.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <unordered_map>

#include "graph/error.h"
#include "onnx.pb.h"
#include "quantize/awq.h"
#include "quantize/proto_util.h"
#include "quantize/static_quant.h"

namespace qwasm {
namespace {

// The MatMuls reading one activation.
struct Group {
  std::string input;
  int64_t K = 0;
  std::vector<int> nodes, weights;  // node / initializer indices
  std::vector<int64_t> n;           // each weight's N
};

bool onnx_domain(const onnx::NodeProto& n) { return n.domain().empty() || n.domain() == "ai.onnx"; }

int64_t attr_int(const onnx::NodeProto& n, const char* name, int64_t d) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return a.i();
  return d;
}

class Rewriter {
 public:
  Rewriter(onnx::ModelProto& m, const ExternalFiles& external) : g_(*m.mutable_graph()), external_(external), names_(g_) {
    for (int i = 0; i < g_.initializer_size(); ++i) init_[g_.initializer(i).name()] = i;
    for (const auto& v : g_.input()) graph_in_.insert(v.name());
    for (const auto& v : g_.output()) graph_out_.insert(v.name());
    for (int i = 0; i < g_.node_size(); ++i) {
      const auto& n = g_.node(i);
      // Shape / Size read only x's shape, which the scaling keeps: they do not stop a fold.
      const bool shape_only = onnx_domain(n) && (n.op_type() == "Shape" || n.op_type() == "Size");
      for (const auto& s : n.input()) {
        ++uses_[s];
        if (!shape_only) consumers_[s].push_back(i);
      }
      for (const auto& s : n.output()) producer_[s] = i;
    }
    for (const auto& v : g_.output()) ++uses_[v.name()];
  }

  std::vector<Group> groups(const QuantizeOptions& o) const {
    const std::set<std::string> excluded(o.exclude.begin(), o.exclude.end());
    const bool matmul = o.ops.empty() || std::find(o.ops.begin(), o.ops.end(), "MatMul") != o.ops.end();
    std::vector<Group> out;
    std::map<std::string, size_t> at;
    for (int i = 0; matmul && i < g_.node_size(); ++i) {
      const auto& n = g_.node(i);
      if (!onnx_domain(n) || n.op_type() != "MatMul" || n.input_size() != 2 || n.output_size() != 1 ||
          excluded.count(n.name()) || init_.count(n.input(0)))
        continue;
      const int w = constant(n.input(1));
      if (w < 0 || uses_.at(n.input(1)) != 1) continue;
      const auto& t = g_.initializer(w);
      if (t.dims_size() != 2 || t.dims(0) < 16 || t.dims(1) < 1) continue;
      auto it = at.find(n.input(0));
      if (it == at.end()) {
        it = at.emplace(n.input(0), out.size()).first;
        out.emplace_back();
        out.back().input = n.input(0), out.back().K = t.dims(0);
      }
      Group& gr = out[it->second];
      if (gr.K != t.dims(0)) continue;  // the model would not run; leave it to the runtime's error
      gr.nodes.push_back(i), gr.weights.push_back(w), gr.n.push_back(t.dims(1));
    }
    return out;
  }

  std::vector<float> weights(const Group& gr, size_t j) const { return float_values(g_.initializer(gr.weights[j]), external_); }

  // Row k of every weight of the group times s[k].
  void scale_weights(const Group& gr, const std::vector<float>& s) {
    for (size_t j = 0; j < gr.weights.size(); ++j) {
      std::vector<float> w = weights(gr, j);
      for (int64_t k = 0; k < gr.K; ++k)
        for (int64_t c = 0; c < gr.n[j]; ++c) w[size_t(k * gr.n[j] + c)] *= s[size_t(k)];
      onnx::TensorProto& t = *g_.mutable_initializer(gr.weights[j]);
      t = make_tensor(t.name(), onnx::TensorProto::FLOAT, {gr.K, gr.n[j]}, w.data(), w.size());
    }
  }

  // The group's weights from w [K, total] (theirs side by side, in group order).
  void set_weights(const Group& gr, const std::vector<float>& w, int64_t total) {
    int64_t col = 0;
    for (size_t j = 0; j < gr.weights.size(); ++j) {
      std::vector<float> v(static_cast<size_t>(gr.K * gr.n[j]));
      for (int64_t k = 0; k < gr.K; ++k) std::copy_n(&w[size_t(k * total + col)], gr.n[j], &v[size_t(k * gr.n[j])]);
      onnx::TensorProto& t = *g_.mutable_initializer(gr.weights[j]);
      t = make_tensor(t.name(), onnx::TensorProto::FLOAT, {gr.K, gr.n[j]}, v.data(), v.size());
      col += gr.n[j];
    }
  }

  // x / s where x's producer or a new Mul computes it; returns where.
  std::string divide_input(const Group& gr, const std::vector<float>& s) {
    const std::string& x = gr.input;
    auto cs = consumers_.find(x);
    const bool only_group = !graph_out_.count(x) && !graph_in_.count(x) && cs != consumers_.end() &&
                            cs->second.size() == gr.nodes.size();
    auto p = producer_.find(x);
    if (only_group && p != producer_.end()) {
      onnx::NodeProto& n = *g_.mutable_node(p->second);
      if (n.output_size() >= 1 && n.output(0) == x) {
        const std::string what = n.op_type() + " '" + node_id(n, p->second) + "'";
        const bool ms = n.domain() == "com.microsoft";
        if (onnx_domain(n) && n.op_type() == "LayerNormalization" && attr_int(n, "axis", -1) == -1 &&
            fold_vectors(n, {1, 2}, gr.K, s))
          return "1/s folded into " + what;
        if ((onnx_domain(n) || ms) && n.op_type() == "SimplifiedLayerNormalization" &&
            attr_int(n, "axis", -1) == -1 && fold_vectors(n, {1}, gr.K, s))
          return "1/s folded into " + what;
        if (ms && (n.op_type() == "SkipLayerNormalization" || n.op_type() == "SkipSimplifiedLayerNormalization") &&
            fold_vectors(n, {2, 3}, gr.K, s))
          return "1/s folded into " + what;
        if (onnx_domain(n) && n.op_type() == "Mul" && n.input_size() == 2 && fold_mul(n, gr.K, s))
          return "1/s folded into " + what;
        // x = MatMul(., W) or x = a * MatMul(., W) (a gated MLP's up projection): W's columns / s.
        if (onnx_domain(n) && n.op_type() == "MatMul") {
          const std::string w = fold_columns(p->second, gr.K, s);
          if (!w.empty()) return "1/s folded into the columns of " + w;
        }
        if (onnx_domain(n) && n.op_type() == "Mul" && n.input_size() == 2)
          for (int a = 0; a < 2; ++a) {
            auto q = producer_.find(n.input(a));
            if (q == producer_.end() || graph_out_.count(n.input(a)) || uses_.at(n.input(a)) != 1) continue;
            const std::string w = fold_columns(q->second, gr.K, s);
            if (!w.empty()) return "1/s folded into the columns of " + w + " (input " + std::to_string(a) + " of " + what + ")";
          }
      }
    }
    std::vector<float> inv(s.size());
    for (size_t k = 0; k < s.size(); ++k) inv[k] = 1.0f / s[k];
    const std::string c = names_.make(x + "_inv_scale"), y = names_.make(x + "_scaled");
    *g_.add_initializer() = make_tensor(c, onnx::TensorProto::FLOAT, {gr.K}, inv.data(), inv.size());
    onnx::NodeProto mul;
    mul.set_name(names_.make(x + "_input_scale"));
    mul.set_op_type("Mul");
    mul.add_input(x);
    mul.add_input(c);
    mul.add_output(y);
    const std::string what = "1/s in an inserted Mul '" + mul.name() + "'";
    before_[gr.nodes.front()].push_back(std::move(mul));
    for (int i : gr.nodes) g_.mutable_node(i)->set_input(0, y);
    return what;
  }

  // The nodes with the inserted Muls in place.
  void finish() {
    if (before_.empty()) return;
    google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
    for (int i = 0; i < g_.node_size(); ++i) {
      auto b = before_.find(i);
      if (b != before_.end())
        for (auto& n : b->second) *nodes.Add() = std::move(n);
      *nodes.Add() = std::move(*g_.mutable_node(i));
    }
    g_.mutable_node()->Swap(&nodes);
  }

 private:
  // The initializer index of a constant float32 tensor (not overridable by a graph input), else -1.
  int constant(const std::string& name) const {
    auto it = init_.find(name);
    if (it == init_.end() || graph_in_.count(name)) return -1;
    return g_.initializer(it->second).data_type() == onnx::TensorProto::FLOAT ? it->second : -1;
  }

  // Input `at` of n := its values / s along the last axis, with dims `dims` (in place when n
  // is its only user, else as a new initializer).
  void set_divided(onnx::NodeProto& n, int at, const std::vector<int64_t>& dims, std::vector<float> v) {
    const std::string& name = n.input(at);
    const int i = init_.at(name);
    if (uses_.at(name) == 1) {
      *g_.mutable_initializer(i) = make_tensor(name, onnx::TensorProto::FLOAT, dims, v.data(), v.size());
    } else {
      const std::string fresh = names_.make(name + "_scaled");
      *g_.add_initializer() = make_tensor(fresh, onnx::TensorProto::FLOAT, dims, v.data(), v.size());
      --uses_[name];
      init_[fresh] = g_.initializer_size() - 1, uses_[fresh] = 1;
      n.set_input(at, fresh);
    }
  }

  // LayerNormalization-like: each of n's inputs in `at` that is present must be a constant
  // float32 [K] (or all-1 dims ending in K); all are divided by s.
  bool fold_vectors(onnx::NodeProto& n, std::vector<int> at, int64_t K, const std::vector<float>& s) {
    std::vector<int> present;
    for (int a : at) {
      if (a >= n.input_size() || n.input(a).empty()) {
        if (a == at.front()) return false;  // the scale itself is required
        continue;
      }
      const int i = constant(n.input(a));
      if (i < 0) return false;
      const auto& t = g_.initializer(i);
      if (t.dims_size() < 1 || t.dims(t.dims_size() - 1) != K) return false;
      for (int d = 0; d + 1 < t.dims_size(); ++d)
        if (t.dims(d) != 1) return false;
      present.push_back(a);
    }
    for (int a : present) {
      const auto& t = g_.initializer(init_.at(n.input(a)));
      std::vector<float> v = float_values(t, external_);
      for (int64_t k = 0; k < K; ++k) v[size_t(k)] /= s[size_t(k)];
      set_divided(n, a, std::vector<int64_t>(t.dims().begin(), t.dims().end()), std::move(v));
    }
    return true;
  }

  // Node m, a MatMul with a constant float32 weight [*, K] used by it alone: W[:, k] /= s[k] (its
  // output, channel k, then carries 1 / s[k]; per-column quantization is unchanged by it).
  // Returns "MatMul 'name'" or "" when m is not such a MatMul.
  std::string fold_columns(int m, int64_t K, const std::vector<float>& s) {
    const onnx::NodeProto& n = g_.node(m);
    if (!onnx_domain(n) || n.op_type() != "MatMul" || n.input_size() != 2 || n.output_size() != 1) return "";
    const int w = constant(n.input(1));
    if (w < 0 || uses_.at(n.input(1)) != 1) return "";
    onnx::TensorProto& t = *g_.mutable_initializer(w);
    if (t.dims_size() != 2 || t.dims(1) != K) return "";
    std::vector<float> v = float_values(t, external_);
    for (int64_t r = 0; r < t.dims(0); ++r)
      for (int64_t k = 0; k < K; ++k) v[size_t(r * K + k)] /= s[size_t(k)];
    t = make_tensor(t.name(), onnx::TensorProto::FLOAT, {t.dims(0), K}, v.data(), v.size());
    return "MatMul '" + node_id(n, m) + "'";
  }

  // Mul(a, c) or Mul(c, a) with c constant float32 of last dimension K or 1 (or a scalar):
  // c := c / s, its last dimension widened to K (the product's shape is unchanged: its last
  // dimension was K already).
  bool fold_mul(onnx::NodeProto& n, int64_t K, const std::vector<float>& s) {
    const int a = constant(n.input(1)) >= 0 ? 1 : constant(n.input(0)) >= 0 ? 0 : -1;
    if (a < 0 || constant(n.input(1 - a)) >= 0) return false;
    const auto& t = g_.initializer(init_.at(n.input(a)));
    std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
    const int64_t last = dims.empty() ? 1 : dims.back();
    if (last != K && last != 1) return false;
    const std::vector<float> c = float_values(t, external_);
    if (dims.empty()) dims.push_back(1);
    dims.back() = K;
    const size_t outer = c.size() / size_t(last);
    std::vector<float> v(outer * size_t(K));
    for (size_t o = 0; o < outer; ++o)
      for (int64_t k = 0; k < K; ++k) v[o * size_t(K) + size_t(k)] = c[o * size_t(last) + (last == 1 ? 0 : size_t(k))] / s[size_t(k)];
    set_divided(n, a, dims, std::move(v));
    return true;
  }

  onnx::GraphProto& g_;
  const ExternalFiles& external_;
  Names names_;
  std::unordered_map<std::string, int> init_, uses_, producer_;
  std::unordered_map<std::string, std::vector<int>> consumers_;
  std::set<std::string> graph_in_, graph_out_;
  std::map<int, std::vector<onnx::NodeProto>> before_;  // node index -> Muls to insert before it
};

std::string fmt(const char* f, double a, double b = 0, double c = 0) {
  char buf[160];
  std::snprintf(buf, sizeof buf, f, a, b, c);
  return buf;
}

}  // namespace

ScaledModel scale_matmul_inputs(const void* data, size_t size, const ExternalFiles& external, const QuantizeOptions& o) {
  const bool awq = o.algorithm == "awq";
  onnx::ModelProto m;
  QWASM_CHECK(size <= size_t(INT32_MAX) && m.ParseFromArray(data, int(size)),
              "quantize: the model is not a valid ONNX ModelProto (", size, " bytes)");
  Rewriter rw(m, external);
  const std::vector<Group> groups = rw.groups(o);
  std::map<std::string, int64_t> inputs;
  for (const auto& gr : groups) inputs[gr.input] = gr.K;
  std::map<std::string, std::string> by_output;  // MatMul output -> note
  if (!groups.empty()) {
    const auto stats = collect_activation_stats(data, size, external, o.calibration, inputs, awq);
    for (const Group& gr : groups) {
      const ActivationStats& st = stats.at(gr.input);
      std::vector<float> s;
      std::string note;
      if (awq) {
        // The group's weights side by side, [K, sum N]: one s for all (they share x).
        int64_t total = 0;
        for (int64_t n : gr.n) total += n;
        std::vector<float> w(static_cast<size_t>(gr.K * total));
        int64_t col = 0;
        for (size_t j = 0; j < gr.nodes.size(); ++j) {
          const std::vector<float> wj = rw.weights(gr, j);
          for (int64_t k = 0; k < gr.K; ++k)
            std::copy_n(&wj[size_t(k * gr.n[j])], gr.n[j], &w[size_t(k * total + col)]);
          col += gr.n[j];
        }
        std::vector<double> mean(st.abs_sum);
        for (double& v : mean) v /= double(st.rows);
        // Clipping after the scales, as the paper does (searching alpha with each grid point's
        // clipping measured 4-6x slower on the Austen LM and no better perplexity).
        const AwqScales a = awq_search(w.data(), gr.K, total, st.h, mean, o.bits, o.block_size, o.symmetric);
        s = a.scales;
        note = fmt("awq alpha %.2f (calibration output error %.4g, round to nearest %.4g)", a.alpha, a.error, a.rtn_error);
        AwqClip c;
        if (o.awq_clip) {
          c = awq_clip(w.data(), gr.K, total, st.h, s, o.bits, o.block_size, o.symmetric);
          if (c.clipped_blocks > 0) {
            note += fmt(", clipped %.0f of %.0f blocks (error %.4g)", double(c.clipped_blocks),
                        double(total * ((gr.K + o.block_size - 1) / o.block_size)), c.error);
            rw.set_weights(gr, c.weights, total);
          }
        }
        if (a.alpha == 0) {  // s = 1: no input to divide
          for (int i : gr.nodes) by_output[m.graph().node(i).output(0)] = note;
          continue;
        }
        if (c.clipped_blocks == 0) rw.scale_weights(gr, s);
      } else {
        std::vector<double> wmax(static_cast<size_t>(gr.K), 0.0);
        for (size_t j = 0; j < gr.nodes.size(); ++j) {
          const std::vector<float> wj = rw.weights(gr, j);
          for (int64_t k = 0; k < gr.K; ++k)
            for (int64_t c = 0; c < gr.n[j]; ++c)
              wmax[size_t(k)] = std::max(wmax[size_t(k)], double(std::fabs(wj[size_t(k * gr.n[j] + c)])));
        }
        s = smoothquant_scales(st.abs_max, wmax, o.smooth_alpha);
        note = fmt("smoothQuant alpha %.2f", o.smooth_alpha);
        rw.scale_weights(gr, s);
      }
      note += ", " + rw.divide_input(gr, s);
      for (int i : gr.nodes) by_output[m.graph().node(i).output(0)] = note;
    }
  }
  rw.finish();
  ScaledModel out;
  const auto& g = m.graph();
  for (int i = 0; i < g.node_size(); ++i) {
    auto it = g.node(i).output_size() ? by_output.find(g.node(i).output(0)) : by_output.end();
    if (it != by_output.end()) out.notes[node_id(g.node(i), i)] = it->second;
  }
  out.model = m.SerializeAsString();
  return out;
}

}  // namespace qwasm
