// com.microsoft QLinearAdd (A, A_scale, A_zp, B, B_scale, B_zp, C_scale, C_zp), per-tensor
// parameters, numpy broadcasting; C has A's type (uint8 or int8). Both roundings start from
//   v = (float(a - za) * sa + float(b - zb) * sb) / sc
// in float, and differ where v + zc is an exact half (odd zc), by one quantum:
//  - as onnxruntime's kernel (the portable one onnxruntime-web runs), for a model's own node:
//      c = round_half_even(clamp(v, lo - zc, hi - zc) + zc)
//  - as DQ(a) + DQ(b) -> Add -> Q computes it, when the node carries kAttrQdqRounding
//    (graph/private_attrs.h), which the QDQ pass (graph/passes/fuse_qdq.cc) sets on the
//    QLinearAdd it emits, so the fused graph stays bit-identical to the unfused one:
//      c = saturate(round_half_even(v) + zc)
// The table and the broadcast run are ops/quant_qlinear_binary.h's.
// Optional private attributes kAttrActLo / kAttrActHi narrow the output clamp: the pass folds
// a Relu / Clip between the Add and the QuantizeLinear into them (exact, because quantization
// is monotonic).
#include <algorithm>
#include <cmath>
#include <memory>

#include "graph/private_attrs.h"
#include "ops/quant_qlinear_binary.h"

namespace qwasm {
namespace {

struct AddRule {
  QLinearBinaryParams p;
  float zc;
  bool qdq_rounding;

  AddRule(const QLinearBinaryParams& params, const Node& n)
      : p(params), zc(float(params.zc)), qdq_rounding(n.attr_i(kAttrQdqRounding, 0) != 0) {
    p.r.lo = std::max<int32_t>(p.r.lo, int32_t(n.attr_i(kAttrActLo, p.r.lo)));
    p.r.hi = std::min<int32_t>(p.r.hi, int32_t(n.attr_i(kAttrActHi, p.r.hi)));
  }

  uint8_t apply(uint8_t x, uint8_t y) const {
    const float v = (p.ta[x] + p.tb[y]) / p.sc;
    if (qdq_rounding) return uint8_t(round_clamp(std::nearbyint(v) + zc, p.r.lo, p.r.hi));
    // onnxruntime clamps before adding the zero point and rounds after. (A NaN, from a zero
    // or NaN scale, passes its min / max and becomes the byte 0, as round_clamp makes it:
    // the suite's zero_cscale_* cases.)
    const float c = std::min(std::max(v, float(p.r.lo) - zc), float(p.r.hi) - zc);
    return uint8_t(round_clamp(c + zc, p.r.lo, p.r.hi));
  }
};

}  // namespace

void register_quant_qlinear_add_ops(OpRegistry& r) {
  r.add("com.microsoft", "QLinearAdd", 1,
        [](const BuildContext& bc) { return std::make_unique<QLinearBinaryKernel<AddRule>>(bc); });
}

}  // namespace qwasm
