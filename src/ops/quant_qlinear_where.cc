// com.microsoft QLinearWhere (condition, X, x_scale, x_zero_point, Y, y_scale, y_zero_point,
// z_scale, z_zero_point), per-tensor parameters, numpy broadcasting of all three data inputs;
// Z has z_zero_point's type, which X and Y share. Z = condition ? X' : Y', where X' and Y' are
// X and Y requantized to Z's parameters as onnxruntime does it,
//   saturate(round_half_even(((v - zv) * sv) / sz) + zz),
// each through a 256-entry table built at load when its parameters are constant.
#include <memory>

#include "ops/broadcast.h"
#include "ops/quant_qlinear_params.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

enum In { kCond, kX, kXScale, kXZp, kY, kYScale, kYZp, kZScale, kZZp };

class QLinearWhere : public OpKernel {
 public:
  explicit QLinearWhere(const BuildContext& bc) : n_(bc.node) {
    const Tensor* sz = bc.const_input(kZScale);
    const Tensor* zz = bc.const_input(kZZp);
    if (sz) qlinear_scale(*sz, n_, "z_scale");
    if (zz) QWASM_CHECK(is_byte(zz->dtype()), n_.label(), ": z_zero_point must be uint8 or int8, got ",
                        dtype_name(zz->dtype()));
    for (int i = 0; i < 2; ++i) {
      const Tensor* sv = bc.const_input(i ? kYScale : kXScale);
      const Tensor* zv = bc.const_input(i ? kYZp : kXZp);
      if (sv) qlinear_scale(*sv, n_, i ? "y_scale" : "x_scale");
      if (sv && zv && sz && zz && is_byte(zz->dtype())) {
        tables_[i].type = zz->dtype();
        build(tables_[i].bytes, zz->dtype(), *sv, zv, i ? "y_zero_point" : "x_zero_point", *sz, zz);
      }
    }
  }

  void compute(OpContext& ctx) override {
    const Tensor& c = ctx.in(kCond);
    const Tensor& x = ctx.in(kX);
    const Tensor& y = ctx.in(kY);
    const Tensor& zz = ctx.in(kZZp);
    const DType t = zz.dtype();
    QWASM_CHECK(c.dtype() == DType::Bool, n_.label(), ": condition must be bool, got ", dtype_name(c.dtype()));
    QWASM_CHECK(is_byte(t) && x.dtype() == t && y.dtype() == t, n_.label(),
                ": X, Y and z_zero_point must share one type, uint8 or int8; got ", dtype_name(x.dtype()), ", ",
                dtype_name(y.dtype()), " and ", dtype_name(t));
    uint8_t local[2][256];
    const uint8_t* tab[2];
    for (int i = 0; i < 2; ++i) {
      tab[i] = tables_[i].bytes;
      if (tables_[i].type != t) {
        build(local[i], t, ctx.in(i ? kYScale : kXScale), ctx.input(i ? kYZp : kXZp),
              i ? "y_zero_point" : "x_zero_point", ctx.in(kZScale), &zz);
        tab[i] = local[i];
      }
    }
    const Shape out = broadcast_all({&c.shape(), &x.shape(), &y.shape()}, n_.label());
    Tensor& z = ctx.output(0, t, out);
    const uint8_t *tx = tab[0], *ty = tab[1];
    broadcast_ternary(static_cast<const uint8_t*>(c.raw()), c.shape(), static_cast<const uint8_t*>(x.raw()),
                      x.shape(), static_cast<const uint8_t*>(y.raw()), y.shape(), static_cast<uint8_t*>(z.raw()),
                      out, [tx, ty](uint8_t k, uint8_t a, uint8_t b) { return k ? tx[a] : ty[b]; });
  }

 private:
  struct Table {
    uint8_t bytes[256] = {};  // [v byte] -> z byte, valid for `type`
    DType type = DType::Undefined;
  };

  void build(uint8_t* table, DType t, const Tensor& sv, const Tensor* zv, const char* zv_name, const Tensor& sz,
             const Tensor* zz) const {
    const float v_s = qlinear_scale(sv, n_, "x_scale / y_scale"), z_s = qlinear_scale(sz, n_, "z_scale");
    const int32_t v_z = qlinear_zero_point(zv, t, n_, zv_name);
    const int32_t z_z = qlinear_zero_point(zz, t, n_, "z_zero_point");
    const QRange r = qrange(t, n_.label());
    for (int v = 0; v < 256; ++v) table[v] = quantize_byte(float(byte_value(t, v) - v_z) * v_s, z_s, z_z, r);
  }

  const Node& n_;
  Table tables_[2];
};

}  // namespace

void register_quant_qlinear_where_ops(OpRegistry& r) {
  r.add("com.microsoft", "QLinearWhere", 1, [](const BuildContext& bc) { return std::make_unique<QLinearWhere>(bc); });
}

}  // namespace qwasm
