#include "ops/int8_gemm.h"

#include <algorithm>

#include "ops/parallel_gemm.h"
#include "ops/quant_common.h"

namespace qwasm {

namespace {
// Sizes the kernels take as int (with room for their padding to whole tiles).
constexpr int64_t kMaxDim = int64_t(1) << 30;
}  // namespace

I8PackedB pack_i8_b(const std::vector<kernels::GemmI8PackArgs>& bs, const std::string& what) {
  I8PackedB p;
  if (bs.empty()) return p;
  p.K = bs[0].K, p.N = bs[0].N;
  QWASM_CHECK(p.K >= 0 && p.N >= 0 && p.K < kMaxDim && p.N < kMaxDim, what, ": int8 GEMM of K = ", p.K,
              ", N = ", p.N, " is too large");
  bool fits7 = true;
  for (const auto& b : bs) fits7 = fits7 && kernels::b_fits_7bit(b);
  p.kernel = &kernels::best_gemm_i8(fits7);
  for (const auto& b : bs) {
    auto buf = heap_buffer(p.kernel->packed_size(b.K, b.N), false);
    p.kernel->pack_b(b, buf->data);
    p.packed.push_back(std::move(buf));
  }
  return p;
}

std::vector<int32_t> zero_point_values(const Tensor* zp) {
  std::vector<int32_t> v;
  if (!zp) return v;
  v.resize(size_t(zp->size()));
  for (int64_t i = 0; i < zp->size(); ++i) v[size_t(i)] = byte_at(*zp, i);
  return v;
}

void gemm_i8_rows(Parallel& par, const I8PackedB& b, size_t i, int64_t M, kernels::GemmI8Args g) {
  if (M <= 0 || b.N == 0) return;
  g.packed_b = b.packed.at(i)->data;
  for (int64_t m0 = 0; m0 < M; m0 += kMaxDim) {
    kernels::GemmI8Args s = g;
    s.M = int(std::min(kMaxDim, M - m0));
    s.A = static_cast<const uint8_t*>(g.A) + m0 * g.lda;
    s.C = g.C + m0 * g.ldc;
    if (g.za_rows) s.za_rows = g.za_rows + m0;
    gemm_i8_parallel(par, *b.kernel, s, b.N, b.K);
  }
}

}  // namespace qwasm
