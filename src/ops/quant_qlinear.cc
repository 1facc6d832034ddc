// QLinearMatMul (ai.onnx 10, 21): y = saturate(round((A - a_zp)(B - b_zp) * a_scale * b_scale / y_scale) + y_zp)
// with a_scale / a_zp per tensor or per row of A, b_scale / b_zp per tensor or per
// column of B, y per tensor; y has y_zero_point's type. B is packed at build time
// when constant.
#include "ops/dtype_switch.h"
#include "ops/quant_common.h"
#include "ops/quant_matmul.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

enum In { kA, kAScale, kAZp, kB, kBScale, kBZp, kYScale, kYZp };

class QLinearMatMul : public OpKernel {
 public:
  explicit QLinearMatMul(const BuildContext& bc) : n_(bc.node) {
    const Tensor* b = bc.const_input(kB);
    const Tensor* zb = bc.const_input(kBZp);
    if (b && zb) packed_ = pack_b(n_, *b, zb);
    if (b) {
      const int64_t N = b->rank() == 1 ? 1 : b->dim(b->rank() - 1);
      if (const Tensor* bs = bc.const_input(kBScale)) check_scale("b_scale", *bs, N, "one per column of B");
    }
    if (const Tensor* ys = bc.const_input(kYScale)) check_scale("y_scale", *ys, 1, "");
    const Tensor* za = bc.const_input(kAZp);
    const Tensor* zy = bc.const_input(kYZp);
    if (za && zy) check_zero_point(n_, "y_zero_point", zy, za->dtype(), 1, "per tensor");
  }

  void compute(OpContext& ctx) override {
    const Tensor& a = ctx.in(kA);
    const Tensor& b = ctx.in(kB);
    const Tensor* za = ctx.input(kAZp);
    const Tensor* zb = ctx.input(kBZp);
    const Tensor* zy = ctx.input(kYZp);
    QWASM_CHECK(is_byte(a.dtype()), n_.label(), ": a must be uint8 or int8, got ", dtype_name(a.dtype()));
    std::shared_ptr<PackedB> packed = packed_ ? packed_ : pack_b(n_, b, zb);
    const IntMatMulShape s = int_matmul_shape(n_, a.shape(), b.shape());
    check_zero_point(n_, "a_zero_point", za, a.dtype(), s.M, "one per row of a");
    const DType yt = zy ? zy->dtype() : a.dtype();
    check_zero_point(n_, "y_zero_point", zy, yt, 1, "per tensor");
    QWASM_CHECK(is_byte(yt), n_.label(), ": y_zero_point must be uint8 or int8");
    const Tensor as = widen_half(ctx.in(kAScale)), bs = widen_half(ctx.in(kBScale)), ys = widen_half(ctx.in(kYScale));
    check_scale("a_scale", as, s.M, "one per row of a");
    check_scale("b_scale", bs, s.N, "one per column of B");
    check_scale("y_scale", ys, 1, "");

    Tensor acc(DType::Int32, s.out);
    int_matmul(ctx.parallel(), a, za, *packed, s, acc.data<int32_t>());
    const float y_scale = ys.data<float>()[0];
    const int32_t y_zp = zy ? byte_at(*zy, 0) : 0;
    const QRange r = qrange(yt, n_.label());
    std::vector<float> mult(static_cast<size_t>(s.M * s.N));
    for (int64_t m = 0; m < s.M; ++m)
      for (int64_t j = 0; j < s.N; ++j)
        mult[size_t(m * s.N + j)] =
            as.data<float>()[as.size() == 1 ? 0 : m] * bs.data<float>()[bs.size() == 1 ? 0 : j] / y_scale;
    Tensor& y = ctx.output(0, yt, s.out);
    const int32_t* c = acc.data<int32_t>();
    const int64_t mn = s.M * s.N;
    for (int64_t i = 0; i < acc.size(); ++i) set_q(y, i, requantize(c[i], mult[size_t(i % mn)], y_zp, r.lo, r.hi));
  }

 private:
  void check_scale(const char* name, const Tensor& t, int64_t n, const char* what) const {
    QWASM_CHECK(t.dtype() == DType::Float32 || is_half(t.dtype()), n_.label(), ": ", name, " must be float, got ",
                dtype_name(t.dtype()));
    if (n == 1)
      QWASM_CHECK(t.size() == 1, n_.label(), ": ", name, " has shape ", shape_str(t.shape()), ", expected a scalar");
    else
      QWASM_CHECK(scalar_or_len(t, n), n_.label(), ": ", name, " has shape ", shape_str(t.shape()),
                  ", expected a scalar or ", n, " elements (", what, ")");
  }

  const Node& n_;
  std::shared_ptr<PackedB> packed_;
};

}  // namespace

void register_quant_qlinear_ops(OpRegistry& r) {
  r.add("", "QLinearMatMul", 10, [](const BuildContext& bc) { return std::make_unique<QLinearMatMul>(bc); });
}

}  // namespace qwasm
