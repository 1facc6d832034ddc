#include "runtime/executor.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "graph/passes/passes.h"
#include "graph/private_attrs.h"
#include "graph/shape.h"
#include "graph/subgraph_scope.h"
#include "ops/registry.h"
#include "runtime/subgraph_runner.h"

namespace qwasm {

// Inputs as pointers into the slot table, outputs collected locally and moved
// into slots by the caller after compute() (the same code serves constant folding,
// which runs on the calling thread alone: serial()).
// Inputs as pointers into the slot table, outputs collected in `out` and moved
// into slots by the caller after compute() (the same code serves constant folding,
// which runs on the calling thread alone: serial()). Both vectors belong to the
// caller, which reuses them from step to step (no allocation per step).
class Executor::Context : public OpContext {
 public:
  Context(const Node& n, const std::vector<const Tensor*>& in, std::vector<Tensor>& out, Arena& arena, Parallel& par)
      : node_(n), in_(in), out_(out), arena_(arena), par_(par) {
    out_.clear();
    out_.resize(n.outputs.size());
  }
  const Node& node() const override { return node_; }
  size_t input_count() const override { return in_.size(); }
  const Tensor* input(size_t i) const override { return i < in_.size() ? in_[i] : nullptr; }
  Tensor& output(size_t i, DType dtype, const Shape& shape) override {
    QWASM_CHECK(i < out_.size(), node_.label(), ": output ", i, " does not exist");
    size_t bytes = storage_bytes(dtype, shape_size(shape));
    out_[i] = Tensor(dtype, shape, arena_.allocate(bytes));
    return out_[i];
  }
  void set_output(size_t i, Tensor t) override {
    QWASM_CHECK(i < out_.size(), node_.label(), ": output ", i, " does not exist");
    out_[i] = std::move(t);
  }
  size_t output_count() const override { return out_.size(); }
  bool output_wanted(size_t i) const override { return i < out_.size() && !node_.outputs[i].empty(); }
  Parallel& parallel() const override { return par_; }
  std::vector<Tensor>& outputs() { return out_; }

 private:
  const Node& node_;
  const std::vector<const Tensor*>& in_;
  std::vector<Tensor>& out_;
  Arena& arena_;
  Parallel& par_;
};

namespace {

// Whether a node whose inputs are all constant is computed at load. Ops say so in
// their registration (OpTraits::never_fold); contrib-domain ops are never folded.
bool foldable(const Node& n, const OpTraits& traits) {
  if (!n.domain.empty() || traits.never_fold) return false;
  return n.op_type == "Constant" || !n.inputs.empty();
}

// Prefixes the node's identity unless the kernel already named it.
[[noreturn]] void rethrow_with_node(const Node& n, const std::exception& e) {
  std::string msg = e.what();
  if (msg.find(n.label()) != std::string::npos) throw Error(msg);
  throw Error(n.label() + ": " + msg);
}

// Sequences and empty optionals reach only ops registered to take them (OpTraits::takes_sequences).
void check_value_kinds(const Node& n, const std::vector<const Tensor*>& in) {
  for (size_t i = 0; i < in.size(); ++i)
    if (in[i] && !in[i]->is_tensor())
      fail(n.label(), ": input ", i, " '", n.inputs[i], "' is a ", in[i]->kind_str(), " but ", n.op_type,
           " takes tensors only");
}

// Appends to each control-flow node the outer values its subgraphs read, so the
// order, the lifetimes and the constants see them as inputs (graph/subgraph_scope.h).
void add_outer_inputs(Graph& g) {
  for (Node& n : g.nodes) {
    if (!has_subgraph(n)) continue;
    std::vector<std::string> outer = free_names(n);
    n.inputs.insert(n.inputs.end(), outer.begin(), outer.end());
    Attribute count;
    count.kind = Attribute::Kind::Int;
    count.i = int64_t(outer.size());
    n.attrs[kAttrOuterInputs] = count;
  }
}

std::vector<const Node*> topological_order(const Graph& g, const std::set<std::string>& available_init) {
  std::set<std::string> available = available_init;
  available.insert("");
  std::vector<const Node*> order;
  std::vector<bool> done(g.nodes.size(), false);
  // Producer-before-consumer sweep; models are almost always sorted, so this is ~linear.
  size_t remaining = g.nodes.size();
  while (remaining) {
    bool progress = false;
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      if (done[i]) continue;
      const Node& n = g.nodes[i];
      bool ready = std::all_of(n.inputs.begin(), n.inputs.end(),
                               [&](const std::string& s) { return available.count(s) != 0; });
      if (!ready) continue;
      done[i] = true;
      --remaining;
      progress = true;
      order.push_back(&n);
      for (const auto& o : n.outputs) if (!o.empty()) available.insert(o);
    }
    if (!progress) {
      for (size_t i = 0; i < g.nodes.size(); ++i) {
        if (done[i]) continue;
        for (const auto& s : g.nodes[i].inputs)
          if (!available.count(s))
            fail(g.nodes[i].label(), ": input '", s,
                 "' is not produced by any node, initializer or graph input (or the graph has a cycle)");
      }
    }
  }
  return order;
}

}  // namespace

