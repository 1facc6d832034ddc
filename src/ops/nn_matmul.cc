// MatMul (numpy batching and 1-D operands) and Gemm, on gemm_f32; com.microsoft
// FusedMatMul (and its older name TransposeMatMul): MatMul with alpha and the last two
// dims of A and/or B transposed.
#include <algorithm>
#include <cstring>

#include "ops/broadcast.h"
#include "ops/dtype_switch.h"
#include "ops/gemm_f32.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

// Y = alpha * op(A) x op(B) with numpy batching; op transposes the last two dims of a
// rank >= 2 operand when its flag is set (a 1-D operand is a vector either way).
void matmul_general(OpContext& ctx, bool trans_a, bool trans_b, float alpha) {
  const Node& n = ctx.node();
  const Tensor& a0 = ctx.in(0);
  const Tensor& b0 = ctx.in(1);
  QWASM_CHECK(a0.dtype() == b0.dtype(), n.label(), ": input types differ");
  Tensor a = widen_half(a0), b = widen_half(b0);
  QWASM_CHECK(a.dtype() == DType::Float32, n.label(), ": type ", dtype_name(a0.dtype()), " is not supported");
  QWASM_CHECK(a.rank() >= 1 && b.rank() >= 1, n.label(), ": inputs must have rank >= 1");
  Shape as = a.shape(), bs = b.shape();
  const bool ta = trans_a && as.size() >= 2, tb = trans_b && bs.size() >= 2;
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  const int64_t M = ta ? as.back() : as[as.size() - 2], K = ta ? as[as.size() - 2] : as.back();
  const int64_t N = tb ? bs[bs.size() - 2] : bs.back();
  QWASM_CHECK((tb ? bs.back() : bs[bs.size() - 2]) == K, n.label(), ": inner dimensions differ: ", shape_str(a.shape()),
              ta ? "^T" : "", " x ", shape_str(b.shape()), tb ? "^T" : "");
  Shape batch = broadcast_shapes(Shape(as.begin(), as.end() - 2), Shape(bs.begin(), bs.end() - 2), n.label());
  Shape out_shape = batch;
  if (a.rank() > 1) out_shape.push_back(M);
  if (b.rank() > 1) out_shape.push_back(N);
  Tensor r = is_half(a0.dtype()) ? Tensor(DType::Float32, out_shape) : ctx.output(0, DType::Float32, out_shape);
  const int64_t nb = shape_size(batch);
  // Batch offsets through broadcasting (index maps for A and B).
  const Shape abatch(as.begin(), as.end() - 2), bbatch(bs.begin(), bs.end() - 2);
  std::vector<int64_t> ao, bo;
  if (batch.empty()) {
    ao = {0}, bo = {0};
  } else {
    const BroadcastLoop<2> loop(batch, {&abatch, &bbatch});
    const int64_t sa = loop.inner_step(0), sb = loop.inner_step(1);
    loop.for_each_run([&](int64_t, const std::array<int64_t, 2>& off, int64_t cnt) {
      for (int64_t i = 0; i < cnt; ++i) ao.push_back(off[0] + i * sa), bo.push_back(off[1] + i * sb);
    });
  }
  for (int64_t i = 0; i < nb; ++i)
    gemm_f32(ctx.parallel(), ta, tb, M, N, K, alpha, a.data<float>() + ao[size_t(i)] * M * K, ta ? M : K,
             b.data<float>() + bo[size_t(i)] * K * N, tb ? K : N, 0.0f, r.data<float>() + i * M * N, N);
  if (is_half(a0.dtype())) narrow_half(r, ctx.output(0, a0.dtype(), out_shape));
}

void matmul(OpContext& ctx) { matmul_general(ctx, false, false, 1.0f); }

void fused_matmul(OpContext& ctx) {
  const Node& n = ctx.node();
  QWASM_CHECK(n.attr_i("transBatchA", 0) == 0 && n.attr_i("transBatchB", 0) == 0, n.label(),
              ": transBatchA / transBatchB are not supported");
  matmul_general(ctx, n.attr_i("transA", 0) != 0, n.attr_i("transB", 0) != 0, n.attr_f("alpha", 1.0f));
}

// Gemm. A constant B stored [N, K] (transB = 1, how PyTorch exports Linear) is
// rearranged once at build into panels of kPanel columns, each [K][width] row-major: the
// f32 GEMM then reads every panel in place, front to back, instead of gathering B into
// panels on every run (or striding across a [K, N] copy). Each output column is the same
// sum in the same order, so the same bits. Small heads (wake-word classifiers: three Gemms
// of M = 1) spent most of a run on that gather.
constexpr int64_t kPanel = 32;  // a multiple of every f32 kernel's NR (8, 16, 32)

