// com.microsoft QLinearConcat (Y_scale, Y_zero_point, then X_i, X_scale_i, X_zero_point_i for
// each input), attribute axis; all tensors share Y_zero_point's type (uint8 or int8). Each
// input is requantized to Y's parameters as onnxruntime does it,
//   y = saturate(round_half_even(((x - zx) * sx) / sy) + zy),
// through a 256-entry table per input: built at load when that input's parameters are
// constant (the usual form), else per run.
#include <memory>
#include <vector>

#include "graph/shape.h"
#include "ops/quant_qlinear_params.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

class QLinearConcat : public OpKernel {
 public:
  explicit QLinearConcat(const BuildContext& bc) : n_(bc.node), axis_(bc.node.attr_i("axis")) {
    const size_t ni = n_.inputs.size();
    QWASM_CHECK(ni >= 5 && (ni - 2) % 3 == 0, n_.label(),
                ": expected Y_scale, Y_zero_point and a (X, X_scale, X_zero_point) triple per input, got ", ni,
                " inputs");
    const Tensor* sy = bc.const_input(0);
    const Tensor* zy = bc.const_input(1);
    if (sy) qlinear_scale(*sy, n_, "Y_scale");
    if (zy) QWASM_CHECK(is_byte(zy->dtype()), n_.label(), ": Y_zero_point must be uint8 or int8, got ",
                        dtype_name(zy->dtype()));
    tables_.resize((ni - 2) / 3);
    for (size_t i = 0; i < tables_.size(); ++i) {
      const Tensor* sx = bc.const_input(3 + 3 * i);
      const Tensor* zx = bc.const_input(4 + 3 * i);
      if (sx) qlinear_scale(*sx, n_, "X_scale");
      if (sy && zy && sx && zx && is_byte(zy->dtype())) {
        tables_[i].type = zy->dtype();
        build(tables_[i].bytes, zy->dtype(), *sx, zx, *sy, zy);
      }
    }
  }

  void compute(OpContext& ctx) override {
    const Tensor* zy = ctx.input(1);
    QWASM_CHECK(zy, n_.label(), ": Y_zero_point is required (it gives the output type)");
    const DType t = zy->dtype();
    QWASM_CHECK(is_byte(t), n_.label(), ": Y_zero_point must be uint8 or int8, got ", dtype_name(t));
    const size_t count = tables_.size();
    const Tensor& x0 = ctx.in(2);
    const size_t axis = size_t(normalize_axis(axis_, x0.rank(), n_.label()));
    Shape out = x0.shape();
    out[axis] = 0;
    for (size_t i = 0; i < count; ++i) {
      const Tensor& x = ctx.in(2 + 3 * i);
      QWASM_CHECK(x.dtype() == t, n_.label(), ": input ", i, " has type ", dtype_name(x.dtype()), ", expected ",
                  dtype_name(t));
      QWASM_CHECK(x.rank() == x0.rank(), n_.label(), ": input ", i, " has shape ", shape_str(x.shape()),
                  ", rank differs from input 0's ", shape_str(x0.shape()));
      for (size_t d = 0; d < size_t(x.rank()); ++d)
        QWASM_CHECK(d == axis || x.dim(d) == x0.dim(d), n_.label(), ": input ", i, " has shape ",
                    shape_str(x.shape()), ", which differs from input 0's ", shape_str(x0.shape()),
                    " off the axis");
      out[axis] += x.dim(axis);
    }
    Tensor& y = ctx.output(0, t, out);
    int64_t outer = 1, inner = 1;
    for (size_t d = 0; d < axis; ++d) outer *= out[d];
    for (size_t d = axis + 1; d < out.size(); ++d) inner *= out[d];
    const int64_t row = out[axis] * inner;  // bytes of one outer slice of Y
    uint8_t* yp = static_cast<uint8_t*>(y.raw());
    int64_t offset = 0;
    for (size_t i = 0; i < count; ++i) {
      const Tensor& x = ctx.in(2 + 3 * i);
      uint8_t local[256];
      const uint8_t* table = tables_[i].bytes;
      if (tables_[i].type != t) {
        build(local, t, ctx.in(3 + 3 * i), ctx.input(4 + 3 * i), ctx.in(0), zy);
        table = local;
      }
      const int64_t chunk = x.dim(axis) * inner;
      const uint8_t* xp = static_cast<const uint8_t*>(x.raw());
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t k = 0; k < chunk; ++k) yp[o * row + offset + k] = table[xp[o * chunk + k]];
      offset += chunk;
    }
  }

 private:
  struct Table {
    uint8_t bytes[256] = {};  // [x byte] -> y byte, valid for `type`
    DType type = DType::Undefined;
  };

  void build(uint8_t* table, DType t, const Tensor& sx, const Tensor* zx, const Tensor& sy, const Tensor* zy) const {
    const float x_s = qlinear_scale(sx, n_, "X_scale"), y_s = qlinear_scale(sy, n_, "Y_scale");
    const int32_t x_z = qlinear_zero_point(zx, t, n_, "X_zero_point");
    const int32_t y_z = qlinear_zero_point(zy, t, n_, "Y_zero_point");
    const QRange r = qrange(t, n_.label());
    for (int v = 0; v < 256; ++v) table[v] = quantize_byte(float(byte_value(t, v) - x_z) * x_s, y_s, y_z, r);
  }

  const Node& n_;
  int64_t axis_;
  std::vector<Table> tables_;
};

}  // namespace

void register_quant_qlinear_concat_ops(OpRegistry& r) {
  r.add("com.microsoft", "QLinearConcat", 1,
        [](const BuildContext& bc) { return std::make_unique<QLinearConcat>(bc); });
}

}  // namespace qwasm
