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
// Each operand only has 256 possible dequantized values; with constant parameters the whole
// function of the two bytes is tabulated when the session is built.
// Optional private attributes kAttrActLo / kAttrActHi narrow the output clamp: the pass folds
// a Relu / Clip between the Add and the QuantizeLinear into them (exact, because quantization
// is monotonic).
#include <algorithm>
#include <cmath>
#include <vector>

#include "graph/private_attrs.h"
#include "ops/quant_qlinear_params.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

enum In { kA, kAScale, kAZp, kB, kBScale, kBZp, kCScale, kCZp };

class QLinearAdd : public OpKernel {
 public:
  // With constant parameters (always, after the QDQ pass) every (a, b) byte pair's
  // result is tabulated once: 64 KiB, and each output is then one lookup.
  explicit QLinearAdd(const BuildContext& bc) : n_(bc.node) {
    const Tensor* p[6];
    const int slots[6] = {kAScale, kAZp, kBScale, kBZp, kCScale, kCZp};
    for (int i = 0; i < 6; ++i)
      if (!(p[i] = bc.const_input(size_t(slots[i])))) return;  // (zero points give the type)
    const DType t = p[1]->dtype();
    if (!is_byte(t) || p[3]->dtype() != t || p[5]->dtype() != t) return;
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
  // The dequantized value of each stored byte (int8 reinterpreted as uint8) per operand.
  struct Params {
    float ta[256], tb[256], sc, zc;
    QRange r;
    bool qdq_rounding;
    uint8_t apply(uint8_t x, uint8_t y) const {
      const float v = (ta[x] + tb[y]) / sc;
      if (qdq_rounding) return uint8_t(round_clamp(std::nearbyint(v) + zc, r.lo, r.hi));
      // onnxruntime clamps before adding the zero point and rounds after. (A NaN, from a zero
      // or NaN scale, passes its min / max and becomes the byte 0, as round_clamp makes it:
      // the suite's zero_cscale_* cases.)
      const float c = std::min(std::max(v, float(r.lo) - zc), float(r.hi) - zc);
      return uint8_t(round_clamp(c + zc, r.lo, r.hi));
    }
  };

  Params params(DType t, const Tensor& sa, const Tensor* za, const Tensor& sb, const Tensor* zb, const Tensor& sc,
                const Tensor* zc) const {
    Params p;
    const float a_s = qlinear_scale(sa, n_, "A_scale"), b_s = qlinear_scale(sb, n_, "B_scale");
    p.sc = qlinear_scale(sc, n_, "C_scale");
    const int32_t a_z = qlinear_zero_point(za, t, n_, "A_zero_point"), b_z = qlinear_zero_point(zb, t, n_, "B_zero_point");
    p.zc = float(qlinear_zero_point(zc, t, n_, "C_zero_point"));
    p.r = qrange(t, n_.label());
    p.r.lo = std::max<int32_t>(p.r.lo, int32_t(n_.attr_i(kAttrActLo, p.r.lo)));
    p.r.hi = std::min<int32_t>(p.r.hi, int32_t(n_.attr_i(kAttrActHi, p.r.hi)));
    p.qdq_rounding = n_.attr_i(kAttrQdqRounding, 0) != 0;
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

void register_quant_qlinear_add_ops(OpRegistry& r) {
  r.add("com.microsoft", "QLinearAdd", 1, [](const BuildContext& bc) { return std::make_unique<QLinearAdd>(bc); });
}

}  // namespace qwasm
