// com.microsoft QLinearMul (A, A_scale, A_zp?, B, B_scale, B_zp?, C_scale, C_zp?), per-tensor
// parameters, numpy broadcasting; C has A's type (uint8 or int8):
//   v = ((a - za) * sa) * ((b - zb) * sb) / sc,  c = round_half_even(clamp(v, lo - zc, hi - zc) + zc)
// in float, as onnxruntime computes it (its portable kernel, the one onnxruntime-web runs). With constant parameters every (a, b) byte pair's
// result is tabulated at load (64 KiB) and each output is one lookup.
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "ops/quant_qlinear_params.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

enum In { kA, kAScale, kAZp, kB, kBScale, kBZp, kCScale, kCZp };

class QLinearMul : public OpKernel {
 public:
  explicit QLinearMul(const BuildContext& bc) : n_(bc.node) {
    const Tensor* p[6];
    const int slots[6] = {kAScale, kAZp, kBScale, kBZp, kCScale, kCZp};
    for (int i = 0; i < 6; ++i) p[i] = bc.const_input(size_t(slots[i]));
    for (int i : {0, 2, 4})
      if (p[i]) qlinear_scale(*p[i], n_, i == 0 ? "A_scale" : i == 2 ? "B_scale" : "C_scale");
    for (int i = 0; i < 6; ++i)
      if (!p[i]) return;  // (zero points give the type)
    const DType t = p[1]->dtype();
    if (!is_byte(t)) return;
    const Params q = params(t, *p[0], p[1], *p[2], p[3], *p[4], p[5]);
    table_ = byte_pair_table([&q](uint8_t x, uint8_t y) { return q.apply(x, y); });
    table_type_ = t;
  }

  void compute(OpContext& ctx) override {
    run_qlinear_binary(ctx, n_, table_, table_type_, [&](DType t) {
      return params(t, ctx.in(kAScale), ctx.input(kAZp), ctx.in(kBScale), ctx.input(kBZp), ctx.in(kCScale),
                    ctx.input(kCZp));
    });
  }

 private:
  // The dequantized value of each stored byte per operand.
  struct Params {
    float ta[256], tb[256], sc;
    int32_t zc;
    QRange r;
    // Clamped before the zero point is added and rounded after: at exact halves this differs
    // from round-then-add (the suite's ties_qlmul_* cases tell them apart).
    uint8_t apply(uint8_t x, uint8_t y) const {
      const float v = ta[x] * tb[y] / sc;
      // A NaN (a zero or NaN scale) passes onnxruntime's min / max and converts to the byte 0,
      // not to the zero point (the suite's zero_cscale_* cases).
      if (std::isnan(v)) return 0;
      const float c = std::min(std::max(v, float(r.lo - zc)), float(r.hi - zc));
      return byte_of(int32_t(std::nearbyint(c + float(zc))));
    }
  };

  Params params(DType t, const Tensor& sa, const Tensor* za, const Tensor& sb, const Tensor* zb, const Tensor& sc,
                const Tensor* zc) const {
    Params p;
    const float a_s = qlinear_scale(sa, n_, "A_scale"), b_s = qlinear_scale(sb, n_, "B_scale");
    p.sc = qlinear_scale(sc, n_, "C_scale");
    const int32_t a_z = qlinear_zero_point(za, t, n_, "A_zero_point");
    const int32_t b_z = qlinear_zero_point(zb, t, n_, "B_zero_point");
    p.zc = qlinear_zero_point(zc, t, n_, "C_zero_point");
    p.r = qrange(t, n_.label());
    for (int v = 0; v < 256; ++v) {
      p.ta[v] = float(byte_value(t, v) - a_z) * a_s;
      p.tb[v] = float(byte_value(t, v) - b_z) * b_s;
    }
    return p;
  }

  const Node& n_;
  std::vector<uint8_t> table_;  // [a byte * 256 + b byte] -> c byte, when parameters are constant
  DType table_type_ = DType::Undefined;
};

}  // namespace

void register_quant_qlinear_mul_ops(OpRegistry& r) {
  r.add("com.microsoft", "QLinearMul", 1, [](const BuildContext& bc) { return std::make_unique<QLinearMul>(bc); });
}

}  // namespace qwasm
