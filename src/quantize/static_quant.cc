#include "quantize/static_quant.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "graph/error.h"
#include "onnx/loader.h"
#include "onnx/tensor_proto.h"
#include "quantize/block_quant.h"
#include "quantize/calibrate.h"
#include "quantize/gptq.h"
#include "quantize/proto_util.h"
#include "runtime/executor.h"

namespace qwasm {
namespace {

using Feeds = std::vector<std::pair<std::string, Tensor>>;
constexpr int kHistBins = 2048;

struct Candidate {
  int node = -1;
  std::string op;
  int weight = -1;       // graph.initializer index of W
  int bias = -1;         // of the 1-D bias (Conv input 2, Gemm C of N values), -1 if none
  int64_t axis = 0;      // W's output-channel axis
  std::vector<int64_t> wdims;
  std::string act_in;    // the activation it reads (input 0)
  std::string out;       // the tensor its output QDQ goes on (its output, or a Relu / Clip's after it)
  double cost = -1;      // sensitivity: 1 - output cosine with this node alone quantized
};

bool is_op(const onnx::NodeProto& n, const char* op) {
  return (n.domain().empty() || n.domain() == "ai.onnx") && n.op_type() == op;
}

const onnx::AttributeProto* attr(const onnx::NodeProto& n, const char* name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}
int64_t attr_i(const onnx::NodeProto& n, const char* name, int64_t d) {
  const auto* a = attr(n, name);
  return a ? a->i() : d;
}
float attr_f(const onnx::NodeProto& n, const char* name, float d) {
  const auto* a = attr(n, name);
  return a ? a->f() : d;
}

std::string dims_str(const std::vector<int64_t>& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

// The candidates and, for every other node of a requested type, why it stays float.
std::vector<Candidate> find_candidates(const onnx::GraphProto& g, const QuantizeOptions& o,
                                       std::map<int, std::string>& left_float) {
  std::unordered_map<std::string, int> init;
  for (int i = 0; i < g.initializer_size(); ++i) init[g.initializer(i).name()] = i;
  std::set<std::string> graph_inputs, graph_outputs;
  for (const auto& v : g.input()) graph_inputs.insert(v.name());
  for (const auto& v : g.output()) graph_outputs.insert(v.name());
  std::unordered_map<std::string, std::vector<int>> consumers;
  for (int i = 0; i < g.node_size(); ++i)
    for (const auto& s : g.node(i).input()) consumers[s].push_back(i);
  const std::set<std::string> ops = o.ops.empty() ? std::set<std::string>{"MatMul", "Gemm", "Conv"}
                                                  : std::set<std::string>(o.ops.begin(), o.ops.end());
  const std::set<std::string> excluded(o.exclude.begin(), o.exclude.end());
  auto constant_float = [&](const std::string& name) -> int {
    auto it = init.find(name);
    if (it == init.end() || graph_inputs.count(name)) return -1;
    return g.initializer(it->second).data_type() == onnx::TensorProto::FLOAT ? it->second : -2;
  };
  std::vector<Candidate> out;
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& n = g.node(i);
    if (!n.domain().empty() && n.domain() != "ai.onnx") continue;
    if (!ops.count(n.op_type())) continue;
    auto skip = [&](const std::string& why) { left_float[i] = why; };
    if (excluded.count(n.name())) {
      skip("excluded by options.exclude");
      continue;
    }
    if (n.input_size() < 2 || n.output_size() != 1) {
      skip("it does not have the data and weight inputs and one output");
      continue;
    }
    Candidate c;
    c.node = i, c.op = n.op_type(), c.act_in = n.input(0);
    if (init.count(c.act_in)) {
      skip("its input 0 is a constant, not an activation");
      continue;
    }
    c.weight = constant_float(n.input(1));
    if (c.weight < 0) {
      skip(c.weight == -1 ? "its weight (input 1) is not a constant initializer" : "its weight is not float32");
      continue;
    }
    const auto& w = g.initializer(c.weight);
    c.wdims.assign(w.dims().begin(), w.dims().end());
    int64_t channels = 0;
    if (c.op == "Conv") {
      if (c.wdims.size() < 3) {
        skip("its weight has rank " + std::to_string(c.wdims.size()) + ", not 3 or more");
        continue;
      }
      c.axis = 0, channels = c.wdims[0];
    } else {
      if (c.wdims.size() != 2) {
        skip("its weight has rank " + std::to_string(c.wdims.size()) + ", not 2");
        continue;
      }
      if (c.op == "Gemm") {
        if (attr_i(n, "transA", 0) != 0 || attr_f(n, "alpha", 1) != 1 || attr_f(n, "beta", 1) != 1) {
          skip("Gemm with transA, alpha != 1 or beta != 1 is left float");
          continue;
        }
        c.axis = attr_i(n, "transB", 0) ? 0 : 1;
      } else {
        c.axis = 1;
      }
      channels = c.wdims[size_t(c.axis)];
    }
    if (n.input_size() > 2 && !n.input(2).empty()) {
      const int b = constant_float(n.input(2));
      const auto* bt = b >= 0 ? &g.initializer(b) : nullptr;
      if (bt && bt->dims_size() == 1 && bt->dims(0) == channels) c.bias = b;
      else if (c.op == "Conv") {
        skip("its bias is not a constant float32 vector of " + std::to_string(channels) + " values");
        continue;
      }
      // A Gemm C of another shape stays a float input (the op then runs unfused).
    }
    c.out = n.output(0);
    auto cs = consumers.find(c.out);
    if (!graph_outputs.count(c.out) && cs != consumers.end() && cs->second.size() == 1) {
      const auto& next = g.node(cs->second[0]);
      if ((is_op(next, "Relu") || is_op(next, "Clip")) && next.output_size() == 1 && next.input(0) == c.out)
        c.out = next.output(0);
    }
    out.push_back(std::move(c));
  }
  return out;
}

// Conv -> BatchNormalization (inference form, constant parameters) folded into the Conv's
// weights and bias, as onnxruntime's pre-processing does before quantize_static: otherwise the
// BatchNormalization would run in float between the Conv's output pair and its activation.
// The Conv then writes the BatchNormalization's output. Returns the report entries.
std::vector<QuantizeReportEntry> fold_batchnorm(onnx::GraphProto& g, const ExternalFiles& external) {
  std::unordered_map<std::string, int> init, uses, producer;
  for (int i = 0; i < g.initializer_size(); ++i) init[g.initializer(i).name()] = i;
  for (int i = 0; i < g.node_size(); ++i) {
    for (const auto& s : g.node(i).input()) ++uses[s];
    for (const auto& s : g.node(i).output()) producer[s] = i;
  }
  for (const auto& v : g.output()) ++uses[v.name()];
  std::set<std::string> graph_inputs;
  for (const auto& v : g.input()) graph_inputs.insert(v.name());
  auto const_vec = [&](const std::string& name, int64_t n) -> const onnx::TensorProto* {
    auto it = init.find(name);
    if (it == init.end() || graph_inputs.count(name)) return nullptr;
    const auto& t = g.initializer(it->second);
    return t.data_type() == onnx::TensorProto::FLOAT && t.dims_size() == 1 && t.dims(0) == n ? &t : nullptr;
  };
  std::vector<QuantizeReportEntry> report;
  std::set<int> dead;
  for (int b = 0; b < g.node_size(); ++b) {
    const auto& bn = g.node(b);
    if (!is_op(bn, "BatchNormalization") || bn.input_size() != 5 || bn.output_size() != 1 ||
        attr_i(bn, "training_mode", 0) != 0)
      continue;
    auto p = producer.find(bn.input(0));
    if (p == producer.end() || uses[bn.input(0)] != 1) continue;
    onnx::NodeProto& conv = *g.mutable_node(p->second);
    if (!is_op(conv, "Conv") || conv.input_size() < 2 || conv.output_size() != 1) continue;
    auto w = init.find(conv.input(1));
    if (w == init.end() || graph_inputs.count(conv.input(1)) || uses[conv.input(1)] != 1) continue;
    const auto& wt = g.initializer(w->second);
    if (wt.data_type() != onnx::TensorProto::FLOAT || wt.dims_size() < 3) continue;
    const int64_t M = wt.dims(0);
    const onnx::TensorProto* cb = nullptr;
    if (conv.input_size() > 2 && !conv.input(2).empty()) {
      cb = const_vec(conv.input(2), M);
      if (!cb || uses[conv.input(2)] != 1) continue;
    }
    const auto *sc = const_vec(bn.input(1), M), *bb = const_vec(bn.input(2), M), *mean = const_vec(bn.input(3), M),
               *var = const_vec(bn.input(4), M);
    if (!sc || !bb || !mean || !var) continue;
    const float eps = attr_f(bn, "epsilon", 1e-5f);
    std::vector<float> wv = float_values(wt, external), bias(size_t(M), 0.0f);
    if (cb) bias = float_values(*cb, external);
    const auto s = float_values(*sc, external), beta = float_values(*bb, external), mu = float_values(*mean, external),
               v = float_values(*var, external);
    const size_t per = wv.size() / size_t(M);
    for (int64_t m = 0; m < M; ++m) {
      const float k = s[size_t(m)] / std::sqrt(v[size_t(m)] + eps);
      for (size_t j = 0; j < per; ++j) wv[size_t(m) * per + j] *= k;
      bias[size_t(m)] = (bias[size_t(m)] - mu[size_t(m)]) * k + beta[size_t(m)];
    }
    const std::vector<int64_t> wdims(wt.dims().begin(), wt.dims().end());
    *g.mutable_initializer(w->second) = make_tensor(wt.name(), onnx::TensorProto::FLOAT, wdims, wv.data(), wv.size());
    if (cb) {
      const int bi = init[conv.input(2)];
      *g.mutable_initializer(bi) = make_tensor(conv.input(2), onnx::TensorProto::FLOAT, {M}, bias.data(), bias.size());
    } else {
      Names names(g);
      const std::string bn_name = names.make(wt.name() + "_bn_bias");
      *g.add_initializer() = make_tensor(bn_name, onnx::TensorProto::FLOAT, {M}, bias.data(), bias.size());
      init[bn_name] = g.initializer_size() - 1;
      while (conv.input_size() < 3) conv.add_input("");
      conv.set_input(2, bn_name);
    }
    report.push_back({node_id(bn, b), "BatchNormalization", "folded", "into Conv '" + node_id(conv, p->second) + "'"});
    conv.set_output(0, bn.output(0));
    producer[bn.output(0)] = p->second;
    dead.insert(b);
  }
  if (!dead.empty()) {
    google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
    for (int i = 0; i < g.node_size(); ++i)
      if (!dead.count(i)) *nodes.Add() = std::move(*g.mutable_node(i));
    g.mutable_node()->Swap(&nodes);
  }
  return report;
}

Model load_ir(const void* data, size_t size, const ExternalFiles& external) {
  LoadOptions lo;
  lo.external = [&external](const ExternalRef& ref, void* dst, size_t bytes) {
    auto it = external.find(ref.location);
    QWASM_CHECK(it != external.end(), "external data file '", ref.location, "' was not given");
    QWASM_CHECK(ref.offset <= it->second.size() && bytes <= it->second.size() - ref.offset, "external data file '",
                ref.location, "' is too short for '", ref.tensor, "'");
    std::memcpy(dst, it->second.data() + ref.offset, bytes);
  };
  return load_model(data, size, lo);
}

// Runs every calibration feed; names the feed when the runtime refuses it.
template <class F>
void for_each_feed(Executor& ex, const std::vector<Feeds>& feeds, const char* what, F&& on_outputs) {
  for (size_t k = 0; k < feeds.size(); ++k) {
    std::vector<Tensor> outs;
    try {
      outs = ex.run(feeds[k], {});
    } catch (const std::exception& e) {
      fail("quantize: calibration feed ", k, " (", what, "): ", e.what());
    }
    on_outputs(k, outs);
  }
}

// for_each_feed with `see(name, tensor)` called on every node output as it is computed and,
// after the feeds ran, on the feeds' own inputs (graph inputs are values too). The step
// observer is removed again on every exit.
template <class See, class F>
void observe_feeds(Executor& ex, const std::vector<Feeds>& feeds, const char* what, See& see, F&& on_outputs) {
  const Executor::StepObserver observer = [&](const Node& node, const std::vector<const Tensor*>&,
                                              const std::vector<Tensor>& outputs) {
    for (size_t i = 0; i < outputs.size() && i < node.outputs.size(); ++i)
      if (outputs[i].defined()) see(node.outputs[i], outputs[i]);
  };
  struct Detach {
    Executor& ex;
    ~Detach() { ex.set_observer(nullptr); }
  } detach{ex};
  ex.set_observer(&observer);
  for_each_feed(ex, feeds, what, on_outputs);
  for (const auto& f : feeds)
    for (const auto& kv : f) see(kv.first, kv.second);
}

struct Stats {
  float lo = std::numeric_limits<float>::infinity(), hi = -std::numeric_limits<float>::infinity();
  bool not_float = false;
  Histogram hist;
  bool seen() const { return lo <= hi; }
};

// Ranges of `names` over the calibration data by the chosen method; the float outputs of
// every feed go to `float_outputs` (for the sensitivity pass).
std::map<std::string, Range> calibrate(Executor& ex, const std::vector<Feeds>& feeds, const std::set<std::string>& names,
                                       const QuantizeOptions& o, std::vector<std::vector<Tensor>>& float_outputs,
                                       std::map<std::string, std::string>& unobserved) {
  using C = QuantizeOptions::Calibration;
  std::map<std::string, Stats> stats;
  for (const auto& s : names) stats[s];
  int pass = 0;  // 0: min / max; 1: histogram
  auto see = [&](const std::string& name, const Tensor& t) {
    auto it = stats.find(name);
    if (it == stats.end()) return;
    Stats& st = it->second;
    if (!t.is_tensor() || t.dtype() != DType::Float32) {
      st.not_float = true;
      return;
    }
    const float* x = t.data<float>();
    const size_t n = size_t(t.size());
    if (pass == 0) {
      for (size_t i = 0; i < n; ++i)
        if (!std::isnan(x[i])) st.lo = std::min(st.lo, x[i]), st.hi = std::max(st.hi, x[i]);
    } else {
      st.hist.add(x, n, o.calibration_method == C::Entropy);
    }
  };
  observe_feeds(ex, feeds, "float model, ranges", see,
                [&](size_t, std::vector<Tensor>& outs) { float_outputs.push_back(outs); });
  if (o.calibration_method != C::MinMax) {
    pass = 1;
    for (auto& kv : stats) {
      Stats& st = kv.second;
      if (!st.seen()) continue;
      if (o.calibration_method == C::Entropy)
        st.hist = Histogram(0, std::max(std::fabs(st.lo), std::fabs(st.hi)), kHistBins);
      else
        st.hist = Histogram(st.lo, st.hi, kHistBins);
    }
    observe_feeds(ex, feeds, "float model, histograms", see, [](size_t, std::vector<Tensor>&) {});
  }
  std::map<std::string, Range> ranges;
  for (auto& kv : stats) {
    const Stats& st = kv.second;
    if (st.not_float) {
      unobserved[kv.first] = "is not float32";
      continue;
    }
    if (!st.seen()) {
      unobserved[kv.first] = "was not computed while the calibration data ran (a constant?)";
      continue;
    }
    Range r{st.lo, st.hi};
    if (o.calibration_method == C::Percentile) {
      r = percentile_range(st.hist, o.percentile);
    } else if (o.calibration_method == C::Entropy && st.hist.total() > 0) {
      // After a Relu / Clip most values are exactly 0, all in bin 0. That spike says nothing
      // about where to clip, but it dominates the divergence: every wide threshold merges bin
      // 0 into one quantization level with its neighbours, so the search picked thresholds a
      // fraction of the range (a trained MobileNet-style CNN: 0.7-1.5 where its ReLU6 outputs
      // reach 6; 28.9% accuracy vs 94.7% float). Bin 0 takes bin 1's count for the search.
      std::vector<double> counts = st.hist.counts;
      if (counts.size() > 1) counts[0] = counts[1];
      const float t = float(entropy_bins(counts)) * st.hist.width();
      r = Range{std::max(st.lo, -t), std::min(st.hi, t)};
    }
    ranges[kv.first] = r;
  }
  return ranges;
}

// The quantized model with the candidates `on` rewritten (m is a copy of the source).
struct Rewrite {
  const std::vector<Candidate>& cands;
  const std::map<std::string, QParams>& params;
  const ExternalFiles& external;
  const QuantizeOptions& o;
};

void add_scalar_params(onnx::GraphProto& g, Names& names, const std::string& base, const QParams& p, bool int8,
                       std::string& scale, std::string& zp) {
  scale = names.make(base + "_scale");
  zp = names.make(base + "_zero_point");
  *g.add_initializer() = make_tensor(scale, onnx::TensorProto::FLOAT, {}, &p.scale, 1);
  if (int8) {
    const int8_t z = int8_t(p.zero_point);
    *g.add_initializer() = make_tensor(zp, onnx::TensorProto::INT8, {}, &z, 1);
  } else {
    const uint8_t z = uint8_t(p.zero_point);
    *g.add_initializer() = make_tensor(zp, onnx::TensorProto::UINT8, {}, &z, 1);
  }
}

onnx::NodeProto make_node(const char* op, const std::string& name, std::vector<std::string> in,
                          std::vector<std::string> out) {
  onnx::NodeProto n;
  n.set_op_type(op);
  n.set_name(name);
  for (auto& s : in) n.add_input(s);
  for (auto& s : out) n.add_output(s);
  return n;
}

// Rewrites g for the candidates with on[i]; returns per candidate the report detail.
std::vector<std::string> rewrite(onnx::GraphProto& g, const Rewrite& rw, const std::vector<bool>& on) {
  const bool int8 = rw.o.activations == QuantizeOptions::Activations::Int8;
  const int qmax = rw.o.reduce_range ? 63 : 127;
  std::set<std::string> qdq;  // tensors that get a Q -> DQ pair
  for (size_t c = 0; c < rw.cands.size(); ++c)
    if (on[c]) qdq.insert(rw.cands[c].act_in), qdq.insert(rw.cands[c].out);
  Names names(g);
  std::map<std::string, std::pair<std::string, std::string>> sz;  // tensor -> its scale / zp names
  for (const auto& t : qdq) {
    auto& e = sz[t];
    add_scalar_params(g, names, t, rw.params.at(t), int8, e.first, e.second);
  }
  std::set<std::string> graph_inputs;
  for (const auto& v : g.input()) graph_inputs.insert(v.name());
  std::unordered_map<std::string, int> uses;
  for (const auto& n : g.node())
    for (const auto& s : n.input()) ++uses[s];
  for (const auto& v : g.output()) ++uses[v.name()];

  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  std::map<std::string, std::string> input_dq;  // graph input -> the DQ output its consumers read
  auto pair = [&](const std::string& src, const std::string& t, const std::string& dst) {
    const std::string q = names.make(t + "_quantized");
    *nodes.Add() = make_node("QuantizeLinear", names.make(t + "_QuantizeLinear"), {src, sz[t].first, sz[t].second}, {q});
    *nodes.Add() = make_node("DequantizeLinear", names.make(t + "_DequantizeLinear"), {q, sz[t].first, sz[t].second}, {dst});
  };
  for (const auto& t : qdq)
    if (graph_inputs.count(t)) {
      input_dq[t] = names.make(t + "_dequantized");
      pair(t, t, input_dq[t]);
    }
  std::map<int, size_t> cand_of;
  for (size_t c = 0; c < rw.cands.size(); ++c)
    if (on[c]) cand_of[rw.cands[c].node] = c;
  std::set<int> dropped;
  std::vector<std::string> details(rw.cands.size());
  for (int i = 0; i < g.node_size(); ++i) {
    onnx::NodeProto n = g.node(i);
    for (int k = 0; k < n.input_size(); ++k) {
      auto it = input_dq.find(n.input(k));
      if (it != input_dq.end()) n.set_input(k, it->second);
    }
    auto ci = cand_of.find(i);
    if (ci != cand_of.end()) {
      const Candidate& c = rw.cands[ci->second];
      const auto& wt = g.initializer(c.weight);
      const std::vector<float> w = float_values(wt, rw.external);
      const int64_t channels = c.wdims[size_t(c.axis)];
      int64_t outer = 1, inner = 1;
      for (size_t d = 0; d < c.wdims.size(); ++d)
        (int64_t(d) < c.axis ? outer : inner) *= int64_t(d) == c.axis ? 1 : c.wdims[d];
      const Int8Weight q = quantize_int8_per_axis(w.data(), outer, channels, inner, qmax);
      const std::string wq = names.make(wt.name() + "_quantized"), ws = names.make(wt.name() + "_scale"),
                        wz = names.make(wt.name() + "_zero_point"), wd = names.make(wt.name() + "_dequantized");
      *g.add_initializer() = make_tensor(wq, onnx::TensorProto::INT8, c.wdims, q.q.data(), q.q.size());
      *g.add_initializer() = make_tensor(ws, onnx::TensorProto::FLOAT, {channels}, q.scales.data(), q.scales.size());
      const std::vector<int8_t> zeros(size_t(channels), 0);
      *g.add_initializer() = make_tensor(wz, onnx::TensorProto::INT8, {channels}, zeros.data(), zeros.size());
      onnx::NodeProto dq = make_node("DequantizeLinear", names.make(wt.name() + "_DequantizeLinear"), {wq, ws, wz}, {wd});
      set_int_attr(dq, "axis", c.axis);
      *nodes.Add() = std::move(dq);
      if (--uses[wt.name()] == 0) dropped.insert(c.weight);
      n.set_input(1, wd);
      std::string detail = "int8 weights per output channel" + std::string(rw.o.reduce_range ? " (7-bit range)" : "") +
                           ", " + (int8 ? "int8" : "uint8") + " activations";
      if (c.bias >= 0) {
        // int32 bias in units of x_scale * w_scale[m] (the product as fuse_qdq computes it).
        const auto& bt = g.initializer(c.bias);
        const std::vector<float> b = float_values(bt, rw.external);
        const float xs = rw.params.at(c.act_in).scale;
        std::vector<int32_t> bq(static_cast<size_t>(channels));
        std::vector<float> bs(static_cast<size_t>(channels));
        for (int64_t m = 0; m < channels; ++m) {
          bs[size_t(m)] = xs * q.scales[size_t(m)];
          const double v = std::nearbyint(double(b[size_t(m)]) / double(bs[size_t(m)]));
          bq[size_t(m)] = int32_t(std::min(std::max(v, -2147483647.0), 2147483647.0));
        }
        const std::string bqn = names.make(bt.name() + "_quantized"), bsn = names.make(bt.name() + "_scale"),
                          bd = names.make(bt.name() + "_dequantized");
        *g.add_initializer() = make_tensor(bqn, onnx::TensorProto::INT32, {channels}, bq.data(), bq.size());
        *g.add_initializer() = make_tensor(bsn, onnx::TensorProto::FLOAT, {channels}, bs.data(), bs.size());
        onnx::NodeProto bdq = make_node("DequantizeLinear", names.make(bt.name() + "_DequantizeLinear"), {bqn, bsn}, {bd});
        set_int_attr(bdq, "axis", 0);
        *nodes.Add() = std::move(bdq);
        if (--uses[bt.name()] == 0) dropped.insert(c.bias);
        n.set_input(2, bd);
        detail += ", int32 bias";
      }
      const QParams& xi = rw.params.at(c.act_in);
      const QParams& yo = rw.params.at(c.out);
      char buf[160];
      std::snprintf(buf, sizeof buf, "; input scale %.6g zero point %d, output scale %.6g zero point %d", xi.scale,
                    xi.zero_point, yo.scale, yo.zero_point);
      details[ci->second] = detail + buf + (c.out != n.output(0) ? " (on the Relu / Clip after it)" : "");
    }
    std::vector<std::string> pairs;  // outputs of n that get a pair
    for (int k = 0; k < n.output_size(); ++k) {
      const std::string t = n.output(k);
      if (t.empty() || !qdq.count(t)) continue;
      n.set_output(k, names.make(t + "_prequant"));
      pairs.push_back(t);
      pairs.push_back(n.output(k));
    }
    *nodes.Add() = std::move(n);
    for (size_t k = 0; k < pairs.size(); k += 2) pair(pairs[k + 1], pairs[k], pairs[k]);
  }
  g.mutable_node()->Swap(&nodes);
  google::protobuf::RepeatedPtrField<onnx::TensorProto> inits;
  for (int i = 0; i < g.initializer_size(); ++i)
    if (!dropped.count(i)) *inits.Add() = std::move(*g.mutable_initializer(i));
  g.mutable_initializer()->Swap(&inits);
  return details;
}

double cosine(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (!a[i].is_tensor() || a[i].dtype() != DType::Float32 || !b[i].is_tensor() || b[i].dtype() != DType::Float32 ||
        a[i].size() != b[i].size())
      continue;
    const float *x = a[i].data<float>(), *y = b[i].data<float>();
    for (int64_t j = 0; j < a[i].size(); ++j) ab += double(x[j]) * y[j], aa += double(x[j]) * x[j], bb += double(y[j]) * y[j];
  }
  if (aa == 0 && bb == 0) return 1;
  return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0;
}

// Mean over the feeds of the quantized model's output cosine with the float outputs.
double output_cosine(const std::string& model, const ExternalFiles& external, const std::vector<Feeds>& feeds,
                     const std::vector<std::vector<Tensor>>& want) {
  Executor ex(load_ir(model.data(), model.size(), external));
  double sum = 0;
  for_each_feed(ex, feeds, "quantized model", [&](size_t k, std::vector<Tensor>& outs) { sum += cosine(want[k], outs); });
  return feeds.empty() ? 1 : sum / double(feeds.size());
}

std::string cost_str(double cost) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g", cost);
  return buf;
}

}  // namespace