class GemmKernel : public OpKernel {
 public:
  explicit GemmKernel(const BuildContext& bc) {
    const Node& n = bc.node;
    ta_ = n.attr_i("transA", 0) != 0;
    tb_ = n.attr_i("transB", 0) != 0;
    alpha_ = n.attr_f("alpha", 1.0f);
    beta_ = n.attr_f("beta", 1.0f);
    const Tensor* b = bc.const_input(1);
    if (tb_ && b && b->is_tensor() && b->rank() == 2 &&
        (b->dtype() == DType::Float32 || is_half(b->dtype()))) {
      const Tensor w = widen_half(*b);
      const int64_t N = w.dim(0), K = w.dim(1);
      n_ = N, k_ = K;
      bt_ = Tensor(DType::Float32, {N * K});
      const float* src = w.data<float>();
      float* dst = bt_.data<float>();
      for (int64_t n0 = 0; n0 < N; n0 += kPanel) {
        const int64_t width = std::min(kPanel, N - n0);
        float* panel = dst + n0 * K;
        for (int64_t k = 0; k < K; ++k)
          for (int64_t j = 0; j < width; ++j) panel[k * width + j] = src[(n0 + j) * K + k];
      }
    }
  }
  bool absorbed(size_t input) const override { return input == 1 && bt_.defined(); }

  void compute(OpContext& ctx) override {
    const Node& n = ctx.node();
    Tensor a = widen_half(ctx.in(0));
    const bool packed = bt_.defined();
    Tensor b = packed ? Tensor() : widen_half(ctx.in(1));
    QWASM_CHECK(a.dtype() == DType::Float32 && (packed || b.dtype() == DType::Float32), n.label(),
                ": float inputs required");
    QWASM_CHECK(a.rank() == 2 && (packed || b.rank() == 2), n.label(), ": A and B must be 2-D");
    const int64_t M = ta_ ? a.dim(1) : a.dim(0), K = ta_ ? a.dim(0) : a.dim(1);
    const int64_t N = packed ? n_ : (tb_ ? b.dim(0) : b.dim(1));
    QWASM_CHECK((packed ? k_ : (tb_ ? b.dim(1) : b.dim(0))) == K, n.label(), ": inner dimensions differ");
    const DType out_t = ctx.in(0).dtype();
    Tensor r = is_half(out_t) ? Tensor(DType::Float32, {M, N}) : ctx.output(0, DType::Float32, {M, N});
    float* c = r.data<float>();
    const Tensor* c_in = ctx.input(2);
    if (c_in && beta_ != 0) {
      Tensor cw = widen_half(*c_in);
      if (cw.size() == N && (cw.rank() == 1 || (cw.rank() == 2 && cw.dim(0) == 1))) {
        // The usual bias row: copied to every output row.
        for (int64_t i = 0; i < M; ++i) std::memcpy(c + i * N, cw.data<float>(), size_t(N) * sizeof(float));
      } else {
        Shape cs = broadcast_shapes(cw.shape(), {M, N}, n.label());
        QWASM_CHECK(cs == Shape({M, N}), n.label(), ": C does not broadcast to ", shape_str({M, N}));
        const Shape out_mn{M, N};
        const BroadcastLoop<1> loop(out_mn, {&cw.shape()});
        const int64_t st = loop.inner_step(0);
        loop.for_each_run([&](int64_t o, const std::array<int64_t, 1>& off, int64_t cnt) {
          for (int64_t i = 0; i < cnt; ++i) c[o + i] = cw.data<float>()[off[0] + i * st];
        });
      }
    }
    const float beta = c_in && beta_ != 0 ? beta_ : 0.0f;
    if (packed) {
      for (int64_t n0 = 0; n0 < N; n0 += kPanel) {
        const int64_t width = std::min(kPanel, N - n0);
        gemm_f32(ctx.parallel(), ta_, false, M, width, K, alpha_, a.data<float>(), a.dim(1),
                 bt_.data<float>() + n0 * K, width, beta, c + n0, N);
      }
    } else {
      gemm_f32(ctx.parallel(), ta_, tb_, M, N, K, alpha_, a.data<float>(), a.dim(1), b.data<float>(), b.dim(1),
               beta, c, N);
    }
    if (is_half(out_t)) narrow_half(r, ctx.output(0, out_t, {M, N}));
  }

 private:
  bool ta_ = false, tb_ = false;
  float alpha_ = 1.0f, beta_ = 1.0f;
  Tensor bt_;  // constant B in column panels (float32), when B is constant and transB = 1
  int64_t n_ = 0, k_ = 0;  // its N and K
};

}  // namespace

void register_nn_matmul_ops(OpRegistry& r) {
  r.add_fn("", "MatMul", 1, matmul);
  r.add("", "Gemm", 1, [](const BuildContext& bc) { return std::make_unique<GemmKernel>(bc); });
  r.add_fn("com.microsoft", "FusedMatMul", 1, fused_matmul);
  r.add_fn("com.microsoft", "TransposeMatMul", 1, fused_matmul);
}

}  // namespace qwasm
