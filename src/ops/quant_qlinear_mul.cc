// com.microsoft QLinearMul (A, A_scale, A_zp?, B, B_scale, B_zp?, C_scale, C_zp?), per-tensor
// parameters, numpy broadcasting; C has A's type (uint8 or int8):
//   v = ((a - za) * sa) * ((b - zb) * sb) / sc,  c = round_half_even(clamp(v, lo - zc, hi - zc) + zc)
// in float, as onnxruntime computes it (its portable kernel, the one onnxruntime-web runs).
// The table and the broadcast run are ops/quant_qlinear_binary.h's.
#include <algorithm>
#include <cmath>
#include <memory>

#include "ops/quant_qlinear_binary.h"

namespace qwasm {
namespace {

struct MulRule {
  QLinearBinaryParams p;

  MulRule(const QLinearBinaryParams& params, const Node&) : p(params) {}

  // Clamped before the zero point is added and rounded after: at exact halves this differs
  // from round-then-add (the suite's ties_qlmul_* cases tell them apart).
  uint8_t apply(uint8_t x, uint8_t y) const {
    const float v = p.ta[x] * p.tb[y] / p.sc;
    // A NaN (a zero or NaN scale) passes onnxruntime's min / max and converts to the byte 0,
    // not to the zero point (the suite's zero_cscale_* cases).
    if (std::isnan(v)) return 0;
    const float c = std::min(std::max(v, float(p.r.lo - p.zc)), float(p.r.hi - p.zc));
    return byte_of(int32_t(std::nearbyint(c + float(p.zc))));
  }
};

}  // namespace

void register_quant_qlinear_mul_ops(OpRegistry& r) {
  r.add("com.microsoft", "QLinearMul", 1,
        [](const BuildContext& bc) { return std::make_unique<QLinearBinaryKernel<MulRule>>(bc); });
}

}  // namespace qwasm