void quantize_static(onnx::ModelProto& m, const void* data, size_t size, const ExternalFiles& external,
                     const QuantizeOptions& o, const QuantizeProgress& progress, QuantizedModel& result) {
  QWASM_CHECK(!o.calibration.empty(), "quantize: mode 'static' needs calibration data (options.calibration.data: ",
              "one or more feeds of the model's inputs), to choose the activation scales");
  for (const auto& op : o.ops)
    QWASM_CHECK(op == "MatMul" || op == "Gemm" || op == "Conv", "quantize: op type '", op,
                "' cannot be quantized in mode 'static' (supported: MatMul, Gemm, Conv)");
  QWASM_CHECK(o.percentile > 0 && o.percentile <= 100, "quantize: calibration.percentile must be in (0, 100], got ",
              o.percentile);
  int64_t opset = 0;
  for (const auto& op : m.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx") opset = op.version();
  onnx::GraphProto& g = *m.mutable_graph();
  const std::vector<QuantizeReportEntry> folded = fold_batchnorm(g, external);
  std::map<int, std::string> left_float;
  std::vector<Candidate> cands = find_candidates(g, o, left_float);
  auto report_float = [&] {
    for (auto& kv : left_float)
      result.report.push_back({node_id(g.node(kv.first), kv.first), g.node(kv.first).op_type(), "float", kv.second});
  };
  if (cands.empty()) {
    std::string why;
    for (auto& kv : left_float) why += "; " + node_id(g.node(kv.first), kv.first) + ": " + kv.second;
    fail("quantize: the model has no node mode 'static' can quantize (MatMul, Gemm or Conv with a constant float32 "
         "weight)", why.empty() ? std::string(" and no MatMul, Gemm or Conv at all") : why);
  }
  QWASM_CHECK(opset >= 13, "quantize: mode 'static' writes per-channel DequantizeLinear, which needs ai.onnx opset "
              "13 or later; the model imports opset ", opset);

  // Calibration: the float model in qwasm, unoptimized so every source tensor is a step output.
  std::set<std::string> watched;
  for (const auto& c : cands) watched.insert(c.act_in), watched.insert(c.out);
  std::vector<std::vector<Tensor>> float_out;
  std::map<std::string, std::string> unobserved;
  std::map<std::string, Range> ranges;
  {
    Executor ex(load_ir(data, size, external), /*optimize=*/false);
    ranges = calibrate(ex, o.calibration, watched, o, float_out, unobserved);
  }
  const bool int8 = o.activations == QuantizeOptions::Activations::Int8;
  std::map<std::string, QParams> params;
  for (const auto& kv : ranges) params[kv.first] = affine_params(kv.second, int8 ? -128 : 0, int8 ? 127 : 255);
  {
    std::vector<Candidate> kept;
    for (auto& c : cands) {
      const std::string& bad = unobserved.count(c.act_in) ? c.act_in : unobserved.count(c.out) ? c.out : "";
      if (bad.empty()) kept.push_back(std::move(c));
      else left_float[c.node] = "its activation '" + bad + "' " + unobserved[bad];
    }
    cands.swap(kept);
  }
  QWASM_CHECK(!cands.empty(), "quantize: no node could be quantized: ", [&] {
    std::string s;
    for (auto& kv : left_float) s += (s.empty() ? "" : "; ") + node_id(g.node(kv.first), kv.first) + ": " + kv.second;
    return s;
  }());

  const Rewrite rw{cands, params, external, o};
  auto build = [&](const std::vector<bool>& on, std::vector<std::string>* details) {
    onnx::ModelProto copy = m;
    std::vector<std::string> d = rewrite(*copy.mutable_graph(), rw, on);
    if (details) *details = std::move(d);
    return copy;
  };
  std::vector<bool> on(cands.size(), true);
  const size_t steps = cands.size() + 1 + (o.keep_float != 0 ? cands.size() : 0);
  size_t done = 0;

  // Sensitivity pass: each node alone.
  std::set<size_t> keep_float;
  if (o.keep_float != 0 && cands.size() > 1) {
    for (size_t c = 0; c < cands.size(); ++c) {
      std::vector<bool> one(cands.size(), false);
      one[c] = true;
      cands[c].cost = 1 - output_cosine(build(one, nullptr).SerializeAsString(), external, o.calibration, float_out);
      if (progress) progress(++done, steps);
    }
    std::vector<size_t> order(cands.size());
    for (size_t c = 0; c < order.size(); ++c) order[c] = c;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return cands[a].cost > cands[b].cost; });
    std::vector<double> costs;
    for (const auto& c : cands) costs.push_back(c.cost);
    std::nth_element(costs.begin(), costs.begin() + long(costs.size() / 2), costs.end());
    const double median = costs[costs.size() / 2];
    if (o.keep_float > 0) {
      for (size_t k = 0; k < order.size() && int(k) < o.keep_float && k + 1 < order.size(); ++k) keep_float.insert(order[k]);
    } else {
      const size_t budget = std::max<size_t>(1, cands.size() / 8);
      for (size_t k = 0; k < order.size() && keep_float.size() < budget; ++k) {
        const double cost = cands[order[k]].cost;
        if (cost > 2 * median && cost > 1e-4) keep_float.insert(order[k]);
      }
    }
    for (size_t c : keep_float) {
      on[c] = false;
      left_float[cands[c].node] = "left float by the sensitivity pass: quantized alone it costs " +
                                  cost_str(cands[c].cost) + " output cosine (median over the nodes " +
                                  cost_str(median) + ")";
    }
  }

  std::vector<std::string> details;
  onnx::ModelProto q = build(on, &details);
  for (size_t c = 0; c < cands.size(); ++c) {
    if (!on[c]) continue;
    const auto& n = g.node(cands[c].node);
    std::string d = dims_str(cands[c].wdims) + " " + details[c];
    if (cands[c].cost >= 0) d += "; sensitivity: alone it costs " + cost_str(cands[c].cost) + " output cosine";
    result.report.push_back({node_id(n, cands[c].node), n.op_type(), "QDQ", d});
  }
  report_float();
  result.report.insert(result.report.end(), folded.begin(), folded.end());
  m.Swap(&q);
  if (progress) progress(steps, steps);
}

