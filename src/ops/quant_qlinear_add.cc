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
#include "ops/broadcast.h"
#include "ops/dtype_switch.h"
#include "ops/quant_common.h"
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
    table_.resize(65536);
    for (int x = 0; x < 256; ++x)
      for (int y = 0; y < 256; ++y) table_[size_t(x * 256 + y)] = q.apply(uint8_t(x), uint8_t(y));
    table_type_ = t;
  }

  void compute(OpContext& ctx) override {
    const Tensor& a = ctx.in(kA);
    const Tensor& b = ctx.in(kB);
    QWASM_CHECK(is_byte(a.dtype()) && b.dtype() == a.dtype(), n_.label(), ": A and B must both be uint8 or both int8, got ",
                dtype_name(a.dtype()), " and ", dtype_name(b.dtype()));
    const Shape out = broadcast_shapes(a.shape(), b.shape(), n_.label());
    Tensor& c = ctx.output(0, a.dtype(), out);
    const uint8_t* ap = static_cast<const uint8_t*>(a.raw());
    const uint8_t* bp = static_cast<const uint8_t*>(b.raw());
    uint8_t* cp = static_cast<uint8_t*>(c.raw());
    if (!table_.empty() && table_type_ == a.dtype()) {
      const uint8_t* t = table_.data();
      broadcast_binary(ap, a.shape(), bp, b.shape(), cp, out,
                       [t](uint8_t x, uint8_t y) -> uint8_t { return t[size_t(x) * 256 + y]; });
      return;
    }
    const Params q = params(a.dtype(), widen_half(ctx.in(kAScale)), ctx.input(kAZp), widen_half(ctx.in(kBScale)),
                            ctx.input(kBZp), widen_half(ctx.in(kCScale)), ctx.input(kCZp));
    broadcast_binary(ap, a.shape(), bp, b.shape(), cp, out, [&q](uint8_t x, uint8_t y) { return q.apply(x, y); });
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
    const float a_s = scalar_scale(sa, "A_scale"), b_s = scalar_scale(sb, "B_scale");
    p.sc = scalar_scale(sc, "C_scale");
    const int32_t a_z = zero_point(za, t, "A_zero_point"), b_z = zero_point(zb, t, "B_zero_point");
    p.zc = float(zero_point(zc, t, "C_zero_point"));
    p.r = qrange(t, n_.label());
    p.r.lo = std::max<int32_t>(p.r.lo, int32_t(n_.attr_i(kAttrActLo, p.r.lo)));
    p.r.hi = std::min<int32_t>(p.r.hi, int32_t(n_.attr_i(kAttrActHi, p.r.hi)));
    p.qdq_rounding = n_.attr_i(kAttrQdqRounding, 0) != 0;
    const bool s8 = t == DType::Int8;
    for (int v = 0; v < 256; ++v) {
      const int32_t q = s8 ? int32_t(int8_t(uint8_t(v))) : v;
      p.ta[v] = float(q - a_z) * a_s;
      p.tb[v] = float(q - b_z) * b_s;
    }
    return p;
  }

  float scalar_scale(const Tensor& s0, const char* name) const {
    const Tensor s = widen_half(s0);
    QWASM_CHECK(s.dtype() == DType::Float32 && s.size() == 1, n_.label(), ": ", name, " must be a float scalar, got ",
                dtype_name(s.dtype()), " ", shape_str(s.shape()));
    return s.data<float>()[0];
  }
  int32_t zero_point(const Tensor* z, DType t, const char* name) const {
    if (!z) return 0;
    QWASM_CHECK(z->dtype() == t && z->size() == 1, n_.label(), ": ", name, " must be a ", dtype_name(t), " scalar, got ",
                dtype_name(z->dtype()), " ", shape_str(z->shape()));
    return byte_at(*z, 0);
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