Executor::Executor(Model model, bool optimize, const ControlFlowLimits& limits)
    : Executor(std::move(model), optimize, limits, false) {}

Executor::Executor(Model model, bool optimize, const ControlFlowLimits& limits, bool is_subgraph)
    : model_(std::move(model)), arena_(std::make_shared<Arena>()), limits_(limits), is_subgraph_(is_subgraph) {
  build(optimize);
}

std::unique_ptr<Executor> Executor::for_subgraph(const Graph& body, const std::vector<std::string>& outer,
                                                 const std::map<std::string, Tensor>& outer_constants,
                                                 const std::map<std::string, int64_t>& opsets, bool optimize,
                                                 const ControlFlowLimits& limits) {
  Model m;
  m.opsets = opsets;
  m.graph = body;
  for (const auto& kv : outer_constants) m.graph.initializers[kv.first] = kv.second;
  for (const auto& name : outer) {
    ValueInfo vi;
    vi.name = name;
    m.graph.inputs.push_back(vi);
  }
  return std::unique_ptr<Executor>(new Executor(std::move(m), optimize, limits, true));
}

void Executor::build(bool optimize) {
  const OpRegistry& reg = OpRegistry::builtin();
  if (optimize)
    optimize_graph(model_, [&reg](const Node& n) { return reg.traits(n.domain, n.op_type, n.opset); });
  Graph& g = model_.graph;
  add_outer_inputs(g);
  for (const Node& n : g.nodes) n.refresh_label();  // the final names; runs only read it
  for (auto& kv : g.initializers) constants_[kv.first] = kv.second;
  g.initializers.clear();  // constants_ holds them now (shared buffers)
  std::set<std::string> available;
  for (auto& kv : constants_) available.insert(kv.first);
  for (auto& vi : g.inputs) available.insert(vi.name);

  // Constant uses still to come: a constant is dropped once every consumer packed
  // it into its own storage (OpKernel::absorbed), so weights never sit twice.
  std::unordered_map<std::string, int> const_uses;
  for (const Node& n : g.nodes)
    for (const auto& s : n.inputs)
      if (!s.empty() && constants_.count(s)) ++const_uses[s];
  for (const auto& vi : g.outputs) ++const_uses[vi.name];
  // (Values subgraphs read are inputs of their control-flow node now: counted above.)

  for (const Node* n : topological_order(g, available)) {
    const OpFactory* f = reg.find(n->domain, n->op_type, n->opset);
    if (!f) {
      fail("unsupported operator ", n->domain.empty() ? "ai.onnx" : n->domain, "::", n->op_type,
           " (opset ", n->opset, ") in node '", n->name, "'",
           reg.has_op(n->domain, n->op_type) ? " (no kernel for this opset version)" : "");
    }
    BuildContext bc{*n,
                    [this](const std::string& name) -> const Tensor* {
                      auto it = constants_.find(name);
                      return it == constants_.end() ? nullptr : &it->second;
                    },
                    [&](const std::string& name) -> Tensor* {
                      auto it = constants_.find(name);
                      auto u = const_uses.find(name);
                      if (it == constants_.end() || u == const_uses.end() || u->second != 1) return nullptr;
                      int refs = 0;  // the same name twice on this node also counts as sharing
                      for (const auto& s : n->inputs) refs += s == name;
                      const auto& buf = it->second.buffer();
                      return refs == 1 && buf && buf.use_count() == 1 ? &it->second : nullptr;
                    },
                    [this, optimize](const Graph& body) {
                      return make_subgraph_runner(body, model_.opsets, optimize, limits_,
                                                  [this](const std::string& name) -> const Tensor* {
                                                    auto it = constants_.find(name);
                                                    return it == constants_.end() ? nullptr : &it->second;
                                                  },
                                                  this);
                    },
                    limits_};
    std::unique_ptr<OpKernel> kernel;
    try {
      kernel = (*f)(bc);
    } catch (const std::exception& e) {
      rethrow_with_node(*n, e);
    }
    bool all_const = std::all_of(n->inputs.begin(), n->inputs.end(),
                                 [&](const std::string& s) { return s.empty() || constants_.count(s); });
    const OpTraits traits = reg.traits(n->domain, n->op_type, n->opset);
    if (all_const && foldable(*n, traits)) {
      std::vector<const Tensor*> in;
      for (const auto& s : n->inputs) in.push_back(s.empty() ? nullptr : &constants_[s]);
      if (!traits.takes_sequences) check_value_kinds(*n, in);
      std::vector<Tensor> outs;
      Context ctx(*n, in, outs, *arena_, serial());
      try {
        kernel->compute(ctx);
      } catch (const std::exception& e) {
        rethrow_with_node(*n, e);
      }
      for (size_t i = 0; i < n->outputs.size(); ++i)
        if (!n->outputs[i].empty() && ctx.outputs()[i].defined()) constants_[n->outputs[i]] = ctx.outputs()[i];
      continue;
    }
    for (size_t i = 0; i < n->inputs.size(); ++i) {
      const std::string& s = n->inputs[i];
      if (s.empty() || !kernel->absorbed(i)) continue;
      auto u = const_uses.find(s);
      if (u != const_uses.end() && --u->second == 0) constants_.erase(s);
    }
    steps_.push_back(Step{n, std::move(kernel), {}, {}, {}, {}, traits.takes_sequences});
  }
  plan();
}

