// com.microsoft QGemm (A, a_scale, a_zero_point, B, b_scale, b_zero_point, C?, y_scale?,
// y_zero_point?), attributes alpha, transA, transB. A and B are 2-D byte matrices; b_scale
// and b_zero_point are per tensor or per column (N); C is an int32 bias already in the
// accumulator's scale, broadcast to [M, N]. As onnxruntime computes it:
//   acc[m, n] = C[m, n] + sum_k (A[m, k] - za) (B[k, n] - zb[n])       (int32, exact)
//   scale[n]  = alpha * a_scale * b_scale[n]  (/ y_scale when given)   (float, in that order)
//   y         = saturate(round_half_even(float(acc) * scale[n]) + y_zp)  with y_zero_point (its type)
//             = float(acc) * scale[n]                                    without (float32)
// B (transposed to [K, N] first when transB) is packed for the int8 GEMM at load when constant.
#include <cmath>
#include <memory>
#include <vector>

#include "ops/dtype_switch.h"
#include "ops/quant_matmul.h"
#include "ops/quant_qlinear_params.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

enum In { kA, kAScale, kAZp, kB, kBScale, kBZp, kC, kYScale, kYZp };

// A rows x cols byte matrix, transposed.
Tensor transpose_bytes(const Tensor& t) {
  const int64_t rows = t.dim(0), cols = t.dim(1);
  Tensor out(t.dtype(), {cols, rows});
  const uint8_t* s = static_cast<const uint8_t*>(t.raw());
  uint8_t* d = static_cast<uint8_t*>(out.raw());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) d[c * rows + r] = s[r * cols + c];
  return out;
}

class QGemm : public OpKernel {
 public:
  explicit QGemm(const BuildContext& bc)
      : n_(bc.node),
        alpha_(bc.node.attr_f("alpha", 1.0f)),
        trans_a_(bc.node.attr_i("transA", 0) != 0),
        trans_b_(bc.node.attr_i("transB", 0) != 0) {
    if (const Tensor* s = bc.const_input(kAScale)) qlinear_scale(*s, n_, "a_scale");
    if (const Tensor* s = bc.const_input(kYScale)) qlinear_scale(*s, n_, "y_scale");
    const Tensor* b = bc.const_input(kB);
    const Tensor* zb = bc.const_input(kBZp);
    if (b) check_b(*b);
    if (b && zb) packed_ = pack(*b, zb);
  }

