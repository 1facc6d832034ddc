// RNN (opsets 7 and 14): Ht = f(Xt*W^T + Ht-1*R^T + Wb + Rb), f = Tanh by default.
// X*W^T for all steps is one GEMM; each step adds one [batch, hidden] recurrent GEMM.
#include <vector>

#include "ops/nn_rnn_common.h"
#include "ops/half_via_float.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

void rnn(OpContext& ctx, const RnnPackedWeights& packed) {
  const RnnProblem p = rnn_problem(ctx, 1, {"Tanh"}, false, &packed);
  const int64_t H = p.hidden, B = p.batch;
  const std::vector<float> h0 = rnn_initial_state(ctx, 5, p, "initial_h");
  std::vector<float> y(size_t(p.seq * p.dirs * B * H), 0.0f), h_last(h0);
  std::vector<float> xw, hr(size_t(B * H)), bias(static_cast<size_t>(H));
  for (int64_t d = 0; d < p.dirs; ++d) {
    if (p.b)
      for (int64_t j = 0; j < H; ++j) bias[size_t(j)] = p.b[d * 2 * H + j] + p.b[d * 2 * H + H + j];
    rnn_input_projection(ctx, p, d, p.b ? bias.data() : nullptr, xw);
    const RnnActivation& f = p.act(d, 0, 1);
    const float* R = p.r + d * H * H;
    const float* R_t = p.r_t ? p.r_t + d * H * H : nullptr;
    float* h = h_last.data() + d * B * H;
    for (int64_t s = 0; s < p.seq; ++s) {
      rnn_matmul(ctx, B, H, H, h, H, R, R_t, H, 0, 0.0f, hr.data(), H);
      for (int64_t b = 0; b < B; ++b) {
        const int64_t t = rnn_time(p, d, s, b);
        if (t < 0) continue;
        const float* xr = xw.data() + (t * B + b) * H;
        float* yr = y.data() + ((t * p.dirs + d) * B + b) * H;
        for (int64_t j = 0; j < H; ++j) yr[j] = h[b * H + j] = f(p.clipped(xr[j] + hr[size_t(b * H + j)]));
      }
    }
  }
  rnn_write_y(ctx, p, y);
  rnn_write_state(ctx, 1, p, h_last);
}

}  // namespace

void register_nn_rnn_ops(OpRegistry& r) {
  r.add("", "RNN", 7, half_via_float(rnn_kernel(rnn)));  // float16 through float32
  r.add("", "RNN", 14, half_via_float(rnn_kernel(rnn)));  // float16 through float32
}

}  // namespace qwasm
