// See ref_kernels.h. Written for obviousness, not speed.
#include "ref_kernels.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace qwasm {
namespace kernels {
namespace ref {

static int32_t load8(const void* p, ptrdiff_t i, bool is_signed) {
  const uint8_t v = static_cast<const uint8_t*>(p)[i];
  return is_signed ? int32_t(int8_t(v)) : int32_t(v);
}

void gemm_i8(const GemmI8PackArgs& b, const GemmI8Args& g) {
  for (int m = 0; m < g.M; ++m) {
    const int32_t za = g.za_rows ? g.za_rows[m] : g.za;
    for (int n = g.n_begin; n < (g.n_end < 0 ? b.N : g.n_end); ++n) {
      const int32_t zb = b.zb ? (b.zb_per_column ? b.zb[n] : b.zb[0]) : 0;
      int64_t acc = 0;
      for (int k = 0; k < b.K; ++k) {
        const int64_t a = load8(g.A, m * g.lda + k, g.a_signed) - za;
        const int64_t w = load8(b.B, k * b.stride_k + n * b.stride_n, b.b_signed) - zb;
        acc += a * w;
      }
      g.C[m * g.ldc + n] = int32_t(acc);
    }
  }
}

// Level-4 activation quantization, written out again (not shared with the kernels)
// so the test also checks the production quantizer: scale = max|a| / 127,
// q = round half to even of a * (127 / max|a|).
static void quantize_block(const float* a, int n, std::vector<int>& q, double& scale) {
  float amax = 0.0f;
  for (int i = 0; i < n; ++i) amax = std::fabs(a[i]) > amax ? std::fabs(a[i]) : amax;
  const float inv = amax > 0.0f ? 127.0f / amax : 0.0f;
  q.assign(size_t(n), 0);
  for (int i = 0; i < n; ++i) q[size_t(i)] = int(std::nearbyint(a[i] * inv));
  scale = double(amax / 127.0f);
}

void qblock(const QBlockShape& s, const QBlockWeights& w, int level, int M, const float* A, ptrdiff_t lda, double* Y,
            double* bound) {
  const int nb = mnb_n_blocks(s.K, s.block_size), blob = mnb_blob_bytes(s.bits, s.block_size);
  std::vector<int> q;
  for (int m = 0; m < M; ++m) {
    const float* a = A + m * lda;
    for (int n = 0; n < s.N; ++n) {
      double y = 0, bnd = 0;
      for (int blk = 0; blk < nb; ++blk) {
        const int k0 = blk * s.block_size, len = std::min(s.block_size, s.K - k0);
        const uint8_t* bq = w.B + (size_t(n) * size_t(nb) + size_t(blk)) * size_t(blob);
        const double sc = w.scales[size_t(n) * size_t(nb) + size_t(blk)];
        const int zp = int(mnb_get_zp(w.zero_points, s.bits, nb, n, blk));
        if (level == 4) {
          double as;
          quantize_block(a + k0, len, q, as);
          int64_t d = 0;
          for (int i = 0; i < len; ++i) d += int64_t(q[size_t(i)]) * (int(mnb_get_q(bq, s.bits, i)) - zp);
          y += as * sc * double(d);
          bnd += std::fabs(as * sc * double(d));
        } else {
          for (int i = 0; i < len; ++i) {
            const int qi = int(mnb_get_q(bq, s.bits, i));
            y += double(a[k0 + i]) * sc * (qi - zp);
            bnd += std::fabs(double(a[k0 + i]) * sc) * (qi + zp);
          }
        }
      }
      Y[size_t(m) * size_t(s.N) + size_t(n)] = y;
      bound[size_t(m) * size_t(s.N) + size_t(n)] = bnd;
    }
  }
}

void gemm_f32(const GemmF32Args& g, const float* C_in, double* C_out, double* bound) {
  for (int m = 0; m < g.M; ++m)
    for (int n = 0; n < g.N; ++n) {
      double acc = 0, abs_acc = 0;
      for (int k = 0; k < g.K; ++k) {
        const double p = double(g.A[m * g.a_rs + k * g.a_cs]) * double(g.B[k * g.b_rs + n * g.b_cs]);
        acc += p;
        abs_acc += std::fabs(p);
      }
      const double c = g.beta != 0.0f ? double(C_in[m * g.ldc + n]) : 0.0;
      C_out[m * g.N + n] = double(g.alpha) * acc + double(g.beta) * c;
      bound[m * g.N + n] = std::fabs(double(g.alpha)) * abs_acc + std::fabs(double(g.beta) * c);
    }
}

}  // namespace ref
}  // namespace kernels
}  // namespace qwasm