Executor::~Executor() = default;

int Executor::slot(const std::string& name) {
  auto it = slots_.find(name);
  if (it != slots_.end()) return it->second;
  int s = int(slot_names_.size());
  slots_[name] = s;
  slot_names_.push_back(name);
  return s;
}

void Executor::plan() {
  for (auto& vi : model_.graph.inputs) slot(vi.name);
  std::vector<int> last_use;
  for (size_t i = 0; i < steps_.size(); ++i) {
    Step& st = steps_[i];
    for (const auto& s : st.node->inputs) {
      // Constants are read where they lie (constants_ does not change after the build), not
      // copied into the value table on every run.
      auto c = s.empty() ? constants_.end() : constants_.find(s);
      st.constant_in.push_back(c == constants_.end() ? nullptr : &c->second);
      int id = s.empty() || c != constants_.end() ? -1 : slot(s);
      st.in.push_back(id);
      if (id >= 0) {
        if (last_use.size() <= size_t(id)) last_use.resize(size_t(id) + 1, -1);
        last_use[size_t(id)] = int(i);
      }
    }
    for (const auto& s : st.node->outputs) st.out.push_back(s.empty() ? -1 : slot(s));
  }
  std::set<int> keep;
  for (auto& vi : model_.graph.outputs) keep.insert(slot(vi.name));
  for (size_t id = 0; id < last_use.size(); ++id) {
    if (last_use[id] < 0 || keep.count(int(id))) continue;
    steps_[size_t(last_use[id])].release_after.push_back(int(id));
  }
  // What every run needs by slot number, looked up once here instead of by name per run.
  for (auto& vi : model_.graph.inputs) input_slots_.push_back(slots_.at(vi.name));
  for (auto& vi : model_.graph.outputs) output_slots_.push_back(slots_.at(vi.name));
}

