// If, Loop and Scan: each node owns its compiled subgraphs (ops/control_flow_body.h).
// Values of any kind (tensor, sequence, empty optional) pass through unchanged.
#include <algorithm>

#include "ops/control_flow_body.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

class IfOp : public OpKernel {
 public:
  explicit IfOp(const BuildContext& bc) : node_(bc.node), then_(bc, "then_branch"), else_(bc, "else_branch") {
    const Node& n = bc.node;
    QWASM_CHECK(formal_input_count(n) == 1, n.label(), ": takes one input (cond), has ", formal_input_count(n));
    QWASM_CHECK(then_.output_count() == n.outputs.size() && else_.output_count() == n.outputs.size(), n.label(),
                ": has ", n.outputs.size(), " outputs but then_branch returns ", then_.output_count(),
                " and else_branch ", else_.output_count());
  }
  bool absorbed(size_t i) const override { return outer_input_absorbed(node_, i, {&then_, &else_}); }
  void compute(OpContext& ctx) override {
    const Body& b = scalar_bool(ctx.node(), ctx.in(0), "cond") ? then_ : else_;
    std::vector<Tensor> out = b.run(ctx, {});
    for (size_t i = 0; i < out.size(); ++i)
      if (ctx.output_wanted(i)) ctx.set_output(i, std::move(out[i]));
  }

 private:
  const Node& node_;
  Body then_, else_;
};

// Loop: inputs (M, cond, v_initial...); body (iter, cond, v...) -> (cond, v..., scan...);
// outputs (v_final..., scan outputs stacked on a new axis 0). The body's cond output
// ends the loop when false; M (when given) bounds the iterations.
class LoopOp : public OpKernel {
 public:
  explicit LoopOp(const BuildContext& bc) : node_(bc.node), body_(bc, "body"), limits_(bc.limits) {
    const Node& n = bc.node;
    const size_t formal = formal_input_count(n);
    QWASM_CHECK(formal >= 2, n.label(), ": needs inputs M and cond (either may be empty)");
    carried_ = formal - 2;
    QWASM_CHECK(body_.input_count() == formal, n.label(), ": body takes ", body_.input_count(),
                " inputs, the node gives ", formal, " (iteration, cond and ", carried_, " loop-carried values)");
    QWASM_CHECK(body_.output_count() >= 1 + carried_, n.label(), ": body returns ", body_.output_count(),
                " outputs, needs cond and ", carried_, " loop-carried values");
    scans_ = body_.output_count() - 1 - carried_;
    QWASM_CHECK(n.outputs.size() <= carried_ + scans_, n.label(), ": has ", n.outputs.size(),
                " outputs, the body gives ", carried_ + scans_);
  }

  bool absorbed(size_t i) const override { return outer_input_absorbed(node_, i, {&body_}); }
  void compute(OpContext& ctx) override {
    const Node& n = ctx.node();
    const Tensor* m = ctx.input(0);
    const Tensor* c = ctx.input(1);
    const int64_t trip = m ? scalar_i64(n, *m, "M (trip count)") : -1;
    bool cond = c ? scalar_bool(n, *c, "cond") : true;
    std::vector<Tensor> formal(2 + carried_);
    for (size_t i = 0; i < carried_; ++i) {
      const Tensor* v = ctx.input(2 + i);
      QWASM_CHECK(v, n.label(), ": loop-carried input ", i, " is missing");
      formal[2 + i] = *v;
    }
    std::vector<std::vector<Tensor>> scans(scans_);
    int64_t scan_bytes = 0;
    for (int64_t it = 0; cond && (trip < 0 || it < trip); ++it) {
      QWASM_CHECK(it < limits_.max_loop_iterations, n.label(), ": more than ", limits_.max_loop_iterations,
                  " iterations (the limit on Loop iterations; ControlFlowLimits::max_loop_iterations)");
      formal[0] = Tensor(DType::Int64, {});
      formal[0].data<int64_t>()[0] = it;
      formal[1] = Tensor(DType::Bool, {});
      formal[1].data<bool>()[0] = cond;
      std::vector<Tensor> out = body_.run(ctx, formal);
      cond = scalar_bool(n, out[0], "the body's cond output");
      int64_t carried_bytes = 0;
      for (size_t i = 0; i < carried_; ++i) {
        formal[2 + i] = std::move(out[1 + i]);
        carried_bytes += value_bytes(formal[2 + i]);
      }
      for (size_t k = 0; k < scans_; ++k) {
        scan_bytes += value_bytes(out[1 + carried_ + k]);
        scans[k].push_back(std::move(out[1 + carried_ + k]));
      }
      QWASM_CHECK(scan_bytes + carried_bytes <= limits_.max_accumulated_bytes, n.label(), ": scan outputs and ",
                  "loop-carried values hold ", scan_bytes + carried_bytes, " bytes after iteration ", it,
                  ", over the limit of ", limits_.max_accumulated_bytes,
                  " (ControlFlowLimits::max_accumulated_bytes)");
    }
    for (size_t i = 0; i < carried_ && i < ctx.output_count(); ++i)
      if (ctx.output_wanted(i)) ctx.set_output(i, std::move(formal[2 + i]));
    for (size_t k = 0; k < scans_; ++k) {
      const size_t o = carried_ + k;
      if (!ctx.output_wanted(o)) continue;
      if (scans[k].empty()) {
        // No iteration ran: an empty stack of the declared element type.
        DType dt = body_.graph().outputs[1 + carried_ + k].dtype;
        ctx.set_output(o, Tensor(dt == DType::Undefined ? DType::Float32 : dt, {0}));
      } else {
        ctx.set_output(o, stack_along(scans[k], 0, n, "scan output " + std::to_string(k)));
      }
    }
  }

