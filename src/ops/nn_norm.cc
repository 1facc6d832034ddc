// Softmax / LogSoftmax / Hardmax, com.microsoft BiasSoftmax, LayerNormalization,
// BatchNormalization (inference), InstanceNormalization. float16 via float32.
#include <algorithm>
#include <cmath>

#include "ops/broadcast.h"
#include "ops/dtype_switch.h"
#include "ops/parallel_ranges.h"
#include "ops/registry.h"
#include "ops/row_math.h"

namespace qwasm {
namespace {

// Runs fn(row_ptr, n, stride) over every 1-D lane along `axis` of a float tensor.
template <typename Fn>
void for_each_lane(float* p, const Shape& s, int64_t axis, Fn&& fn) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= s[size_t(d)];
  for (size_t d = size_t(axis) + 1; d < s.size(); ++d) inner *= s[d];
  const int64_t n = s.empty() ? 1 : s[size_t(axis)];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) fn(p + o * n * inner + i, n, inner);
}

enum class Soft { Softmax, LogSoftmax, Hardmax };

// Elements below which a row-wise normalisation stays on one thread (BERT's attention
// softmax, [12, 128, 128], and LayerNorm over [128, 768] split).
constexpr int64_t kNormMinPiece = 16 * 1024;

// One contiguous row (the common case): SIMD-friendly. Softmax and LogSoftmax only.
template <Soft K>
void soft_row(float* p, int64_t len) {
  const float m = row_max(p, len);
  if (K == Soft::Softmax) {
    const float inv = 1.0f / row_exp_sum(p, len, m);
    for (int64_t i = 0; i < len; ++i) p[i] *= inv;
  } else {
    float s = 0;
    for (int64_t i = 0; i < len; ++i) s += fast_expf(p[i] - m);
    const float shift = m + std::log(s);
    for (int64_t i = 0; i < len; ++i) p[i] -= shift;
  }
}

// One strided lane (and every Hardmax lane), with a double-precision sum.
template <Soft K>
void soft_lane(float* p, int64_t len, int64_t st) {
  float mx = p[0];
  int64_t arg = 0;
  for (int64_t i = 1; i < len; ++i) if (p[i * st] > mx) mx = p[i * st], arg = i;
  if (K == Soft::Hardmax) {
    for (int64_t i = 0; i < len; ++i) p[i * st] = i == arg ? 1.0f : 0.0f;
    return;
  }
  double sum = 0;
  for (int64_t i = 0; i < len; ++i) sum += std::exp(double(p[i * st] - mx));
  if (K == Soft::Softmax) {
    const float inv = float(1.0 / sum);
    for (int64_t i = 0; i < len; ++i) p[i * st] = std::exp(p[i * st] - mx) * inv;
  } else {
    const float ls = float(std::log(sum));
    for (int64_t i = 0; i < len; ++i) p[i * st] = p[i * st] - mx - ls;
  }
}

// The float32 tensor softmax works on: for float32 the output itself (computed in
// place: one pass to copy, no temporary); float16 and float64 (rare) a float32 copy.
Tensor float_workspace(const Node& n, const Tensor& x0, Tensor& out) {
  if (x0.dtype() == DType::Float32) {
    if (out.raw() != x0.raw()) std::copy_n(x0.data<float>(), x0.size(), out.data<float>());
    return out;
  }
  Tensor x = widen_half(x0).clone();
  QWASM_CHECK(x.dtype() == DType::Float32 || x.dtype() == DType::Float64, n.label(), ": float input required");
  if (x.dtype() == DType::Float64) {
    Tensor f(DType::Float32, x.shape());
    for (int64_t i = 0; i < x.size(); ++i) f.data<float>()[i] = float(x.data<double>()[i]);
    x = f;
  }
  return x;
}

