// LSTM (opsets 7 and 14), gates in ONNX order i, o, f, c (W/R rows [i; o; f; c],
// B = [Wb; Rb], peepholes P = [Pi; Po; Pf]):
//   it = f(Xt*Wi^T + Ht-1*Ri^T + Pi (.) Ct-1 + Wbi + Rbi)
//   ft = f(Xt*Wf^T + Ht-1*Rf^T + Pf (.) Ct-1 + Wbf + Rbf)    (1 - it with input_forget)
//   ct = g(Xt*Wc^T + Ht-1*Rc^T + Wbc + Rbc)
//   Ct = ft (.) Ct-1 + it (.) ct
//   ot = f(Xt*Wo^T + Ht-1*Ro^T + Po (.) Ct + Wbo + Rbo)
//   Ht = ot (.) h(Ct)
// com.microsoft DynamicQuantizeLSTM is the same recurrence with int8 weights
// (nn_lstm_quant.cc): only the two products X*W^T and Ht-1*R^T differ, so the time loop
// here takes them from an LstmGemms.
#include <vector>

#include "graph/error.h"
#include "graph/shape.h"
#include "ops/fast_math.h"
#include "ops/half_via_float.h"
#include "ops/nn_lstm.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

// The float products of the ai.onnx LSTM.
struct FloatLstmGemms : LstmGemms {
  void input(OpContext& ctx, const RnnProblem& p, int64_t d, const float* bias, std::vector<float>& xw) override {
    rnn_input_projection(ctx, p, d, bias, xw);
  }
  void recurrent(OpContext& ctx, const RnnProblem& p, int64_t d, const float* h, float* hr) override {
    const int64_t H = p.hidden, G = p.gh();
    rnn_matmul(ctx, p.batch, G, H, h, H, p.r + d * G * H, p.r_t ? p.r_t + d * H * G : nullptr, G, 0, 0.0f, hr, G);
  }
};

void lstm(OpContext& ctx, const RnnPackedWeights& packed) {
  const RnnProblem p = rnn_problem(ctx, 4, {"Sigmoid", "Tanh", "Tanh"}, false, &packed);
  FloatLstmGemms g;
  lstm_run(ctx, p, g);
}

// One batch row's step with the default activations (sigmoid, tanh, tanh), no peepholes
// and no input_forget: the equations above in passes over the row, each a loop without
// calls (fast_math.h's sigmoid / tanh, ~2 ulp of the exact values) that vectorises.
// The generic loop calls an activation per gate value, each call through a switch (and
// in the wasm build a JavaScript trampoline, as the loop's function has cleanups).
void lstm_fast_step(const RnnProblem& p, int64_t H, const float* xr, const float* rr, float* gt, float* c, float* h,
                    float* yr) {
  const int64_t G = 4 * H;
  for (int64_t j = 0; j < G; ++j) gt[j] = xr[j] + rr[j];
  if (p.clip > 0)
    for (int64_t j = 0; j < G; ++j) gt[j] = p.clipped(gt[j]);
  for (int64_t j = 0; j < 3 * H; ++j) gt[j] = fast_sigmoidf(gt[j]);  // i, o, f
  for (int64_t j = 3 * H; j < G; ++j) gt[j] = fast_tanhf(gt[j]);     // c~
  const float *gi = gt, *go = gt + H, *gf = gt + 2 * H, *gc = gt + 3 * H;
  for (int64_t j = 0; j < H; ++j) c[j] = gf[j] * c[j] + gi[j] * gc[j];
  for (int64_t j = 0; j < H; ++j) yr[j] = h[j] = go[j] * fast_tanhf(c[j]);
}

}  // namespace

void lstm_run(OpContext& ctx, const RnnProblem& p, LstmGemms& gemms) {
  const Node& n = ctx.node();
  const bool input_forget = n.attr_i("input_forget", 0) != 0;
  const int64_t H = p.hidden, B = p.batch, G = 4 * H;
  const std::vector<float> h0 = rnn_initial_state(ctx, 5, p, "initial_h");
  const std::vector<float> c0 = rnn_initial_state(ctx, 6, p, "initial_c");
  const Tensor* P = ctx.input(7);
  QWASM_CHECK(!P || (P->dtype() == DType::Float32 && P->rank() == 2 && P->dim(0) == p.dirs && P->dim(1) == 3 * H),
              n.label(), ": P must be a float32 [", p.dirs, ", ", 3 * H, "], got ", P ? shape_str(P->shape()) : "");
  std::vector<float> y(size_t(p.seq * p.dirs * B * H), 0.0f), h_last(h0), c_last(c0);
  std::vector<float> xw, hr(size_t(B * G)), bias(static_cast<size_t>(G)), gates(static_cast<size_t>(G));
  for (int64_t d = 0; d < p.dirs; ++d) {
    if (p.b)
      for (int64_t j = 0; j < G; ++j) bias[size_t(j)] = p.b[d * 2 * G + j] + p.b[d * 2 * G + G + j];
    gemms.input(ctx, p, d, p.b ? bias.data() : nullptr, xw);
    const RnnActivation &f = p.act(d, 0, 3), &g = p.act(d, 1, 3), &hf = p.act(d, 2, 3);
    using K = RnnActivation::Kind;
    const bool fast = !P && !input_forget && f.kind == K::Sigmoid && g.kind == K::Tanh && hf.kind == K::Tanh;
    const float* pi = P ? P->data<float>() + d * 3 * H : nullptr;
    const float* po = pi ? pi + H : nullptr;
    const float* pf = pi ? pi + 2 * H : nullptr;
    float* h = h_last.data() + d * B * H;
    float* c = c_last.data() + d * B * H;
    for (int64_t s = 0; s < p.seq; ++s) {
      gemms.recurrent(ctx, p, d, h, hr.data());
      for (int64_t b = 0; b < B; ++b) {
        const int64_t t = rnn_time(p, d, s, b);
        if (t < 0) continue;
        const float* xr = xw.data() + (t * B + b) * G;
        const float* rr = hr.data() + b * G;
        float* yr = y.data() + ((t * p.dirs + d) * B + b) * H;
        if (fast) {
          lstm_fast_step(p, H, xr, rr, gates.data(), c + b * H, h + b * H, yr);
          continue;
        }
        for (int64_t j = 0; j < H; ++j) {
          float& cj = c[b * H + j];
          const float i = f(p.clipped(xr[j] + rr[j] + (pi ? pi[j] * cj : 0.0f)));
          const float fg =
              input_forget ? 1.0f - i : f(p.clipped(xr[2 * H + j] + rr[2 * H + j] + (pf ? pf[j] * cj : 0.0f)));
          const float cand = g(p.clipped(xr[3 * H + j] + rr[3 * H + j]));
          cj = fg * cj + i * cand;
          const float o = f(p.clipped(xr[H + j] + rr[H + j] + (po ? po[j] * cj : 0.0f)));
          yr[j] = h[b * H + j] = o * hf(cj);
        }
      }
    }
  }
  rnn_write_y(ctx, p, y);
  rnn_write_state(ctx, 1, p, h_last);
  rnn_write_state(ctx, 2, p, c_last);
}

void register_nn_lstm_ops(OpRegistry& r) {
  r.add("", "LSTM", 7, half_via_float(rnn_kernel(lstm)));  // float16 through float32
  r.add("", "LSTM", 14, half_via_float(rnn_kernel(lstm)));  // float16 through float32
}

}  // namespace qwasm
