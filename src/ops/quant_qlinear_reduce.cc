// com.microsoft QLinearReduceMean (data, data_scale, data_zero_point?, reduced_scale,
// reduced_zero_point?), attributes axes (required) and keepdims (required); per-tensor
// parameters, the output has data's type. onnxruntime has no CPU kernel for it, so it follows
// QLinearGlobalAveragePool's arithmetic (which is a ReduceMean over the spatial axes):
//   acc = sum(x) - zx * n  (int32, exact),  y = saturate(round_half_even(float(acc) * (sx / (sy * n))) + zy)
// with n the number of elements reduced into each output.
#include <cmath>
#include <memory>
#include <vector>

#include "graph/shape.h"
#include "ops/quant_qlinear_params.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

enum In { kX, kXScale, kXZp, kYScale, kYZp };

class QLinearReduceMean : public OpKernel {
 public:
  explicit QLinearReduceMean(const BuildContext& bc) : n_(bc.node) {
    QWASM_CHECK(n_.has_attr("axes") && n_.has_attr("keepdims"), n_.label(),
                ": the axes and keepdims attributes are required");
    axes_ = n_.attr_ints("axes");
    keepdims_ = n_.attr_i("keepdims") != 0;
    QWASM_CHECK(!axes_.empty(), n_.label(), ": axes must not be empty");
    if (const Tensor* s = bc.const_input(kXScale)) qlinear_scale(*s, n_, "data_scale");
    if (const Tensor* s = bc.const_input(kYScale)) qlinear_scale(*s, n_, "reduced_scale");
  }

  void compute(OpContext& ctx) override {
    const Tensor& x = ctx.in(kX);
    const DType t = x.dtype();
    QWASM_CHECK(is_byte(t), n_.label(), ": data must be uint8 or int8, got ", dtype_name(t));
    const float sx = qlinear_scale(ctx.in(kXScale), n_, "data_scale");
    const float sy = qlinear_scale(ctx.in(kYScale), n_, "reduced_scale");
    const int32_t zx = qlinear_zero_point(ctx.input(kXZp), t, n_, "data_zero_point");
    const int32_t zy = qlinear_zero_point(ctx.input(kYZp), t, n_, "reduced_zero_point");
    const QRange r = qrange(t, n_.label());

    const size_t rank = size_t(x.rank());
    std::vector<bool> reduced(rank, false);
    for (int64_t a : axes_) {
      const size_t d = size_t(normalize_axis(a, int64_t(rank), n_.label()));
      QWASM_CHECK(!reduced[d], n_.label(), ": axis ", a, " is listed twice");
      reduced[d] = true;
    }
    Shape out, kept(rank);  // kept: x's dims with reduced ones set to 1
    int64_t count = 1;
    for (size_t d = 0; d < rank; ++d) {
      kept[d] = reduced[d] ? 1 : x.dim(d);
      if (reduced[d]) count *= x.dim(d);
      if (!reduced[d] || keepdims_) out.push_back(kept[d]);
    }
    QWASM_CHECK(count > 0 && count <= (int64_t(1) << 23), n_.label(), ": ", count,
                " elements reduced into each output; between 1 and 2^23 are supported (an int32 sum of bytes)");
    Tensor& y = ctx.output(0, t, out);
    std::vector<int32_t> sums(size_t(y.size()), 0);
    const bool s8 = t == DType::Int8;
    const uint8_t* xp = static_cast<const uint8_t*>(x.raw());
    std::vector<int64_t> idx(rank, 0);
    for (int64_t i = 0, n = x.size(); i < n; ++i) {
      int64_t o = 0;
      for (size_t d = 0; d < rank; ++d) o = o * kept[d] + (reduced[d] ? 0 : idx[d]);
      sums[size_t(o)] += s8 ? int32_t(int8_t(xp[i])) : int32_t(xp[i]);
      for (size_t d = rank; d-- > 0;)
        if (++idx[d] < x.dim(d)) break;
        else idx[d] = 0;
    }
    const float mult = sx / (sy * float(count));
    const int32_t bias = -zx * int32_t(count);
    uint8_t* yp = static_cast<uint8_t*>(y.raw());
    for (size_t o = 0; o < sums.size(); ++o) {
      const float q = std::nearbyint(float(sums[o] + bias) * mult) + float(zy);
      yp[o] = byte_of(q <= float(r.lo) ? r.lo : q >= float(r.hi) ? r.hi : int32_t(q));
    }
  }

 private:
  const Node& n_;
  std::vector<int64_t> axes_;
  bool keepdims_ = true;
};

}  // namespace

void register_quant_qlinear_reduce_ops(OpRegistry& r) {
  r.add("com.microsoft", "QLinearReduceMean", 1,
        [](const BuildContext& bc) { return std::make_unique<QLinearReduceMean>(bc); });
}

}  // namespace qwasm