void Executor::check_feed(const ValueInfo& vi, const Tensor& t,
                          std::unordered_map<std::string, int64_t>& syms) const {
  // A sequence / optional input is declared without a tensor element type (the loader
  // reads tensor types only); a tensor input must get a tensor.
  QWASM_CHECK(vi.dtype == DType::Undefined || t.is_tensor(), "input '", vi.name, "': expected a tensor of ",
              dtype_name(vi.dtype), ", got a ", t.kind_str());
  QWASM_CHECK(vi.dtype == DType::Undefined || t.dtype() == vi.dtype, "input '", vi.name, "': expected ",
              dtype_name(vi.dtype), ", got ", dtype_name(t.dtype()));
  if (!vi.has_shape) return;
  auto declared = [&] {
    std::string s = "[";
    for (size_t i = 0; i < vi.dims.size(); ++i)
      s += (i ? "," : "") + (vi.dims[i].value >= 0 ? std::to_string(vi.dims[i].value)
                                                   : (vi.dims[i].param.empty() ? "?" : vi.dims[i].param));
    return s + "]";
  };
  QWASM_CHECK(size_t(t.rank()) == vi.dims.size(), "input '", vi.name, "': expected shape ", declared(),
              " (rank ", vi.dims.size(), "), got ", shape_str(t.shape()));
  for (size_t i = 0; i < vi.dims.size(); ++i) {
    const Dim& d = vi.dims[i];
    if (d.value >= 0) {
      QWASM_CHECK(t.dim(int64_t(i)) == d.value, "input '", vi.name, "': expected shape ", declared(), ", got ",
                  shape_str(t.shape()));
    } else if (!d.param.empty()) {
      auto it = syms.find(d.param);
      if (it == syms.end()) syms[d.param] = t.dim(int64_t(i));
      else QWASM_CHECK(it->second == t.dim(int64_t(i)), "input '", vi.name, "': dimension '", d.param, "' is ",
                       t.dim(int64_t(i)), " here but ", it->second, " in another input");
    }
  }
}

std::vector<Tensor> Executor::run(const std::vector<std::pair<std::string, Tensor>>& feeds,
                                  const std::vector<std::string>& wanted_in, Parallel& par) {
  std::vector<Tensor> values = std::move(values_);
  values.resize(slot_names_.size());
  std::unordered_map<std::string, int64_t> syms;
  const auto& inputs = model_.graph.inputs;
  for (const auto& f : feeds) {
    auto vi = std::find_if(inputs.begin(), inputs.end(), [&](const ValueInfo& v) { return v.name == f.first; });
    if (vi == inputs.end()) {
      std::string names;
      for (auto& v : inputs) names += (names.empty() ? "'" : ", '") + v.name + "'";
      fail("unknown input '", f.first, "' (the model's inputs are ", names, ")");
    }
    if (!is_subgraph_) check_feed(*vi, f.second, syms);
    values[size_t(input_slots_[size_t(vi - inputs.begin())])] = f.second;
  }
  for (size_t i = 0; i < inputs.size(); ++i)
    QWASM_CHECK(values[size_t(input_slots_[i])].defined(), "missing input '", inputs[i].name, "' (",
                dtype_name(inputs[i].dtype), ")");
  std::vector<Tensor> out = execute(values, wanted_in, par);
  values.clear();  // the buffers go back to the arena; the table's storage stays for the next run
  values_ = std::move(values);
  return out;
}

