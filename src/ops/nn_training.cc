// The ai.onnx.preview.training optimizers: Adagrad, Adam and Momentum (standard and
// nesterov). Each updates n tensors at once; inputs are R (learning rate, scalar),
// T (update count, int64 scalar), then n X, n G and the per-optimizer state lists
// (each list n long). Outputs follow the same grouping (new X, then new state).
// Every element is computed in double and stored in its tensor's type (float32 or
// float64), so the float32 results round once.
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "ops/registry.h"

namespace qwasm {
namespace {

struct OptimizerIo {
  double r = 0;
  int64_t t = 0;
  size_t n = 0;  // tensors optimized
};

// Checks the input/output counts (2 + groups * n inputs, out_groups * n outputs),
// reads R and T, and checks that every tensor of slot k has X_k's shape and a float type.
OptimizerIo read_io(OpContext& ctx, size_t groups, size_t out_groups) {
  const Node& n = ctx.node();
  const size_t ins = ctx.input_count();
  QWASM_CHECK(ins >= 2 + groups && (ins - 2) % groups == 0, n.label(), ": expects R, T and ", groups,
              " equally long lists of tensors, got ", ins, " inputs");
  OptimizerIo io;
  io.n = (ins - 2) / groups;
  QWASM_CHECK(ctx.output_count() <= out_groups * io.n, n.label(), ": has ", ctx.output_count(),
              " outputs, at most ", out_groups * io.n, " for ", io.n, " optimized tensors");
  const Tensor& r = ctx.in(0);
  const Tensor& t = ctx.in(1);
  QWASM_CHECK(r.size() == 1 && (r.dtype() == DType::Float32 || r.dtype() == DType::Float64), n.label(),
              ": R (learning rate) must be one float or double, got ", dtype_name(r.dtype()), " ", shape_str(r.shape()));
  QWASM_CHECK(t.size() == 1 && t.dtype() == DType::Int64, n.label(), ": T (update count) must be one int64, got ",
              dtype_name(t.dtype()), " ", shape_str(t.shape()));
  io.r = r.get_f64(0);
  io.t = t.get_i64(0);
  for (size_t k = 0; k < io.n; ++k) {
    const Tensor& x = ctx.in(2 + k);
    for (size_t g = 0; g < groups; ++g) {
      const Tensor& v = ctx.in(2 + g * io.n + k);
      QWASM_CHECK(v.dtype() == DType::Float32 || v.dtype() == DType::Float64, n.label(), ": input ", 2 + g * io.n + k,
                  " must be float or double, got ", dtype_name(v.dtype()));
      QWASM_CHECK(v.shape() == x.shape(), n.label(), ": input ", 2 + g * io.n + k, " has shape ",
                  shape_str(v.shape()), ", expected X's ", shape_str(x.shape()));
    }
  }
  return io;
}

// Output slot `i` shaped like `like` (its dtype too), or nullptr when not wanted.
Tensor* maybe_output(OpContext& ctx, size_t i, const Tensor& like) {
  if (!ctx.output_wanted(i)) return nullptr;
  return &ctx.output(i, like.dtype(), like.shape());
}

void put(Tensor* t, int64_t i, double v) {
  if (!t) return;
  if (t->dtype() == DType::Float64) t->data<double>()[i] = v;
  else t->data<float>()[i] = float(v);
}

// The loop of the optimizers that keep one state tensor per parameter (Adagrad's sum of
// squared gradients, Momentum's velocity): inputs R, T, X[n], G[n], S[n]; outputs
// X_new[n], S_new[n]. step(x, g, s) gets the regularized gradient g = norm * x + G and
// returns {x_new, s_new}.
template <class Step>
void update_with_one_state(OpContext& ctx, const OptimizerIo& io, double norm, const Step& step) {
  for (size_t k = 0; k < io.n; ++k) {
    const Tensor &x = ctx.in(2 + k), &g = ctx.in(2 + io.n + k), &s = ctx.in(2 + 2 * io.n + k);
    Tensor* x_new = maybe_output(ctx, k, x);
    Tensor* s_new = maybe_output(ctx, io.n + k, s);
    for (int64_t i = 0; i < x.size(); ++i) {
      const double xv = x.get_f64(i);
      const auto [xn, sn] = step(xv, norm * xv + g.get_f64(i), s.get_f64(i));
      put(s_new, i, sn);
      put(x_new, i, xn);
    }
  }
}

class AdagradKernel : public OpKernel {
 public:
  explicit AdagradKernel(const Node& n)
      : decay_(n.attr_f("decay_factor", 0.0f)), eps_(n.attr_f("epsilon", 1e-6f)),
        norm_(n.attr_f("norm_coefficient", 0.0f)) {}
  void compute(OpContext& ctx) override {
    const OptimizerIo io = read_io(ctx, 3, 2);
    // The learning rate decays with the update count.
    const double r = io.r / (1.0 + double(io.t) * decay_);
    update_with_one_state(ctx, io, norm_, [&](double xv, double gr, double h) {
      const double hv = h + gr * gr;
      return std::pair<double, double>(xv - r * gr / (std::sqrt(hv) + eps_), hv);
    });
  }

