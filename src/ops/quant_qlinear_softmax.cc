// com.microsoft QLinearSoftmax (X, X_scale, X_zero_point?, Y_scale, Y_zero_point?), attributes
// opset (required: below 13 the softmax runs over the flattened dims from `axis` on, from 13
// over `axis` alone) and axis (default -1 whatever the opset: the schema's default, which
// onnxruntime reads). Y has X's type.
// Computed as onnxruntime does, so results match it bit for bit:
//  - exp is tabulated per byte difference from the row maximum, in float, with every entry
//    scaled by one large factor e^shift (shift = max(0, ln(FLT_MAX / D) - 5), in float as
//    libc++'s log(float) gives it) so that the float sum of D entries cannot overflow:
//      e[d] = float(exp((d + shift / X_scale) * X_scale)), d = x - max(x) in [-255, 0];
//    X's zero point cancels out and is not read;
//  - y = round_half_even(e * floor(1 / Y_scale) / sum(e)) + Y_zero_point, summed in
//    element order, saturated. (onnxruntime's int8 path does not saturate at 127 and wraps
//    a probability that rounds to 1 with Y_zero_point -128; this saturates it to 127.)
#include <cfloat>
#include <cmath>
#include <memory>
#include <vector>

#include "graph/shape.h"
#include "ops/quant_qlinear_params.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

enum In { kX, kXScale, kXZp, kYScale, kYZp };

class QLinearSoftmax : public OpKernel {
 public:
  explicit QLinearSoftmax(const BuildContext& bc) : n_(bc.node) {
    QWASM_CHECK(n_.has_attr("opset"), n_.label(), ": the opset attribute is required");
    opset_ = n_.attr_i("opset");
    axis_ = n_.attr_i("axis", -1);
    if (const Tensor* s = bc.const_input(kXScale)) qlinear_scale(*s, n_, "X_scale");
    if (const Tensor* s = bc.const_input(kYScale)) qlinear_scale(*s, n_, "Y_scale");
  }

  void compute(OpContext& ctx) override {
    const Tensor& x = ctx.in(kX);
    const DType t = x.dtype();
    QWASM_CHECK(is_byte(t), n_.label(), ": X must be uint8 or int8, got ", dtype_name(t));
    Tensor& y = ctx.output(0, t, x.shape());
    if (x.size() == 0) return;
    const float xs = qlinear_scale(ctx.in(kXScale), n_, "X_scale");
    const float ys = qlinear_scale(ctx.in(kYScale), n_, "Y_scale");
    const int32_t yz = qlinear_zero_point(ctx.input(kYZp), t, n_, "Y_zero_point");
    const QRange r = qrange(t, n_.label());
    const size_t axis = size_t(normalize_axis(axis_, x.rank(), n_.label()));
    int64_t outer = 1, d = 1, inner = 1;
    for (size_t i = 0; i < size_t(x.rank()); ++i)
      (i < axis ? outer : i == axis || opset_ < 13 ? d : inner) *= x.dim(i);
    const float* e = table(xs, d);
    const float y_mult = std::floor(1.0f / ys);

    const bool s8 = t == DType::Int8;
    const uint8_t* xp = static_cast<const uint8_t*>(x.raw());
    uint8_t* yp = static_cast<uint8_t*>(y.raw());
    auto value = [s8](uint8_t b) { return s8 ? int32_t(int8_t(b)) : int32_t(b); };
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t in = 0; in < inner; ++in) {
        const int64_t base = o * d * inner + in;
        int32_t mx = value(xp[base]);
        for (int64_t k = 1; k < d; ++k) mx = std::max(mx, value(xp[base + k * inner]));
        float sum = 0.f;
        for (int64_t k = 0; k < d; ++k) sum += e[255 + value(xp[base + k * inner]) - mx];
        for (int64_t k = 0; k < d; ++k) {
          const float v = e[255 + value(xp[base + k * inner]) - mx];
          const float q = std::nearbyint(v * y_mult / sum) + float(yz);
          yp[base + k * inner] = byte_of(q <= float(r.lo) ? r.lo : q >= float(r.hi) ? r.hi : int32_t(q));
        }
      }
  }

 private:
  // e[255 + diff] for diff = x - max in [-255, 0], for this X_scale and reduced length.
  const float* table(float x_scale, int64_t d) {
    if (table_d_ == d && table_scale_ == x_scale) return table_;
    const float headroom = std::log(FLT_MAX / float(d));
    const double shift = std::max(0.0, double(headroom) - 5.0) / double(x_scale);
    for (int i = 0; i < 256; ++i) table_[i] = float(std::exp((double(i) - 255.0 + shift) * double(x_scale)));
    table_d_ = d;
    table_scale_ = x_scale;
    return table_;
  }

  const Node& n_;
  int64_t opset_ = 13, axis_ = -1;
  float table_[256] = {};
  int64_t table_d_ = -1;
  float table_scale_ = 0.f;
};

}  // namespace

void register_quant_qlinear_softmax_ops(OpRegistry& r) {
  r.add("com.microsoft", "QLinearSoftmax", 1,
        [](const BuildContext& bc) { return std::make_unique<QLinearSoftmax>(bc); });
}

}  // namespace qwasm
