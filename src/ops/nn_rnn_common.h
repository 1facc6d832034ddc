// Shared parts of the ai.onnx recurrent operators (RNN, GRU, LSTM; opsets 7 and 14):
// the activation list, input validation, the layout-0 (time-major) staging of X and of
// the initial states, the all-steps input projection and the writing of Y / Y_h / Y_c.
// Each op's own file holds only its gate equations and time loop.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/op.h"

namespace qwasm {

// One entry of the `activations` attribute with its alpha/beta (ONNX RNN spec list).
struct RnnActivation {
  enum class Kind { Sigmoid, Tanh, Relu, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus };
  Kind kind = Kind::Sigmoid;
  float alpha = 0, beta = 0;
  float operator()(float x) const;
};

// Inline (not in the .cc): the time loops call it per gate value, and a call into another
// file from a function with cleanups is a JavaScript trampoline in the wasm build.
inline float RnnActivation::operator()(float x) const {
  switch (kind) {
    case Kind::Sigmoid: return 1.0f / (1.0f + std::exp(-x));
    case Kind::Tanh: return std::tanh(x);
    case Kind::Relu: return x > 0 ? x : 0.0f;
    case Kind::Affine: return alpha * x + beta;
    case Kind::LeakyRelu: return x >= 0 ? x : alpha * x;
    case Kind::ThresholdedRelu: return x >= alpha ? x : 0.0f;  // ">= alpha" per the RNN spec list
    case Kind::ScaledTanh: return alpha * std::tanh(beta * x);
    case Kind::HardSigmoid: return std::max(0.0f, std::min(1.0f, alpha * x + beta));
    case Kind::Elu: return x >= 0 ? x : alpha * (std::exp(x) - 1.0f);
    case Kind::Softsign: return x / (1.0f + std::fabs(x));
    case Kind::Softplus: return std::log1p(std::exp(x));
  }
  return x;
}

// A recurrent node's inputs, validated and staged time-major ([seq, batch, ...]).
struct RnnProblem {
  // Moves keep x_staged's buffer (and so x) valid; a copy would leave x pointing at the original.
  RnnProblem() = default;
  RnnProblem(const RnnProblem&) = delete;
  RnnProblem(RnnProblem&&) = default;
  int64_t seq = 0, batch = 0, input = 0, hidden = 0, dirs = 1, gates = 1;
  bool layout_batch_first = false;  // layout = 1
  bool reverse[2] = {false, true};  // per direction index
  float clip = 0;                   // 0: no clip
  std::vector<RnnActivation> acts;  // dirs * acts_per_dir
  const float* x = nullptr;         // [seq, batch, input]: the input itself, or x_staged for layout 1
  std::vector<float> x_staged;
  std::vector<int64_t> lens;        // [batch], each in [0, seq]
  const float* w = nullptr;         // [dirs, gates*hidden, input] (null for int8 weights)
  const float* r = nullptr;         // [dirs, gates*hidden, hidden] (null for int8 weights)
  const float* b = nullptr;         // [dirs, 2*gates*hidden] (Wb then Rb) or nullptr
  const float* w_t = nullptr;       // W transposed, [dirs, input, gates*hidden], when packed at build
  const float* r_t = nullptr;       // R transposed, [dirs, hidden, gates*hidden], when packed at build
  int64_t gh() const { return gates * hidden; }
  float clipped(float v) const { return clip > 0 ? (v < -clip ? -clip : (v > clip ? clip : v)) : v; }
  const RnnActivation& act(int64_t dir, int64_t k, int64_t per_dir) const { return acts[dir * per_dir + k]; }
};

// W and R transposed to [dirs, K, gates*hidden] once at build when they are float32
// constants. The GEMMs of a recurrent node have few rows (batch, or seq * batch), so with
// a transposed B the f32 GEMM would gather B into column panels on every call, every
// step; from the transpose it reads B's rows in place. Empty when not constant.
struct RnnPackedWeights {
  std::vector<float> w_t, r_t;
};
RnnPackedWeights rnn_pack_weights(const BuildContext& bc);

// An RNN-family op as a kernel holding its packed weights (register through half_via_float:
// float16 weights are not constants at build, so they are never packed).
using RnnComputeFn = void (*)(OpContext&, const RnnPackedWeights&);
OpFactory rnn_kernel(RnnComputeFn fn);

// c[M, N] = a[M, K] * (rows row0 .. row0 + N of one direction's weight [G, K])^T + beta * c,
// reading `w_t` (that direction's [K, G] transpose) when it was packed, else `w`. The same
// sums in the same order either way.
void rnn_matmul(OpContext& ctx, int64_t M, int64_t N, int64_t K, const float* a, int64_t lda, const float* w,
                const float* w_t, int64_t G, int64_t row0, float beta, float* c, int64_t ldc);

// Validates inputs 0..4 (X, W, R, B, sequence_lens) and the attributes of a
// node with `gates` gates whose default activations are `default_acts` (per direction).
// int8_weights (com.microsoft DynamicQuantizeLSTM): W and R are uint8/int8 and transposed,
// [dirs, input, gates*hidden] and [dirs, hidden, gates*hidden]; p.w and p.r stay null.
// `packed`: the node's weights transposed at build (p.w_t / p.r_t then point into it).
RnnProblem rnn_problem(OpContext& ctx, int gates, const std::vector<std::string>& default_acts,
                       bool int8_weights = false, const RnnPackedWeights* packed = nullptr);

// Input `idx` as a [dirs, batch, hidden] time-major state (zeros when absent), validated.
std::vector<float> rnn_initial_state(OpContext& ctx, size_t idx, const RnnProblem& p, const char* what);

// xw[seq*batch, gates*hidden] = X * W_d^T + bias (bias[gates*hidden] or nullptr), all steps at once.
void rnn_input_projection(OpContext& ctx, const RnnProblem& p, int64_t d, const float* bias, std::vector<float>& xw);

// The time index a step `s` of direction `d` reads for batch row `b`, or -1 past that
// row's sequence length (reverse directions walk each row's own length backwards).
inline int64_t rnn_time(const RnnProblem& p, int64_t d, int64_t s, int64_t b) {
  if (s >= p.lens[size_t(b)]) return -1;
  return p.reverse[d] ? p.lens[size_t(b)] - 1 - s : s;
}

// Writes Y ([seq, dirs, batch, hidden] time-major) to output 0 and a state
// ([dirs, batch, hidden]) to output `idx`, in the node's layout, when wanted.
void rnn_write_y(OpContext& ctx, const RnnProblem& p, const std::vector<float>& y);
void rnn_write_state(OpContext& ctx, size_t idx, const RnnProblem& p, const std::vector<float>& s);

}  // namespace qwasm