 private:
  double decay_, eps_, norm_;
};

class AdamKernel : public OpKernel {
 public:
  explicit AdamKernel(const Node& n)
      : alpha_(n.attr_f("alpha", 0.9f)), beta_(n.attr_f("beta", 0.999f)), eps_(n.attr_f("epsilon", 1e-6f)),
        norm_(n.attr_f("norm_coefficient", 0.0f)), norm_post_(n.attr_f("norm_coefficient_post", 0.0f)) {}
  void compute(OpContext& ctx) override {
    const OptimizerIo io = read_io(ctx, 4, 3);
    // Bias correction of both moving averages, from the second update on (T > 0).
    double r = io.r;
    if (io.t > 0)
      r *= std::sqrt(1.0 - std::pow(beta_, double(io.t))) / (1.0 - std::pow(alpha_, double(io.t)));
    for (size_t k = 0; k < io.n; ++k) {
      const Tensor &x = ctx.in(2 + k), &g = ctx.in(2 + io.n + k);
      const Tensor &v = ctx.in(2 + 2 * io.n + k), &h = ctx.in(2 + 3 * io.n + k);
      Tensor* x_new = maybe_output(ctx, k, x);
      Tensor* v_new = maybe_output(ctx, io.n + k, v);
      Tensor* h_new = maybe_output(ctx, 2 * io.n + k, h);
      for (int64_t i = 0; i < x.size(); ++i) {
        const double xv = x.get_f64(i), gr = norm_ * xv + g.get_f64(i);
        const double vv = alpha_ * v.get_f64(i) + (1.0 - alpha_) * gr;
        const double hv = beta_ * h.get_f64(i) + (1.0 - beta_) * gr * gr;
        put(v_new, i, vv);
        put(h_new, i, hv);
        put(x_new, i, (1.0 - norm_post_) * (xv - r * vv / (std::sqrt(hv) + eps_)));
      }
    }
  }

 private:
  double alpha_, beta_, eps_, norm_, norm_post_;
};

class MomentumKernel : public OpKernel {
 public:
  explicit MomentumKernel(const Node& n)
      : alpha_(n.attr_f("alpha", 0.0f)), beta_(n.attr_f("beta", 0.0f)), norm_(n.attr_f("norm_coefficient", 0.0f)) {
    for (const char* a : {"alpha", "beta", "mode", "norm_coefficient"})
      QWASM_CHECK(n.has_attr(a), n.label(), ": required attribute '", a, "' is missing");
    const std::string mode = n.attr_s("mode", "");
    QWASM_CHECK(mode == "standard" || mode == "nesterov", n.label(), ": mode must be 'standard' or 'nesterov', got '",
                mode, "'");
    nesterov_ = mode == "nesterov";
  }
  void compute(OpContext& ctx) override {
    const OptimizerIo io = read_io(ctx, 3, 2);
    // The first update (T == 0) takes the whole gradient into the momentum.
    const double beta = io.t > 0 ? beta_ : 1.0;
    update_with_one_state(ctx, io, norm_, [&](double xv, double gr, double v) {
      const double vv = alpha_ * v + beta * gr;
      return std::pair<double, double>(nesterov_ ? xv - io.r * (gr + alpha_ * vv) : xv - io.r * vv, vv);
    });
  }

 private:
  double alpha_, beta_, norm_;
  bool nesterov_ = false;
};

}  // namespace

void register_nn_training_ops(OpRegistry& r) {
  const std::string d = "ai.onnx.preview.training";
  r.add(d, "Adagrad", 1, [](const BuildContext& bc) { return std::make_unique<AdagradKernel>(bc.node); });
  r.add(d, "Adam", 1, [](const BuildContext& bc) { return std::make_unique<AdamKernel>(bc.node); });
  r.add(d, "Momentum", 1, [](const BuildContext& bc) { return std::make_unique<MomentumKernel>(bc.node); });
}

}  // namespace qwasm
