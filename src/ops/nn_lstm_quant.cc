// com.microsoft DynamicQuantizeLSTM (onnxruntime's quantizer writes it for LSTM):
// inputs X, W, R, B?, sequence_lens?, initial_h?, initial_c?, P?, W_scale, W_zero_point,
// R_scale, R_zero_point. W [dirs, input, 4H] and R [dirs, hidden, 4H] are uint8/int8 (the
// transpose of LSTM's float layout), with a scale and zero point per direction ([dirs])
// or per gate column ([dirs, 4H]). Each product quantizes its float operand to uint8 the
// way DynamicQuantizeLinear does (X once for all steps, Ht-1 at every step) and runs the
// int8 GEMM; the result is scaled by a_scale * w_scale[n]. The time loop is the float
// LSTM's (ops/nn_lstm.h). Weights are packed once when they are constants.
#include <cstring>
#include <memory>
#include <vector>

#include "ops/dtype_switch.h"
#include "ops/nn_lstm.h"
#include "ops/quant_common.h"
#include "ops/quant_matmul.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

// One of W / R: per direction, the packed [K, 4H] matrix and its 4H column scales.
struct QuantWeight {
  std::vector<std::shared_ptr<PackedB>> packed;
  std::vector<std::vector<float>> scales;
  int64_t K = 0;
};

// Packs W or R (`what`) per direction with its scale and zero point, checked.
QuantWeight quant_weight(const Node& n, const char* what, const Tensor& w, const Tensor& scale0, const Tensor& zp) {
  QWASM_CHECK(is_byte(w.dtype()) && w.rank() == 3, n.label(), ": ", what, " must be a 3-D uint8 or int8 tensor, got ",
              dtype_name(w.dtype()), " ", shape_str(w.shape()));
  const int64_t dirs = w.dim(0), K = w.dim(1), G = w.dim(2);
  const Tensor scale = widen_half(scale0);
  const bool per_tensor = scale.shape() == Shape({dirs}) || (dirs == 1 && scale.size() == 1);
  QWASM_CHECK(scale.dtype() == DType::Float32 && (per_tensor || scale.shape() == Shape({dirs, G})), n.label(), ": ",
              what, "_scale must be float [", dirs, "] or [", dirs, ", ", G, "], got ", shape_str(scale.shape()));
  QWASM_CHECK(zp.dtype() == w.dtype() && zp.size() == scale.size(), n.label(), ": ", what, "_zero_point must be ",
              dtype_name(w.dtype()), " shaped like ", what, "_scale, got ", dtype_name(zp.dtype()), " ",
              shape_str(zp.shape()));
  QuantWeight q;
  q.K = K;
  const size_t bytes = size_t(K * G);
  for (int64_t d = 0; d < dirs; ++d) {
    Tensor wd(w.dtype(), {K, G});
    std::memcpy(wd.raw(), static_cast<const uint8_t*>(w.raw()) + d * K * G, bytes);
    const int64_t per = per_tensor ? 1 : G;
    Tensor zd(zp.dtype(), per_tensor ? Shape{} : Shape{G});
    std::memcpy(zd.raw(), static_cast<const uint8_t*>(zp.raw()) + d * per, size_t(per));
    q.packed.push_back(pack_b(n, wd, &zd));
    std::vector<float> s(static_cast<size_t>(G));
    for (int64_t j = 0; j < G; ++j) s[size_t(j)] = scale.data<float>()[d * per + (per_tensor ? 0 : j)];
    q.scales.push_back(std::move(s));
  }
  return q;
}

// out[M, G] = quantize_u8(a[M, K]) x W_d, scaled back to float (+ bias[G] when given).
void quant_product(OpContext& ctx, const QuantWeight& w, int64_t d, const float* a, int64_t M, const float* bias,
                   float* out) {
  const int64_t K = w.K, G = int64_t(w.scales[size_t(d)].size());
  const DynQuant qp = dynamic_qparams(a, M * K);
  Tensor aq(DType::UInt8, {M, K});
  quantize_u8(a, M * K, qp, aq.data<uint8_t>());
  Tensor za(DType::UInt8, {});
  za.data<uint8_t>()[0] = qp.zero_point;
  const IntMatMulShape s = int_matmul_shape(ctx.node(), {M, K}, {K, G});
  std::vector<int32_t> acc(size_t(M * G));
  int_matmul(ctx.parallel(), aq, &za, *w.packed[size_t(d)], s, acc.data());
  const float* ws = w.scales[size_t(d)].data();
  for (int64_t m = 0; m < M; ++m)
    for (int64_t j = 0; j < G; ++j)
      out[m * G + j] = float(acc[size_t(m * G + j)]) * (qp.scale * ws[j]) + (bias ? bias[j] : 0.0f);
}

struct QuantLstmGemms : LstmGemms {
  const QuantWeight *w, *r;
  void input(OpContext& ctx, const RnnProblem& p, int64_t d, const float* bias, std::vector<float>& xw) override {
    const int64_t M = p.seq * p.batch;
    xw.resize(size_t(M * p.gh()));
    if (M) quant_product(ctx, *w, d, p.x, M, bias, xw.data());
  }
  void recurrent(OpContext& ctx, const RnnProblem& p, int64_t d, const float* h, float* hr) override {
    quant_product(ctx, *r, d, h, p.batch, nullptr, hr);
  }
};

class DynamicQuantizeLstm : public OpKernel {
 public:
  explicit DynamicQuantizeLstm(const BuildContext& bc) : w_(const_weight(bc, 1, 8, 9)), r_(const_weight(bc, 2, 10, 11)) {}

  void compute(OpContext& ctx) override {
    const Node& n = ctx.node();
    const RnnProblem p = rnn_problem(ctx, 4, {"Sigmoid", "Tanh", "Tanh"}, true);
    std::shared_ptr<QuantWeight> w = w_, r = r_;
    if (!w) w = std::make_shared<QuantWeight>(quant_weight(n, "W", ctx.in(1), ctx.in(8), ctx.in(9)));
    if (!r) r = std::make_shared<QuantWeight>(quant_weight(n, "R", ctx.in(2), ctx.in(10), ctx.in(11)));
    QuantLstmGemms g;
    g.w = w.get(), g.r = r.get();
    lstm_run(ctx, p, g);
  }

 private:
  // The packed weight when the weight, its scale and zero point are all constants.
  static std::shared_ptr<QuantWeight> const_weight(const BuildContext& bc, size_t wi, size_t si, size_t zi) {
    const Tensor *w = bc.const_input(wi), *s = bc.const_input(si), *z = bc.const_input(zi);
    const char* what = wi == 1 ? "W" : "R";
    if (!w || !s || !z) return nullptr;
    return std::make_shared<QuantWeight>(quant_weight(bc.node, what, *w, *s, *z));
  }

  std::shared_ptr<QuantWeight> w_, r_;
};

}  // namespace

void register_nn_lstm_quant_ops(OpRegistry& r) {
  r.add("com.microsoft", "DynamicQuantizeLSTM", 1,
        [](const BuildContext& bc) { return std::make_unique<DynamicQuantizeLstm>(bc); });
}

}  // namespace qwasm
