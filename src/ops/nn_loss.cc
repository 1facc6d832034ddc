// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (= NLL of log_softmax over
// the class axis 1), with class weights, ignore_index and none/sum/mean reduction.
// Computed in double, stored in the input's float type.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "ops/dtype_switch.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

Tensor to_f64(const Tensor& t) {
  Tensor d(DType::Float64, t.shape());
  for (int64_t i = 0; i < t.size(); ++i) d.data<double>()[i] = t.get_f64(i);
  return d;
}

void store(OpContext& ctx, size_t i, const Tensor& f64, DType dtype) {
  Tensor& out = ctx.output(i, dtype, f64.shape());
  const double* s = f64.data<double>();
  if (dtype == DType::Float64) {
    std::memcpy(out.raw(), s, f64.bytes());
    return;
  }
  Tensor f(DType::Float32, f64.shape());
  for (int64_t k = 0; k < f64.size(); ++k) f.data<float>()[k] = float(s[k]);
  if (is_half(dtype)) narrow_half(f, out);
  else std::memcpy(out.raw(), f.raw(), f.bytes());
}

// logp: [N, C, D...] log-probabilities (double), target: [N, D...] class ids.
Tensor nll(const Node& n, const Tensor& logp, const Tensor& target, const Tensor* weight) {
  QWASM_CHECK(logp.rank() >= 2, n.label(), ": input must be [N, C, ...], got ", shape_str(logp.shape()));
  const int64_t N = logp.dim(0), C = logp.dim(1), D = N * C != 0 ? logp.size() / (N * C) : 0;
  Shape ts = logp.shape();
  ts.erase(ts.begin() + 1);
  QWASM_CHECK(target.shape() == ts, n.label(), ": target shape ", shape_str(target.shape()), " != ", shape_str(ts));
  QWASM_CHECK(!weight || weight->size() == C, n.label(), ": weight must have ", C, " elements");
  const bool has_ii = n.has_attr("ignore_index");
  const int64_t ii = has_ii ? n.attr_i("ignore_index") : 0;
  const std::string reduction = n.attr_s("reduction", "mean");
  QWASM_CHECK(reduction == "none" || reduction == "sum" || reduction == "mean", n.label(), ": unknown reduction '",
              reduction, "'");
  Tensor loss(DType::Float64, ts);
  double total = 0.0, wsum = 0.0;
  const double* lp = logp.data<double>();
  for (int64_t b = 0; b < N; ++b)
    for (int64_t d = 0; d < D; ++d) {
      const int64_t c = target.get_i64(b * D + d);
      double l = 0.0, w = 0.0;
      if (!(has_ii && c == ii)) {
        QWASM_CHECK(c >= 0 && c < C, n.label(), ": target class ", c, " is outside [0, ", C, ")");
        w = weight ? weight->get_f64(c) : 1.0;
        l = -lp[(b * C + c) * D + d] * w;
      }
      loss.data<double>()[b * D + d] = l;
      total += l, wsum += w;
    }
  if (reduction == "none") return loss;
  Tensor r(DType::Float64, {});
  r.data<double>()[0] = reduction == "sum" ? total : total / wsum;
  return r;
}

void nll_loss(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor* w = ctx.input(2);
  Tensor wd = w ? to_f64(*w) : Tensor();
  store(ctx, 0, nll(n, to_f64(ctx.in(0)), ctx.in(1), w ? &wd : nullptr), ctx.in(0).dtype());
}

void softmax_cross_entropy(OpContext& ctx) {
  const Node& n = ctx.node();
  Tensor logp = to_f64(ctx.in(0));
  QWASM_CHECK(logp.rank() >= 2, n.label(), ": scores must be [N, C, ...], got ", shape_str(logp.shape()));
  const int64_t N = logp.dim(0), C = logp.dim(1), D = N * C != 0 ? logp.size() / (N * C) : 0;
  double* p = logp.data<double>();
  for (int64_t b = 0; b < N; ++b)
    for (int64_t d = 0; d < D; ++d) {
      double mx = -INFINITY, sum = 0.0;
      for (int64_t c = 0; c < C; ++c) mx = std::max(mx, p[(b * C + c) * D + d]);
      for (int64_t c = 0; c < C; ++c) sum += std::exp(p[(b * C + c) * D + d] - mx);
      const double lse = mx + std::log(sum);
      for (int64_t c = 0; c < C; ++c) p[(b * C + c) * D + d] -= lse;
    }
  const Tensor* w = ctx.input(2);
  Tensor wd = w ? to_f64(*w) : Tensor();
  const DType dt = ctx.in(0).dtype();
  store(ctx, 0, nll(n, logp, ctx.in(1), w ? &wd : nullptr), dt);
  if (ctx.output_wanted(1)) store(ctx, 1, logp, dt);
}

}  // namespace

void register_nn_loss_ops(OpRegistry& r) {
  r.add_fn("", "NegativeLogLikelihoodLoss", 12, nll_loss);
  r.add_fn("", "SoftmaxCrossEntropyLoss", 12, softmax_cross_entropy);
}

}  // namespace qwasm