std::vector<Tensor> Executor::run_bound(const std::vector<const Tensor*>& inputs, Parallel& par) {
  const auto& decl = model_.graph.inputs;
  QWASM_CHECK(inputs.size() == decl.size(), "given ", inputs.size(), " inputs, the graph has ", decl.size());
  std::vector<Tensor> values = std::move(values_);
  values.resize(slot_names_.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    QWASM_CHECK(inputs[i] && inputs[i]->defined(), "missing input '", decl[i].name, "'");
    values[size_t(input_slots_[i])] = *inputs[i];
  }
  std::vector<Tensor> out = execute(values, {}, par);
  values.clear();  // the buffers go back to the arena; the table's storage stays for the next run
  values_ = std::move(values);
  return out;
}

// No try and no local with a destructor here: in the wasm build (JavaScript-based exceptions)
// a call that may throw from such a function is a plain call, not an invoke_* trampoline
// through JavaScript, which used to cost about as much as a small step. `at` tells the
// caller which step threw.
void Executor::run_steps(std::vector<Tensor>& values, Parallel& par, size_t& at) {
  std::vector<const Tensor*>& in = step_in_;
  std::vector<Tensor>& outs = step_out_;
  for (at = 0; at < steps_.size(); ++at) {
    Step& st = steps_[at];
    in.clear();
    for (size_t k = 0; k < st.in.size(); ++k) {
      const int id = st.in[k];
      in.push_back(id >= 0 ? (values[size_t(id)].defined() ? &values[size_t(id)] : nullptr) : st.constant_in[k]);
    }
    if (!st.takes_sequences) check_value_kinds(*st.node, in);
    Context ctx(*st.node, in, outs, *arena_, par);
    if (profile_ || observer_) {
      profiled_step(st, ctx, in);
    } else {
      st.kernel->compute(ctx);
    }
    for (size_t i = 0; i < st.out.size(); ++i)
      if (st.out[i] >= 0) values[size_t(st.out[i])] = std::move(outs[i]);
    for (int id : st.release_after) values[size_t(id)] = Tensor();
  }
}

void Executor::profiled_step(Step& st, OpContext& ctx, const std::vector<const Tensor*>& in) {
  const auto t0 = std::chrono::steady_clock::now();
  st.kernel->compute(ctx);
  if (profile_) {
    std::string key = (st.node->domain.empty() ? "" : st.node->domain + "::") + st.node->op_type;
    if (profile_by_shape_) {
      for (const Tensor* t : in) key += t ? " " + shape_str(t->shape()) : " -";
      key += " ->";
      for (const Tensor& t : step_out_) key += " " + (t.defined() ? shape_str(t.shape()) : std::string("-"));
    }
    auto& e = (*profile_)[key];
    e.first += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    e.second += 1;
  }
  if (observer_) (*observer_)(*st.node, in, step_out_);
}

std::vector<Tensor> Executor::execute(std::vector<Tensor>& values, const std::vector<std::string>& wanted_in,
                                      Parallel& par) {
  size_t at = 0;
  try {
    run_steps(values, par, at);
  } catch (const std::exception& e) {
    step_out_.clear();
    if (at < steps_.size()) rethrow_with_node(*steps_[at].node, e);
    throw;
  }
  step_out_.clear();

  const auto& outputs = model_.graph.outputs;
  const size_t count = wanted_in.empty() ? outputs.size() : wanted_in.size();
  std::vector<Tensor> out;
  out.reserve(count);
  for (size_t k = 0; k < count; ++k) {
    const std::string& name = wanted_in.empty() ? outputs[k].name : wanted_in[k];
    bool is_output = !wanted_in.empty() ? std::any_of(outputs.begin(), outputs.end(),
                                                      [&](const ValueInfo& v) { return v.name == name; })
                                        : true;
    QWASM_CHECK(is_output, "unknown output '", name, "'");
    const Tensor* t = nullptr;
    if (wanted_in.empty()) {
      t = &values[size_t(output_slots_[k])];
    } else if (auto it = slots_.find(name); it != slots_.end()) {
      t = &values[size_t(it->second)];
    }
    if ((!t || !t->defined()) && constants_.count(name)) t = &constants_.at(name);
    QWASM_CHECK(t && t->defined(), "output '", name, "' was not produced");
    out.push_back(*t);
  }
  return out;
}

}  // namespace qwasm
