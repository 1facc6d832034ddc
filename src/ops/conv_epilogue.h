// What a float Conv applies to each output value on its way out: its bias, a residual
// and an activation that graph/passes/fuse_conv_epilogue.cc folded into the node
// (graph/private_attrs.h: qwasm_float_act*, qwasm_residual). Each activation computes
// exactly what its own operator does (ops/elementwise_unary.cc: the same expressions,
// the same fast_expf), in the order the unfused graph did: ((sum + bias) + residual),
// then the activation, so folding changes no bits.
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

  // Reads the private attributes of `n` (none: bias only); an unknown name is an Error.
  static ConvEpilogue of(const Node& n);

  // y[i] = act(y[i] + bias (+ res[i])) for i < count; res may be nullptr.
  void apply(float* y, int64_t count, float bias, const float* res) const;
  // y[i] = act(y[i]) (the residual was added elsewhere, e.g. with broadcasting).
  void activate(float* y, int64_t count) const { with_act([&](auto f) { for (int64_t i = 0; i < count; ++i) y[i] = f(y[i]); }); }

 private:
  template <typename Fn>
  void with_act(Fn&& fn) const {
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
