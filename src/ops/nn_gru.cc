// GRU (opsets 7 and 14), gates in ONNX order z, r, h (W/R rows [z; r; h], B = [Wb; Rb]):
//   zt = f(Xt*Wz^T + Ht-1*Rz^T + Wbz + Rbz)        rt = f(Xt*Wr^T + Ht-1*Rr^T + Wbr + Rbr)
//   ht = g(Xt*Wh^T + (rt (.) Ht-1)*Rh^T + Rbh + Wbh)          linear_before_reset = 0
//   ht = g(Xt*Wh^T + rt (.) (Ht-1*Rh^T + Rbh) + Wbh)          linear_before_reset != 0
//   Ht = (1 - zt) (.) ht + zt (.) Ht-1
// Biases outside the reset product are folded into the all-steps input projection.
#include <vector>

#include "ops/nn_rnn_common.h"
#include "ops/half_via_float.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

void gru(OpContext& ctx, const RnnPackedWeights& packed) {
  const RnnProblem p = rnn_problem(ctx, 3, {"Sigmoid", "Tanh"}, false, &packed);
  const bool lbr = ctx.node().attr_i("linear_before_reset", 0) != 0;
  const int64_t H = p.hidden, B = p.batch, G = 3 * H;
  const std::vector<float> h0 = rnn_initial_state(ctx, 5, p, "initial_h");
  std::vector<float> y(size_t(p.seq * p.dirs * B * H), 0.0f), h_last(h0);
  std::vector<float> xw, hr(size_t(B * G)), rh(size_t(B * H)), hh(size_t(B * H)), z(size_t(B * H)), bias(static_cast<size_t>(G));
  for (int64_t d = 0; d < p.dirs; ++d) {
    const float* wb = p.b ? p.b + d * 2 * G : nullptr;
    const float* rbh = p.b ? wb + G + 2 * H : nullptr;  // the h gate's recurrent bias
    if (wb)
      for (int64_t j = 0; j < G; ++j) bias[size_t(j)] = wb[j] + (lbr && j >= 2 * H ? 0.0f : wb[G + j]);
    rnn_input_projection(ctx, p, d, wb ? bias.data() : nullptr, xw);
    const RnnActivation &f = p.act(d, 0, 2), &g = p.act(d, 1, 2);
    const float* R = p.r + d * G * H;
    const float* R_t = p.r_t ? p.r_t + d * H * G : nullptr;
    float* h = h_last.data() + d * B * H;
    for (int64_t s = 0; s < p.seq; ++s) {
      // z and r recurrent terms (all three gates' when the reset applies after the product).
      const int64_t n_rec = lbr ? G : 2 * H;
      rnn_matmul(ctx, B, n_rec, H, h, H, R, R_t, G, 0, 0.0f, hr.data(), G);
      for (int64_t b = 0; b < B; ++b) {
        const int64_t t = rnn_time(p, d, s, b);
        const float* xr = xw.data() + (t < 0 ? 0 : t * B + b) * G;
        for (int64_t j = 0; j < H; ++j) {
          const size_t k = size_t(b * H + j);
          if (t < 0) {
            rh[k] = 0;
            continue;
          }
          z[k] = f(p.clipped(xr[j] + hr[size_t(b * G + j)]));
          const float r = f(p.clipped(xr[H + j] + hr[size_t(b * G + H + j)]));
          if (lbr) rh[k] = r * (hr[size_t(b * G + 2 * H + j)] + (rbh ? rbh[j] : 0.0f));
          else rh[k] = r * h[k];
        }
      }
      if (!lbr) rnn_matmul(ctx, B, H, H, rh.data(), H, R, R_t, G, 2 * H, 0.0f, hh.data(), H);
      for (int64_t b = 0; b < B; ++b) {
        const int64_t t = rnn_time(p, d, s, b);
        if (t < 0) continue;
        const float* xr = xw.data() + (t * B + b) * G + 2 * H;
        float* yr = y.data() + ((t * p.dirs + d) * B + b) * H;
        for (int64_t j = 0; j < H; ++j) {
          const size_t k = size_t(b * H + j);
          const float cand = g(p.clipped(xr[j] + (lbr ? rh[k] : hh[k])));
          yr[j] = h[k] = (1.0f - z[k]) * cand + z[k] * h[k];
        }
      }
    }
  }
  rnn_write_y(ctx, p, y);
  rnn_write_state(ctx, 1, p, h_last);
}

}  // namespace

void register_nn_gru_ops(OpRegistry& r) {
  r.add("", "GRU", 7, half_via_float(rnn_kernel(gru)));  // float16 through float32
  r.add("", "GRU", 14, half_via_float(rnn_kernel(gru)));  // float16 through float32
}

}  // namespace qwasm