template <Soft K>
void softmax(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x0 = ctx.in(0);
  const Shape shape = x0.shape();
  Tensor& out = ctx.output(0, x0.dtype(), shape);
  Tensor x = float_workspace(n, x0, out);
  int64_t axis = normalize_axis(n.attr_i("axis", n.opset < 13 ? 1 : -1), x.rank(), n.label());
  Shape lanes = shape;
  if (n.opset < 13) {  // coerced to 2-D [outer, inner] at `axis`
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= shape[size_t(d)];
    lanes = {outer, outer ? x.size() / outer : 0};
    axis = 1;
  }
  const int64_t row_len = lanes.empty() ? 1 : lanes[size_t(axis)];
  if (K != Soft::Hardmax && axis == int64_t(lanes.size()) - 1 && row_len > 0) {
    // Contiguous rows (attention scores): independent, so split across the session's threads.
    float* p = x.data<float>();
    const int64_t min_rows = (kNormMinPiece + row_len - 1) / row_len;
    parallel_ranges(ctx.parallel(), x.size() / row_len, min_rows, 1, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) soft_row<K>(p + r * row_len, row_len);
    });
  } else {
    for_each_lane(x.data<float>(), lanes, axis, [](float* p, int64_t len, int64_t st) {
      if (len == 0) return;
      if (st == 1 && K != Soft::Hardmax) soft_row<K>(p, len);
      else soft_lane<K>(p, len, st);
    });
  }
  if (is_half(x0.dtype())) narrow_half(x, out);
  else if (x0.dtype() == DType::Float64) for (int64_t i = 0; i < x.size(); ++i) out.data<double>()[i] = x.data<float>()[i];
}

// com.microsoft BiasSoftmax: softmax(data + bias) over every dim from `axis` on (the
// opset-11 coercion to [outer, inner] rows, default axis 1). Both is_inner_broadcast forms
// (bias repeated over the outer dims, or over the dims between its batch dims and axis)
// are numpy broadcasts of bias to data's shape, which is what is checked and done here.
void bias_softmax(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x0 = ctx.in(0);
  const Tensor& b0 = ctx.in(1);
  QWASM_CHECK(n.has_attr("is_inner_broadcast"), n.label(), ": attribute 'is_inner_broadcast' is required");
  QWASM_CHECK(b0.dtype() == x0.dtype(), n.label(), ": bias type ", dtype_name(b0.dtype()), " differs from data type ",
              dtype_name(x0.dtype()));
  const Tensor x = widen_half(x0), b = widen_half(b0);
  QWASM_CHECK(x.dtype() == DType::Float32, n.label(), ": data must be float32 or float16, got ", dtype_name(x0.dtype()));
  QWASM_CHECK(x.rank() >= 1 && broadcast_shapes(x.shape(), b.shape(), n.label()) == x.shape(), n.label(), ": bias ",
              shape_str(b.shape()), " does not broadcast to data ", shape_str(x.shape()));
  const int64_t axis = normalize_axis(n.attr_i("axis", 1), x.rank(), n.label());
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.dim(d);
  const int64_t inner = outer ? x.size() / outer : 0;
  const bool f32 = x0.dtype() == DType::Float32;
  Tensor y = f32 ? ctx.output(0, DType::Float32, x.shape()) : Tensor(DType::Float32, x.shape());
  const float* xs = x.data<float>();
  const float* bs = b.data<float>();
  float* ys = y.data<float>();
  const BroadcastLoop<1> loop(x.shape(), {&b.shape()});
  const int64_t st = loop.inner_step(0);
  loop.for_each_run([&](int64_t o, const std::array<int64_t, 1>& off, int64_t cnt) {
    for (int64_t i = 0; i < cnt; ++i) ys[o + i] = xs[o + i] + bs[off[0] + i * st];
  });
  for (int64_t r = 0; r < outer && inner > 0; ++r) soft_row<Soft::Softmax>(ys + r * inner, inner);
  if (!f32) narrow_half(y, ctx.output(0, x0.dtype(), x.shape()));
}

