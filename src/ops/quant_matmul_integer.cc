// MatMulInteger: int32 C = (A - a_zp) x (B - b_zp), A and B each uint8 or int8,
// a_zp per tensor or per row of A, b_zp per tensor or per column of B, numpy
// batch broadcasting. Exact (int32 accumulation).
#include <vector>

#include "ops/dispatch.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

int32_t byte_at(const Tensor& t, int64_t i) {
  return t.dtype() == DType::Int8 ? int32_t(static_cast<const int8_t*>(t.raw())[i])
                                  : int32_t(static_cast<const uint8_t*>(t.raw())[i]);
}

void matmul_integer(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  for (const Tensor* t : {&a, &b})
    QWASM_CHECK(t->dtype() == DType::UInt8 || t->dtype() == DType::Int8, n.label(), ": inputs must be uint8 or int8, got ",
                dtype_name(t->dtype()));
  QWASM_CHECK(a.rank() >= 1 && b.rank() >= 1, n.label(), ": inputs must have rank >= 1");
  Shape as = a.shape(), bs = b.shape();
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  const int64_t M = as[as.size() - 2], K = as.back(), N = bs.back();
  QWASM_CHECK(bs[bs.size() - 2] == K, n.label(), ": inner dimensions differ: ", shape_str(a.shape()), " x ", shape_str(b.shape()));
  const Tensor* za = ctx.input(2);
  const Tensor* zb = ctx.input(3);
  QWASM_CHECK(!za || (za->dtype() == a.dtype() && (za->size() == 1 || za->size() == M)), n.label(),
              ": a_zero_point must be a ", dtype_name(a.dtype()), " scalar or have M = ", M, " elements");
  QWASM_CHECK(!zb || (zb->dtype() == b.dtype() && (zb->size() == 1 || zb->size() == N)), n.label(),
              ": b_zero_point must be a ", dtype_name(b.dtype()), " scalar or have N = ", N, " elements");
  std::vector<int32_t> zbv(size_t(N), 0), zav(size_t(M), 0);
  for (int64_t j = 0; j < N; ++j) zbv[size_t(j)] = zb ? byte_at(*zb, zb->size() == 1 ? 0 : j) : 0;
  for (int64_t i = 0; i < M; ++i) zav[size_t(i)] = za ? byte_at(*za, za->size() == 1 ? 0 : i) : 0;
  Shape batch = broadcast_shapes(Shape(as.begin(), as.end() - 2), Shape(bs.begin(), bs.end() - 2), n.label());
  Shape out_shape = batch;
  if (a.rank() > 1) out_shape.push_back(M);
  if (b.rank() > 1) out_shape.push_back(N);
  Tensor& out = ctx.output(0, DType::Int32, out_shape);
  std::vector<int64_t> ao, bo;
  if (batch.empty()) {
    ao = {0}, bo = {0};
  } else {
    BroadcastIter it(batch, {Shape(as.begin(), as.end() - 2), Shape(bs.begin(), bs.end() - 2)});
    it.for_each_run([&](int64_t, const int64_t* off, const int64_t* st, int64_t cnt) {
      for (int64_t i = 0; i < cnt; ++i) ao.push_back(off[0] + i * st[0]), bo.push_back(off[1] + i * st[1]);
    });
  }
  // Zero-point-corrected int16 copy of B rows keeps the inner loop a plain widening MAC.
  std::vector<int16_t> brow(static_cast<size_t>(N));
  for (size_t bi = 0; bi < ao.size(); ++bi) {
    int32_t* c = out.data<int32_t>() + int64_t(bi) * M * N;
    std::fill(c, c + M * N, 0);
    for (int64_t k = 0; k < K; ++k) {
      const int64_t boff = bo[bi] * K * N + k * N;
      for (int64_t j = 0; j < N; ++j) brow[size_t(j)] = int16_t(byte_at(b, boff + j) - zbv[size_t(j)]);
      for (int64_t i = 0; i < M; ++i) {
        const int32_t av = byte_at(a, ao[bi] * M * K + i * K + k) - zav[size_t(i)];
        if (av == 0) continue;
        int32_t* ci = c + i * N;
        for (int64_t j = 0; j < N; ++j) ci[j] += av * int32_t(brow[size_t(j)]);
      }
    }
  }
}

}  // namespace

void register_quant_matmul_integer_ops(OpRegistry& r) { r.add_fn("", "MatMulInteger", 10, matmul_integer); }

}  // namespace qwasm