std::map<std::string, ActivationStats> collect_activation_stats(const void* data, size_t size,
                                                                const ExternalFiles& external,
                                                                const std::vector<Feeds>& feeds,
                                                                const std::map<std::string, int64_t>& inputs,
                                                                bool hessians) {
  std::map<std::string, ActivationStats> stats;
  for (const auto& kv : inputs) {
    ActivationStats& st = stats[kv.first];
    if (hessians) st.h.assign(size_t(kv.second * kv.second), 0.0);
    st.abs_sum.assign(size_t(kv.second), 0.0);
    st.abs_max.assign(size_t(kv.second), 0.0);
  }
  auto see = [&](const std::string& name, const Tensor& t) {
    auto it = stats.find(name);
    if (it == stats.end() || !t.is_tensor() || t.dtype() != DType::Float32) return;
    const int64_t K = inputs.at(name);
    if (K <= 0 || t.size() % K != 0) return;
    ActivationStats& st = it->second;
    const float* x = t.data<float>();
    const int64_t rows = t.size() / K;
    if (hessians) accumulate_hessian(x, rows, K, st.h);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t k = 0; k < K; ++k) {
        const double a = std::fabs(double(x[r * K + k]));
        st.abs_sum[size_t(k)] += a;
        st.abs_max[size_t(k)] = std::max(st.abs_max[size_t(k)], a);
      }
    st.rows += rows;
  };
  Executor ex(load_ir(data, size, external), /*optimize=*/false);
  observe_feeds(ex, feeds, "float model, activation statistics", see, [](size_t, std::vector<Tensor>&) {});
  for (const auto& kv : stats)
    QWASM_CHECK(kv.second.rows > 0, "quantize: the calibration data never produced activation '", kv.first,
                "' as a float32 tensor whose last dimension is ", inputs.at(kv.first),
                " (the MatMul input whose statistics are needed)");
  return stats;
}

}  // namespace qwasm
