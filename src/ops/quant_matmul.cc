#include "ops/quant_matmul.h"
#include "ops/parallel_gemm.h"

#include "ops/dispatch.h"
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
  s.a_batches = shape_size(abatch), s.b_batches = shape_size(bbatch);
  const Shape batch = broadcast_shapes(abatch, bbatch, n.label());
  s.out = batch;
  if (a0.size() > 1) s.out.push_back(s.M);
  if (b0.size() > 1) s.out.push_back(s.N);
  if (batch.empty()) {
    s.a_batch = {0}, s.b_batch = {0};
  } else {
    BroadcastIter it(batch, {abatch, bbatch});
    it.for_each_run([&](int64_t, const int64_t* off, const int64_t* st, int64_t cnt) {
      for (int64_t i = 0; i < cnt; ++i) s.a_batch.push_back(off[0] + i * st[0]), s.b_batch.push_back(off[1] + i * st[1]);
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
  p->keep = b;
  const int64_t N = b.rank() == 1 ? 1 : b.dim(b.rank() - 1);
  const int64_t K = b.rank() == 1 ? b.dim(0) : b.dim(b.rank() - 2);
  check_zero_point(n, "b_zero_point", zb, b.dtype(), N, "one per column of B");
  const int64_t batches = b.rank() <= 2 ? 1 : shape_size(Shape(b.shape().begin(), b.shape().end() - 2));
  const uint8_t* base = static_cast<const uint8_t*>(b.raw());
  // Kernel packing: zero points in B's own range, per column or one for all.
  std::vector<int32_t> zbv;
  if (zb)
    for (int64_t j = 0; j < zb->size(); ++j) zbv.push_back(byte_at(*zb, j));
  if (K > 0 && N > 0 && K < (int64_t(1) << 30) && N < (int64_t(1) << 30)) {
    kernels::GemmI8PackArgs pa;
    pa.K = int(K), pa.N = int(N), pa.stride_k = N, pa.stride_n = 1;
    pa.b_signed = b.dtype() == DType::Int8;
    pa.zb = zb ? zbv.data() : nullptr;
    pa.zb_per_column = zb && zb->size() > 1;
    bool fits7 = true;
    for (int64_t i = 0; i < batches && fits7; ++i) {
      pa.B = base + i * K * N;
      fits7 = kernels::b_fits_7bit(pa);
    }
    p->kernel = &kernels::best_gemm_i8(fits7);
    for (int64_t i = 0; i < batches; ++i) {
      pa.B = base + i * K * N;
      auto buf = heap_buffer(p->kernel->packed_size(pa.K, pa.N), false);
      p->kernel->pack_b(pa, buf->data);
      p->kpacked.push_back(std::move(buf));
    }
  }
  for (int64_t i = 0; i < batches; ++i) {
    QPanel panel = QPanel::columns_of(base + i * K * N, b.dtype() == DType::Int8, K, N);
    panel.set_zero_points(zb);
    panel.finish();
    p->panels.push_back(std::move(panel));
  }
  return p;
}

void int_matmul(Parallel& par, const Tensor& a, const Tensor* za, const PackedB& b, const IntMatMulShape& s,
                int32_t* out) {
  const uint8_t* abase = static_cast<const uint8_t*>(a.raw());
  if (b.kernel && (!za || za->size() == 1) && s.M < (int64_t(1) << 30)) {
    // The dispatched kernel: A's zero point per tensor.
    kernels::GemmI8Args g;
    g.M = int(s.M), g.lda = s.K, g.a_signed = a.dtype() == DType::Int8, g.za = za ? byte_at(*za, 0) : 0;
    g.ldc = s.N;
    for (size_t i = 0; i < s.a_batch.size(); ++i) {
      g.A = abase + s.a_batch[i] * s.M * s.K;
      g.packed_b = b.kpacked[size_t(s.b_batch[i])]->data;
      g.C = out + int64_t(i) * s.M * s.N;
      if (s.M > 0) gemm_i8_parallel(par, *b.kernel, g, int(s.N), int(s.K));
    }
    return;
  }
  std::vector<QPanel> apanels;
  apanels.reserve(size_t(s.a_batches));
  for (int64_t i = 0; i < s.a_batches; ++i) {
    apanels.push_back(QPanel::view(abase + i * s.M * s.K, a.dtype() == DType::Int8, s.M, s.K));
    apanels.back().set_zero_points(za);
    apanels.back().finish();
  }
  for (size_t i = 0; i < s.a_batch.size(); ++i)
    qgemm(apanels[size_t(s.a_batch[i])], b.panels[size_t(s.b_batch[i])], out + int64_t(i) * s.M * s.N, s.N);
}

}  // namespace qwasm
