// MatMul (numpy batching and 1-D operands) and Gemm, on gemm_f32; com.microsoft
// FusedMatMul (and its older name TransposeMatMul): MatMul with alpha and the last two
// dims of A and/or B transposed.
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

void gemm(OpContext& ctx) {
  const Node& n = ctx.node();
  Tensor a = widen_half(ctx.in(0)), b = widen_half(ctx.in(1));
  QWASM_CHECK(a.dtype() == DType::Float32 && b.dtype() == DType::Float32, n.label(), ": float inputs required");
  QWASM_CHECK(a.rank() == 2 && b.rank() == 2, n.label(), ": A and B must be 2-D");
  const bool ta = n.attr_i("transA", 0), tb = n.attr_i("transB", 0);
  const int64_t M = ta ? a.dim(1) : a.dim(0), K = ta ? a.dim(0) : a.dim(1);
  const int64_t N = tb ? b.dim(0) : b.dim(1);
  QWASM_CHECK((tb ? b.dim(1) : b.dim(0)) == K, n.label(), ": inner dimensions differ");
  const float alpha = n.attr_f("alpha", 1.0f), beta = n.attr_f("beta", 1.0f);
  const DType out_t = ctx.in(0).dtype();
  Tensor r = is_half(out_t) ? Tensor(DType::Float32, {M, N}) : ctx.output(0, DType::Float32, {M, N});
  float* c = r.data<float>();
  const Tensor* c_in = ctx.input(2);
  if (c_in && beta != 0) {
    Tensor cw = widen_half(*c_in);
    Shape cs = broadcast_shapes(cw.shape(), {M, N}, n.label());
    QWASM_CHECK(cs == Shape({M, N}), n.label(), ": C does not broadcast to ", shape_str({M, N}));
    const Shape out_mn{M, N};
    const BroadcastLoop<1> loop(out_mn, {&cw.shape()});
    const int64_t st = loop.inner_step(0);
    loop.for_each_run([&](int64_t o, const std::array<int64_t, 1>& off, int64_t cnt) {
      for (int64_t i = 0; i < cnt; ++i) c[o + i] = cw.data<float>()[off[0] + i * st];
    });
  }
  gemm_f32(ctx.parallel(), ta, tb, M, N, K, alpha, a.data<float>(), a.dim(1), b.data<float>(), b.dim(1),
           c_in && beta != 0 ? beta : 0.0f, c, N);
  if (is_half(out_t)) narrow_half(r, ctx.output(0, out_t, {M, N}));
}

}  // namespace

void register_nn_matmul_ops(OpRegistry& r) {
  r.add_fn("", "MatMul", 1, matmul);
  r.add_fn("", "Gemm", 1, gemm);
  r.add_fn("com.microsoft", "FusedMatMul", 1, fused_matmul);
  r.add_fn("com.microsoft", "TransposeMatMul", 1, fused_matmul);
}

}  // namespace qwasm
