// What a float Conv applies to each output value on its way out: its bias, a residual
// and an activation that graph/passes/fuse_conv_epilogue.cc folded into the node
// (graph/private_attrs.h: qwasm_float_act*, qwasm_residual, qwasm_post_*) and a
// scalar scale and shift after the activation, then up to two Max / Min with a scalar
// constant. Each activation computes
// exactly what its own operator does (ops/elementwise_unary.cc: the same expressions,
// the same fast_expf), in the order the unfused graph did: ((sum + bias) + residual),
// then the activation, then (v * scale) + shift, then the clamps (MaxOp / MinOp of
// ops/elementwise_binary.cc with the operands in the graph's order), so folding
// changes no bits.
#pragma once
#include <algorithm>
#include <cstdint>

#include "graph/graph.h"
#include "ops/fast_math.h"

namespace qwasm {

struct ConvEpilogue {
  enum class Act { kNone, kRelu, kClip, kHardSwish, kHardSigmoid, kSigmoid, kLeakyRelu };
  Act act = Act::kNone;
  float alpha = 0, beta = 0;  // Clip: lo, hi; HardSigmoid: alpha, beta; LeakyRelu: alpha
  bool residual = false;      // input 3 is added before the activation
  float post_scale = 1, post_shift = 0;  // after the activation: v * post_scale + post_shift
  bool post = false;                     // whether there is such a step
  // Max / Min with a constant c after that; the operand order fixes which zero a tie of
  // +0 and -0 gives, and which NaN comes out.
  enum class ClampOp { kMaxVC = 0, kMaxCV = 1, kMinVC = 2, kMinCV = 3 };
  struct Clamp {
    ClampOp op = ClampOp::kMaxVC;
    float c = 0;
  };
  static constexpr int kMaxClamps = 2;
  Clamp clamps[kMaxClamps];
  int n_clamps = 0;

  // Reads the private attributes of `n` (none: bias only); an unknown name is an Error.
  static ConvEpilogue of(const Node& n);

  // y[i] = act(y[i] + bias (+ res[i])) for i < count; res may be nullptr.
  void apply(float* y, int64_t count, float bias, const float* res) const;
  // Only the bias (and residual): what runs before a broadcast residual Add, after which
  // activate() applies the rest.
  ConvEpilogue bias_only() const {
    ConvEpilogue e;
    e.residual = residual;
    return e;
  }
  // y[i] = act(y[i]) (the residual was added elsewhere, e.g. with broadcasting).
  void activate(float* y, int64_t count) const {
    with_act([&](auto f) { for (int64_t i = 0; i < count; ++i) y[i] = f(y[i]); });
  }

 private:
  static float clamp(float v, const Clamp& k) {
    const float c = k.c;
    switch (k.op) {
      case ClampOp::kMaxVC: return c != c ? c : (c > v ? c : v);
      case ClampOp::kMaxCV: return v != v ? v : (v > c ? v : c);
      case ClampOp::kMinVC: return c != c ? c : (c < v ? c : v);
      case ClampOp::kMinCV: return v != v ? v : (v < c ? v : c);
    }
    return v;
  }
  // fn(activation) with the activation as a functor, followed by the post step and the
  // clamps if any. The common tails get a functor of their own (a loop the compiler can
  // vectorize); the rest go through the general one.
  template <typename Fn>
  void with_act(Fn&& fn) const {
    const float s = post_scale, t = post_shift;
    // One Max whose result does not depend on the operand order: c is a number and not
    // zero, so max is c > v ? c : v either way (NaN v: v).
    const bool max_only = !post && n_clamps == 1 && clamps[0].c == clamps[0].c &&
                          (clamps[0].op == ClampOp::kMaxVC || (clamps[0].op == ClampOp::kMaxCV && clamps[0].c != 0));
    if (!post && n_clamps == 0) return with_pure_act(fn);
    if (n_clamps == 0) return with_pure_act([&](auto f) { fn([f, s, t](float v) { return f(v) * s + t; }); });
    if (max_only) {
      const float c = clamps[0].c;
      return with_pure_act([&](auto f) { fn([f, c](float v) { v = f(v); return c > v ? c : v; }); });
    }
    const ConvEpilogue* e = this;
    with_pure_act([&](auto f) {
      fn([f, e, s, t](float v) {
        v = f(v);
        if (e->post) v = v * s + t;
        for (int i = 0; i < e->n_clamps; ++i) v = clamp(v, e->clamps[i]);
        return v;
      });
    });
  }
  template <typename Fn>
  void with_pure_act(Fn&& fn) const {
    const float a = alpha, b = beta;
    switch (act) {
      case Act::kNone: return fn([](float v) { return v; });
      case Act::kRelu: return fn([](float v) { return v > 0.0f ? v : 0.0f; });
      case Act::kClip: return fn([a, b](float v) { v = v < a ? a : v; return v > b ? b : v; });
      case Act::kHardSwish: return fn([](float v) { return v * std::max(0.0f, std::min(1.0f, v / 6.0f + 0.5f)); });
      case Act::kHardSigmoid: return fn([a, b](float v) { return std::max(0.0f, std::min(1.0f, a * v + b)); });
      case Act::kSigmoid: return fn([](float v) { return 1.0f / (1.0f + fast_expf(-v)); });
      case Act::kLeakyRelu: return fn([a](float v) { return v >= 0.0f ? v : a * v; });
    }
  }
};

inline void ConvEpilogue::apply(float* y, int64_t count, float bias, const float* res) const {
  if (res)
    with_act([&](auto f) { for (int64_t i = 0; i < count; ++i) y[i] = f((y[i] + bias) + res[i]); });
  else
    with_act([&](auto f) { for (int64_t i = 0; i < count; ++i) y[i] = f(y[i] + bias); });
}

}  // namespace qwasm