 private:
  const Node& node_;
  Body body_;
  ControlFlowLimits limits_;
  size_t carried_ = 0, scans_ = 0;
};

// Scan (opset 9+): inputs (state..., scan inputs...); body (state..., one slice of each
// scan input) -> (state..., scan output slices...); outputs (final state..., scan outputs).
// Opset 8 has a leading sequence_lens input and a batch axis 0 on every input and output;
// it runs as one opset-9 scan per batch entry.
class ScanOp : public OpKernel {
 public:
  explicit ScanOp(const BuildContext& bc) : node_(bc.node), body_(bc, "body"), batched_(bc.node.opset < 9) {
    const Node& n = bc.node;
    const size_t formal = formal_input_count(n) - (batched_ ? 1 : 0);
    QWASM_CHECK(formal_input_count(n) >= (batched_ ? 1u : 0u), n.label(), ": needs sequence_lens (may be empty)");
    m_ = size_t(n.attr_i("num_scan_inputs"));
    QWASM_CHECK(m_ >= 1 && m_ <= formal, n.label(), ": num_scan_inputs ", m_, " but ", formal, " inputs");
    n_ = formal - m_;
    QWASM_CHECK(body_.input_count() == formal, n.label(), ": body takes ", body_.input_count(), " inputs, the node gives ",
                formal);
    QWASM_CHECK(body_.output_count() >= n_, n.label(), ": body returns fewer outputs than the ", n_, " state values");
    k_ = body_.output_count() - n_;
    const char* in_dirs = batched_ ? "directions" : "scan_input_directions";
    in_dir_ = n.attr_ints(in_dirs, std::vector<int64_t>(m_, 0));
    out_dir_ = n.attr_ints("scan_output_directions", std::vector<int64_t>(k_, 0));
    in_axis_ = n.attr_ints("scan_input_axes", std::vector<int64_t>(m_, 0));
    out_axis_ = n.attr_ints("scan_output_axes", std::vector<int64_t>(k_, 0));
    QWASM_CHECK(in_dir_.size() == m_ && in_axis_.size() == m_, n.label(), ": ", in_dirs,
                " / scan_input_axes need one entry per scan input (", m_, ")");
    QWASM_CHECK(out_dir_.size() == k_ && out_axis_.size() == k_, n.label(),
                ": scan_output_directions / scan_output_axes need one entry per scan output (", k_, ")");
    QWASM_CHECK(!batched_ || (!n.has_attr("scan_input_axes") && !n.has_attr("scan_output_axes")), n.label(),
                ": opset 8 Scan has no axes attributes");
  }

