// What a float Conv applies to each output value on its way out: its bias, a residual
// and an activation that graph/passes/fuse_conv_epilogue.cc folded into the node
// (graph/private_attrs.h: qwasm_float_act*, qwasm_residual, qwasm_post_*) and a
// scalar scale and shift after the activation. Each activation computes
// exactly what its own operator does (ops/elementwise_unary.cc: the same expressions,
// the same fast_expf), in the order the unfused graph did: ((sum + bias) + residual),
// then the activation, then (v * scale) + shift, so folding changes no bits.
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

  // Reads the private attributes of `n` (none: bias only); an unknown name is an Error.
  static ConvEpilogue of(const Node& n);

  // y[i] = act(y[i] + bias (+ res[i])) for i < count; res may be nullptr.
  void apply(float* y, int64_t count, float bias, const float* res) const;
  // y[i] = act(y[i]) (the residual was added elsewhere, e.g. with broadcasting).
  void activate(float* y, int64_t count) const {
    with_act([&](auto f) { for (int64_t i = 0; i < count; ++i) y[i] = f(y[i]); });
  }

 private:
  // fn(activation) with the activation as a functor (followed by the post step if any).
  template <typename Fn>
  void with_act(Fn&& fn) const {
    if (!post) return with_pure_act(fn);
    const float s = post_scale, t = post_shift;
    with_pure_act([&](auto f) { fn([f, s, t](float v) { return f(v) * s + t; }); });
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
