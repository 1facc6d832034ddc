#include "ops/quant_matmul.h"

#include <algorithm>
#include <climits>

#include "ops/broadcast.h"
#include "ops/dtype_switch.h"
#include "ops/quant_common.h"

namespace qwasm {

IntMatMulShape int_matmul_shape(const Node& n, const Shape& a0, const Shape& b0) {
  QWASM_CHECK(!a0.empty() && !b0.empty(), n.label(), ": inputs must have rank >= 1");
  Shape as = a0, bs = b0;
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  IntMatMulShape s;
  s.M = as[as.size() - 2], s.K = as.back(), s.N = bs.back();
  QWASM_CHECK(bs[bs.size() - 2] == s.K, n.label(), ": inner dimensions differ: A ", shape_str(a0), " x B ",
              shape_str(b0));
  const Shape abatch(as.begin(), as.end() - 2), bbatch(bs.begin(), bs.end() - 2);
  const Shape batch = broadcast_shapes(abatch, bbatch, n.label());
  s.out = batch;
  if (a0.size() > 1) s.out.push_back(s.M);
  if (b0.size() > 1) s.out.push_back(s.N);
  if (batch.empty()) {
    s.a_batch = {0}, s.b_batch = {0};
  } else {
    const BroadcastLoop<2> loop(batch, {&abatch, &bbatch});
    const int64_t sa = loop.inner_step(0), sb = loop.inner_step(1);
    loop.for_each_run([&](int64_t, const std::array<int64_t, 2>& off, int64_t cnt) {
      for (int64_t i = 0; i < cnt; ++i) s.a_batch.push_back(off[0] + i * sa), s.b_batch.push_back(off[1] + i * sb);
    });
  }
  return s;
}

void check_zero_point(const Node& n, const char* name, const Tensor* zp, DType data, int64_t len, const char* dim) {
  if (!zp) return;
  QWASM_CHECK(zp->dtype() == data, n.label(), ": ", name, " has type ", dtype_name(zp->dtype()),
              ", expected ", dtype_name(data), " (the type of the data it applies to)");
  QWASM_CHECK(scalar_or_len(*zp, len), n.label(), ": ", name, " has shape ", shape_str(zp->shape()),
              ", expected a scalar or ", len, " elements (", dim, ")");
}

std::shared_ptr<PackedB> pack_b(const Node& n, const Tensor& b, const Tensor* zb) {
  QWASM_CHECK(is_byte(b.dtype()), n.label(), ": B must be uint8 or int8, got ", dtype_name(b.dtype()));
  QWASM_CHECK(b.rank() >= 1, n.label(), ": B must have rank >= 1");
  auto p = std::make_shared<PackedB>();
  p->shape = b.shape();
  const int64_t N = b.rank() == 1 ? 1 : b.dim(b.rank() - 1);
  const int64_t K = b.rank() == 1 ? b.dim(0) : b.dim(b.rank() - 2);
  check_zero_point(n, "b_zero_point", zb, b.dtype(), N, "one per column of B");
  const int64_t batches = b.rank() <= 2 ? 1 : shape_size(Shape(b.shape().begin(), b.shape().end() - 2));
  const uint8_t* base = static_cast<const uint8_t*>(b.raw());
  // Zero points in B's own range, per column or one for all.
  const std::vector<int32_t> zbv = zero_point_values(zb);
  std::vector<kernels::GemmI8PackArgs> args(static_cast<size_t>(batches));
  for (int64_t i = 0; i < batches; ++i) {
    kernels::GemmI8PackArgs& pa = args[size_t(i)];
    pa.K = int(std::min<int64_t>(K, INT_MAX)), pa.N = int(std::min<int64_t>(N, INT_MAX));
    pa.B = base + i * K * N, pa.stride_k = N, pa.stride_n = 1;
    pa.b_signed = b.dtype() == DType::Int8;
    pa.zb = zb ? zbv.data() : nullptr;
    pa.zb_per_column = zb && zb->size() > 1;
  }
  p->b = pack_i8_b(args, n.label());
  return p;
}

void int_matmul(Parallel& par, const Tensor& a, const Tensor* za, const PackedB& b, const IntMatMulShape& s,
                int32_t* out) {
  const uint8_t* abase = static_cast<const uint8_t*>(a.raw());
  // A's zero point: one for all rows, or one per row of A (the same for every batch).
  const std::vector<int32_t> zav = zero_point_values(za);
  kernels::GemmI8Args g;
  g.lda = s.K, g.a_signed = a.dtype() == DType::Int8, g.ldc = s.N;
  if (zav.size() == 1) g.za = zav[0];
  else if (!zav.empty()) g.za_rows = zav.data();
  for (size_t i = 0; i < s.a_batch.size(); ++i) {
    g.A = abase + s.a_batch[i] * s.M * s.K;
    g.C = out + int64_t(i) * s.M * s.N;
    gemm_i8_rows(par, b.b, size_t(s.b_batch[i]), s.M, g);
  }
}

}  // namespace qwasm
