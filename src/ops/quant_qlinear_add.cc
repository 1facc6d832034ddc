// com.microsoft QLinearAdd (A, A_scale, A_zp, B, B_scale, B_zp, C_scale, C_zp), per-tensor
// parameters, numpy broadcasting; C has A's type (uint8 or int8).
// The QDQ pass (graph/passes/fuse_qdq.cc) emits it for DQ(a) + DQ(b) -> Add -> Q, so it
// computes exactly what that float chain computes, in the same float operations:
//   c = saturate(round_half_even((float(a - za) * sa + float(b - zb) * sb) / sc) + zc)
// which makes the fused graph bit-identical to the unfused one. Each operand only has
// 256 possible dequantized values, so they come from two tables built per call.
// Optional qwasm attributes qwasm_act_lo / qwasm_act_hi narrow the output clamp: the
// pass folds a Relu / Clip between the Add and the QuantizeLinear into them (exact,
// because quantization is monotonic).
#include <cmath>

#include "ops/broadcast.h"
#include "ops/dispatch.h"
#include "ops/quant_common.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

enum In { kA, kAScale, kAZp, kB, kBScale, kBZp, kCScale, kCZp };

class QLinearAdd : public OpKernel {
 public:
  explicit QLinearAdd(const BuildContext& bc) : n_(bc.node) {}

  void compute(OpContext& ctx) override {
    const Tensor& a = ctx.in(kA);
    const Tensor& b = ctx.in(kB);
    QWASM_CHECK(is_byte(a.dtype()) && b.dtype() == a.dtype(), n_.label(), ": A and B must both be uint8 or both int8, got ",
                dtype_name(a.dtype()), " and ", dtype_name(b.dtype()));
    const float sa = scalar_scale(ctx, kAScale, "A_scale"), sb = scalar_scale(ctx, kBScale, "B_scale"),
                sc = scalar_scale(ctx, kCScale, "C_scale");
    const int32_t za = zero_point(ctx, kAZp, a.dtype(), "A_zero_point"), zb = zero_point(ctx, kBZp, a.dtype(), "B_zero_point"),
                  zc = zero_point(ctx, kCZp, a.dtype(), "C_zero_point");
    QRange r = qrange(a.dtype(), n_.label());
    r.lo = std::max<int32_t>(r.lo, int32_t(n_.attr_i("qwasm_act_lo", r.lo)));
    r.hi = std::min<int32_t>(r.hi, int32_t(n_.attr_i("qwasm_act_hi", r.hi)));
    // Indexed by the stored byte (int8 values reinterpreted as uint8).
    float ta[256], tb[256];
    const bool s8 = a.dtype() == DType::Int8;
    for (int v = 0; v < 256; ++v) {
      const int32_t q = s8 ? int32_t(int8_t(uint8_t(v))) : v;
      ta[v] = float(q - za) * sa;
      tb[v] = float(q - zb) * sb;
    }
    const Shape out = broadcast_shapes(a.shape(), b.shape(), n_.label());
    Tensor& c = ctx.output(0, a.dtype(), out);
    const float z = float(zc);
    auto op = [&](uint8_t x, uint8_t y) -> uint8_t {
      return uint8_t(round_clamp(std::nearbyint((ta[x] + tb[y]) / sc) + z, r.lo, r.hi));
    };
    broadcast_binary(static_cast<const uint8_t*>(a.raw()), a.shape(), static_cast<const uint8_t*>(b.raw()), b.shape(),
                     static_cast<uint8_t*>(c.raw()), out, op);
  }

 private:
  float scalar_scale(OpContext& ctx, int i, const char* name) const {
    const Tensor s = widen_half(ctx.in(size_t(i)));
    QWASM_CHECK(s.dtype() == DType::Float32 && s.size() == 1, n_.label(), ": ", name, " must be a float scalar, got ",
                dtype_name(s.dtype()), " ", shape_str(s.shape()));
    return s.data<float>()[0];
  }
  int32_t zero_point(OpContext& ctx, int i, DType t, const char* name) const {
    const Tensor* z = ctx.input(size_t(i));
    if (!z) return 0;
    QWASM_CHECK(z->dtype() == t && z->size() == 1, n_.label(), ": ", name, " must be a ", dtype_name(t), " scalar, got ",
                dtype_name(z->dtype()), " ", shape_str(z->shape()));
    return byte_at(*z, 0);
  }

  const Node& n_;
};

}  // namespace

void register_quant_qlinear_add_ops(OpRegistry& r) {
  r.add("com.microsoft", "QLinearAdd", 1, [](const BuildContext& bc) { return std::make_unique<QLinearAdd>(bc); });
}

}  // namespace qwasm
