// com.microsoft QLinearSigmoid and QLinearLeakyRelu (X, X_scale, X_zero_point?, Y_scale,
// Y_zero_point?), per-tensor parameters; Y has X's type (uint8 or int8).
//   y = saturate(round_half_even(f((x - zx) * sx) / sy) + zy)
// A byte input has only 256 values, so the op is a 256-entry table: built once at load
// when the parameters are constant (the form onnxruntime's quantizer emits), else per run.
#include <cmath>
#include <memory>

#include "ops/quant_qlinear_params.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

enum In { kX, kXScale, kXZp, kYScale, kYZp };

using FloatFn = float (*)(float x, float alpha);

float sigmoid(float x, float) { return float(1.0 / (1.0 + std::exp(-double(x)))); }
float leaky_relu(float x, float alpha) { return x >= 0.f ? x : x * alpha; }

class QLinearUnary : public OpKernel {
 public:
  QLinearUnary(const BuildContext& bc, FloatFn f, float alpha) : n_(bc.node), f_(f), alpha_(alpha) {
    const Tensor* sx = bc.const_input(kXScale);
    const Tensor* sy = bc.const_input(kYScale);
    const Tensor* zx = bc.const_input(kXZp);
    const Tensor* zy = bc.const_input(kYZp);
    if (sx) qlinear_scale(*sx, n_, "X_scale");  // rejects a bad model at load
    if (sy) qlinear_scale(*sy, n_, "Y_scale");
    // The zero points give the type; without them it is only known at run time.
    if (!sx || !sy || !zx || !zy || !is_byte(zx->dtype())) return;
    table_type_ = zx->dtype();
    build(table_, table_type_, *sx, zx, *sy, zy);
  }

  void compute(OpContext& ctx) override {
    const Tensor& x = ctx.in(kX);
    QWASM_CHECK(is_byte(x.dtype()), n_.label(), ": X must be uint8 or int8, got ", dtype_name(x.dtype()));
    uint8_t local[256];
    const uint8_t* t = table_;
    if (table_type_ != x.dtype()) {
      build(local, x.dtype(), ctx.in(kXScale), ctx.input(kXZp), ctx.in(kYScale), ctx.input(kYZp));
      t = local;
    }
    Tensor& y = ctx.output(0, x.dtype(), x.shape());
    const uint8_t* xp = static_cast<const uint8_t*>(x.raw());
    uint8_t* yp = static_cast<uint8_t*>(y.raw());
    for (int64_t i = 0, n = x.size(); i < n; ++i) yp[i] = t[xp[i]];
  }

 private:
  void build(uint8_t* table, DType t, const Tensor& sx, const Tensor* zx, const Tensor& sy, const Tensor* zy) const {
    const float x_s = qlinear_scale(sx, n_, "X_scale"), y_s = qlinear_scale(sy, n_, "Y_scale");
    const int32_t x_z = qlinear_zero_point(zx, t, n_, "X_zero_point");
    const int32_t y_z = qlinear_zero_point(zy, t, n_, "Y_zero_point");
    const QRange r = qrange(t, n_.label());
    for (int v = 0; v < 256; ++v) {
      const float x = float(byte_value(t, v) - x_z) * x_s;
      table[v] = quantize_byte(f_(x, alpha_), y_s, y_z, r);
    }
  }

  const Node& n_;
  FloatFn f_;
  float alpha_;
  uint8_t table_[256] = {};  // [x byte] -> y byte, valid for table_type_
  DType table_type_ = DType::Undefined;
};

}  // namespace

void register_quant_qlinear_unary_ops(OpRegistry& r) {
  r.add("com.microsoft", "QLinearSigmoid", 1,
        [](const BuildContext& bc) { return std::make_unique<QLinearUnary>(bc, sigmoid, 0.f); });
  r.add("com.microsoft", "QLinearLeakyRelu", 1, [](const BuildContext& bc) {
    return std::make_unique<QLinearUnary>(bc, leaky_relu, bc.node.attr_f("alpha", 0.01f));
  });
}

}  // namespace qwasm