void layer_norm(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x0 = ctx.in(0);
  Tensor x = widen_half(x0), g = widen_half(ctx.in(1));
  Tensor b = ctx.input(2) ? widen_half(*ctx.input(2)) : Tensor();
  QWASM_CHECK(x.dtype() == DType::Float32, n.label(), ": float input required");
  const int64_t axis = normalize_axis(n.attr_i("axis", -1), x.rank(), n.label());
  const float eps = n.attr_f("epsilon", 1e-5f);
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.dim(d);
  const int64_t inner = outer ? x.size() / outer : 0;
  QWASM_CHECK(g.size() == inner || inner == 0, n.label(), ": scale has ", g.size(), " elements, expected ", inner);
  // Scale and bias broadcast over the normalised dims (they may be smaller).
  Shape norm_shape(x.shape().begin() + axis, x.shape().end());
  Tensor y(DType::Float32, x.shape());
  Shape stat_shape = x.shape();
  for (int64_t d = axis; d < x.rank(); ++d) stat_shape[size_t(d)] = 1;
  Tensor mean_t(DType::Float32, stat_shape), inv_t(DType::Float32, stat_shape);
  // Rows are independent: split across the session's threads.
  const int64_t min_rows = inner ? (kNormMinPiece + inner - 1) / inner : outer;
  parallel_ranges(ctx.parallel(), outer, min_rows, 1, [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; ++o) {
      const float* xr = x.data<float>() + o * inner;
      float mean, inv;
      row_mean_inv_std(xr, inner, eps, mean, inv);
      float* yr = y.data<float>() + o * inner;
      const float* gr = g.data<float>();
      if (b.defined() && b.size() == inner) {
        const float* br = b.data<float>();
        for (int64_t i = 0; i < inner; ++i) yr[i] = (xr[i] - mean) * inv * gr[i] + br[i];
      } else {
        for (int64_t i = 0; i < inner; ++i)
          yr[i] = (xr[i] - mean) * inv * gr[i] + (b.defined() ? b.data<float>()[i % b.size()] : 0.0f);
      }
      mean_t.data<float>()[o] = float(mean);
      inv_t.data<float>()[o] = inv;
    }
  });
  Tensor& out = ctx.output(0, x0.dtype(), x.shape());
  if (is_half(x0.dtype())) narrow_half(y, out);
  else std::copy_n(y.data<float>(), y.size(), out.data<float>());
  if (ctx.output_wanted(1)) ctx.set_output(1, mean_t);
  if (ctx.output_wanted(2)) ctx.set_output(2, inv_t);
}

// training_mode (opset >= 14): normalise with the batch's own per-channel mean and
// population variance (replacing mu/va) and output the momentum-updated running stats.
void batch_stats(OpContext& ctx, const Tensor& x, Tensor& mu, Tensor& va) {
  const Node& n = ctx.node();
  const int64_t C = x.dim(1), N = x.dim(0), inner = C * N != 0 ? x.size() / (C * N) : 0;
  const float momentum = n.attr_f("momentum", 0.9f);
  Tensor bm(DType::Float32, {C}), bv(DType::Float32, {C});
  for (int64_t c = 0; c < C; ++c) {
    double sum = 0, sq = 0;
    for (int64_t b = 0; b < N; ++b)
      for (int64_t i = 0; i < inner; ++i) {
        const double v = x.data<float>()[(b * C + c) * inner + i];
        sum += v, sq += v * v;
      }
    const double cnt = double(N * inner), mean = sum / cnt;
    bm.data<float>()[c] = float(mean);
    bv.data<float>()[c] = float(sq / cnt - mean * mean);
  }
  for (size_t o = 1; o <= 2; ++o) {
    if (!ctx.output_wanted(o)) continue;
    const Tensor& running = o == 1 ? mu : va;
    const Tensor& batch = o == 1 ? bm : bv;
    Tensor r(DType::Float32, {C});
    for (int64_t c = 0; c < C; ++c)
      r.data<float>()[c] = running.data<float>()[c] * momentum + batch.data<float>()[c] * (1 - momentum);
    const DType dt = ctx.in(o + 2).dtype();
    Tensor& out = ctx.output(o, dt, {C});
    if (is_half(dt)) narrow_half(r, out);
    else std::copy_n(r.data<float>(), C, out.data<float>());
  }
  mu = bm, va = bv;
}