  bool absorbed(size_t i) const override { return outer_input_absorbed(node_, i, {&body_}); }
  void compute(OpContext& ctx) override {
    const Node& n = ctx.node();
    std::vector<Tensor> in;
    const size_t first = batched_ ? 1 : 0;
    for (size_t i = 0; i < n_ + m_; ++i) {
      const Tensor* t = ctx.input(first + i);
      QWASM_CHECK(t && t->is_tensor(), n.label(), ": input ", first + i, " must be a tensor");
      in.push_back(*t);
    }
    if (!batched_) {
      std::vector<Tensor> out = scan(ctx, in, -1);
      for (size_t i = 0; i < out.size(); ++i)
        if (ctx.output_wanted(i)) ctx.set_output(i, std::move(out[i]));
      return;
    }
    QWASM_CHECK(!in.empty() && in[0].rank() >= 1, n.label(), ": opset 8 inputs need a batch axis");
    const int64_t batch = in[0].dim(0);
    const Tensor* lens = ctx.input(0);
    std::vector<std::vector<Tensor>> per_batch(n_ + k_);
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<Tensor> one;
      for (auto& t : in) {
        QWASM_CHECK(t.rank() >= 1 && t.dim(0) == batch, n.label(), ": every input needs batch size ", batch);
        one.push_back(take_along(t, 0, b));
      }
      const int64_t len = lens ? lens->get_i64(b) : -1;
      std::vector<Tensor> out = scan(ctx, one, len);
      for (size_t i = 0; i < out.size(); ++i) per_batch[i].push_back(std::move(out[i]));
    }
    for (size_t i = 0; i < per_batch.size(); ++i)
      if (ctx.output_wanted(i)) ctx.set_output(i, stack_along(per_batch[i], 0, n, "output " + std::to_string(i)));
  }

 private:
  static int64_t axis_of(int64_t a, int64_t rank, const Node& n, const char* what) {
    QWASM_CHECK(a >= -rank && a < rank, n.label(), ": ", what, " ", a, " out of range for rank ", rank);
    return a < 0 ? a + rank : a;
  }

  // One unbatched scan over `in` (state..., scan inputs...). `len` >= 0: sequence_lens
  // of opset 8, which must cover the whole axis.
  std::vector<Tensor> scan(OpContext& ctx, const std::vector<Tensor>& in, int64_t len) {
    const Node& n = ctx.node();
    std::vector<int64_t> axes(m_);
    int64_t steps = -1;
    for (size_t j = 0; j < m_; ++j) {
      const Tensor& x = in[n_ + j];
      axes[j] = axis_of(in_axis_[j], x.rank(), n, "scan_input_axes");
      QWASM_CHECK(steps < 0 || x.dim(axes[j]) == steps, n.label(), ": scan input ", j, " has ", x.dim(axes[j]),
                  " steps, scan input 0 has ", steps);
      steps = x.dim(axes[j]);
    }
    QWASM_CHECK(len < 0 || len == steps, n.label(), ": sequence_lens ", len, " shorter than the sequence (", steps,
                ") is not supported");
    std::vector<Tensor> formal(in.begin(), in.begin() + long(n_));
    formal.resize(n_ + m_);
    std::vector<std::vector<Tensor>> slices(k_);
    for (int64_t t = 0; t < steps; ++t) {
      for (size_t j = 0; j < m_; ++j) {
        const int64_t at = in_dir_[j] ? steps - 1 - t : t;
        formal[n_ + j] = take_along(in[n_ + j], axes[j], at);
      }
      std::vector<Tensor> out = body_.run(ctx, formal);
      for (size_t i = 0; i < n_; ++i) formal[i] = std::move(out[i]);
      for (size_t k = 0; k < k_; ++k) slices[k].push_back(std::move(out[n_ + k]));
    }
    std::vector<Tensor> result(formal.begin(), formal.begin() + long(n_));
    for (size_t k = 0; k < k_; ++k) {
      if (out_dir_[k]) std::reverse(slices[k].begin(), slices[k].end());
      if (slices[k].empty()) {
        DType dt = body_.graph().outputs[n_ + k].dtype;
        result.push_back(Tensor(dt == DType::Undefined ? DType::Float32 : dt, {0}));
        continue;
      }
      const int64_t axis = axis_of(out_axis_[k], slices[k][0].rank() + 1, n, "scan_output_axes");
      result.push_back(stack_along(slices[k], axis, n, "scan output " + std::to_string(k)));
    }
    return result;
  }

  const Node& node_;
  Body body_;
  bool batched_;
  size_t n_ = 0, m_ = 0, k_ = 0;  // state values, scan inputs, scan outputs
  std::vector<int64_t> in_dir_, out_dir_, in_axis_, out_axis_;
};

template <typename Op>
std::unique_ptr<OpKernel> make(const BuildContext& bc) {
  return std::make_unique<Op>(bc);
}

}  // namespace

void register_control_flow_ops(OpRegistry& r) {
  r.add("", "If", 1, make<IfOp>, kControlFlow);
  r.add("", "Loop", 1, make<LoopOp>, kControlFlow);
  r.add("", "Scan", 8, make<ScanOp>, kControlFlow);
}

}  // namespace qwasm