  void compute(OpContext& ctx) override {
    const Tensor& a0 = ctx.in(kA);
    const Tensor& b = ctx.in(kB);
    QWASM_CHECK(is_byte(a0.dtype()), n_.label(), ": A must be uint8 or int8, got ", dtype_name(a0.dtype()));
    QWASM_CHECK(a0.rank() == 2, n_.label(), ": A must be 2-D, got ", shape_str(a0.shape()));
    check_b(b);
    const Tensor a = trans_a_ ? transpose_bytes(a0) : a0;
    const Tensor* za = ctx.input(kAZp);
    check_zero_point(n_, "a_zero_point", za, a.dtype(), 1, "per tensor");
    std::shared_ptr<PackedB> packed = packed_ ? packed_ : pack(b, ctx.input(kBZp));
    const IntMatMulShape s = int_matmul_shape(n_, a.shape(), packed->shape);
    const int64_t M = s.M, N = s.N;

    const float sa = qlinear_scale(ctx.in(kAScale), n_, "a_scale");
    const Tensor sb = widen_half(ctx.in(kBScale));
    QWASM_CHECK(sb.dtype() == DType::Float32 && scalar_or_len(sb, N), n_.label(), ": b_scale has shape ",
                shape_str(sb.shape()), ", expected a float scalar or ", N, " elements (one per column of B)");
    const Tensor* ys = ctx.input(kYScale);
    const Tensor* zy = ctx.input(kYZp);
    std::vector<float> scale(size_t(sb.size()));
    for (size_t j = 0; j < scale.size(); ++j) {
      scale[j] = alpha_ * sa * sb.data<float>()[j];
      if (ys) scale[j] /= qlinear_scale(*ys, n_, "y_scale");
    }

    std::vector<int32_t> acc(size_t(M * N));
    int_matmul(ctx.parallel(), a, za, *packed, s, acc.data());
    if (const Tensor* c = ctx.input(kC)) add_bias(*c, M, N, acc.data());

    auto col_scale = [&](int64_t j) { return scale[scale.size() == 1 ? 0 : size_t(j)]; };
    if (!zy) {
      Tensor& y = ctx.output(0, DType::Float32, {M, N});
      float* yp = y.data<float>();
      for (int64_t m = 0; m < M; ++m)
        for (int64_t j = 0; j < N; ++j) yp[m * N + j] = float(acc[size_t(m * N + j)]) * col_scale(j);
      return;
    }
    const DType yt = zy->dtype();
    QWASM_CHECK(is_byte(yt), n_.label(), ": y_zero_point must be uint8 or int8, got ", dtype_name(yt));
    const int32_t y_zp = qlinear_zero_point(zy, yt, n_, "y_zero_point");
    const QRange r = qrange(yt, n_.label());
    Tensor& y = ctx.output(0, yt, {M, N});
    uint8_t* yp = static_cast<uint8_t*>(y.raw());
    for (int64_t m = 0; m < M; ++m)
      for (int64_t j = 0; j < N; ++j) {
        const float q = std::nearbyint(float(acc[size_t(m * N + j)]) * col_scale(j)) + float(y_zp);
        yp[m * N + j] = byte_of(q <= float(r.lo) ? r.lo : q >= float(r.hi) ? r.hi : int32_t(q));
      }
  }

 private:
  void check_b(const Tensor& b) const {
    QWASM_CHECK(is_byte(b.dtype()) && b.rank() == 2, n_.label(), ": B must be a 2-D uint8 or int8 matrix, got ",
                dtype_name(b.dtype()), " ", shape_str(b.shape()));
  }

  std::shared_ptr<PackedB> pack(const Tensor& b, const Tensor* zb) const {
    return trans_b_ ? pack_b(n_, transpose_bytes(b), zb) : pack_b(n_, b, zb);
  }

  // acc += C broadcast to [M, N]: C is a scalar, [N], [1, N], [M, 1] or [M, N].
  void add_bias(const Tensor& c, int64_t M, int64_t N, int32_t* acc) const {
    QWASM_CHECK(c.dtype() == DType::Int32, n_.label(), ": C must be int32, got ", dtype_name(c.dtype()));
    const Shape& cs = c.shape();
    const bool ok = c.size() == 1 || (cs.size() == 1 && cs[0] == N) ||
                    (cs.size() == 2 && (cs[0] == 1 || cs[0] == M) && (cs[1] == 1 || cs[1] == N));
    QWASM_CHECK(ok, n_.label(), ": C has shape ", shape_str(cs), ", which does not broadcast to [", M, ",", N, "]");
    const int32_t* cp = c.data<int32_t>();
    const int64_t rows = cs.size() == 2 ? cs[0] : 1, cols = cs.empty() ? 1 : cs.back();
    for (int64_t m = 0; m < M; ++m)
      for (int64_t j = 0; j < N; ++j) acc[m * N + j] += cp[(rows == 1 ? 0 : m) * cols + (cols == 1 ? 0 : j)];
  }

  const Node& n_;
  float alpha_;
  bool trans_a_, trans_b_;
  std::shared_ptr<PackedB> packed_;
};

}  // namespace

void register_quant_qgemm_ops(OpRegistry& r) {
  r.add("com.microsoft", "QGemm", 1, [](const BuildContext& bc) { return std::make_unique<QGemm>(bc); });
}

}  // namespace qwasm