void batch_norm(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x0 = ctx.in(0);
  Tensor x = widen_half(x0);
  Tensor sc = widen_half(ctx.in(1)), bi = widen_half(ctx.in(2)), mu = widen_half(ctx.in(3)), va = widen_half(ctx.in(4));
  QWASM_CHECK(x.dtype() == DType::Float32 && x.rank() >= 2, n.label(), ": float input of rank >= 2 required");
  const int64_t C = x.dim(1), N = x.dim(0), inner = C * N ? x.size() / (C * N) : 0;
  for (const Tensor* t : {&sc, &bi, &mu, &va})
    QWASM_CHECK(t->size() == C, n.label(), ": per-channel inputs must have ", C, " elements");
  const float eps = n.attr_f("epsilon", 1e-5f);
  if (n.opset >= 14 && n.attr_i("training_mode", 0) != 0) batch_stats(ctx, x, mu, va);
  Tensor y(DType::Float32, x.shape());
  for (int64_t c = 0; c < C; ++c) {
    const float k = sc.data<float>()[c] / std::sqrt(va.data<float>()[c] + eps);
    const float off = bi.data<float>()[c] - mu.data<float>()[c] * k;
    for (int64_t b = 0; b < N; ++b) {
      const float* xs = x.data<float>() + (b * C + c) * inner;
      float* ys = y.data<float>() + (b * C + c) * inner;
      for (int64_t i = 0; i < inner; ++i) ys[i] = xs[i] * k + off;
    }
  }
  Tensor& out = ctx.output(0, x0.dtype(), x.shape());
  if (is_half(x0.dtype())) narrow_half(y, out);
  else std::copy_n(y.data<float>(), y.size(), out.data<float>());
}

void instance_norm(OpContext& ctx) {
  const Node& n = ctx.node();
  Tensor x = widen_half(ctx.in(0)), sc = widen_half(ctx.in(1)), bi = widen_half(ctx.in(2));
  QWASM_CHECK(x.dtype() == DType::Float32 && x.rank() >= 2, n.label(), ": float input of rank >= 2 required");
  const int64_t N = x.dim(0), C = x.dim(1), inner = N * C ? x.size() / (N * C) : 0;
  const float eps = n.attr_f("epsilon", 1e-5f);
  Tensor y(DType::Float32, x.shape());
  for (int64_t b = 0; b < N; ++b)
    for (int64_t c = 0; c < C; ++c) {
      const float* xs = x.data<float>() + (b * C + c) * inner;
      float* ys = y.data<float>() + (b * C + c) * inner;
      double s = 0, ss = 0;
      for (int64_t i = 0; i < inner; ++i) s += xs[i];
      const double m = s / double(inner);
      for (int64_t i = 0; i < inner; ++i) ss += (xs[i] - m) * (xs[i] - m);
      const float k = float(sc.data<float>()[c] / std::sqrt(ss / double(inner) + eps));
      for (int64_t i = 0; i < inner; ++i) ys[i] = float(xs[i] - m) * k + bi.data<float>()[c];
    }
  Tensor& out = ctx.output(0, ctx.in(0).dtype(), x.shape());
  if (is_half(out.dtype())) narrow_half(y, out);
  else std::copy_n(y.data<float>(), y.size(), out.data<float>());
}

}  // namespace

void register_nn_norm_ops(OpRegistry& r) {
  r.add_fn("", "Softmax", 1, softmax<Soft::Softmax>);
  r.add_fn("", "LogSoftmax", 1, softmax<Soft::LogSoftmax>);
  r.add_fn("", "Hardmax", 1, softmax<Soft::Hardmax>);
  r.add_fn("com.microsoft", "BiasSoftmax", 1, bias_softmax);
  r.add_fn("", "LayerNormalization", 17, layer_norm);
  r.add_fn("", "BatchNormalization", 1, batch_norm);
  r.add_fn("", "InstanceNormalization", 1, instance_norm);
}

}  // namespace qwasm
