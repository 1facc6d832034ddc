// Packs int8 GEMM weights into the panel layout all int8 kernels read (see
// I8PackedHeader): column sums and zero points in the stored representation, then
// panels of nr columns, k grouped by kr so one vector load feeds a dot per column.
#include "../internal/common.h"

namespace qwasm {
namespace kernels {

size_t pack_i8_size(int K, int N, int nr, int kr, int elem_bytes) {
  const size_t Kp = size_t(round_up(K < 1 ? 1 : K, kr)), Np = size_t(round_up(N < 1 ? 1 : N, nr));
  return sizeof(I8PackedHeader) + 8 * Np + Kp * Np * size_t(elem_bytes);
}

void pack_i8_panels(const GemmI8PackArgs& p, int nr, int kr, int elem_bytes, void* dst) {
  const int K = p.K, N = p.N;
  const int Kp = round_up(K < 1 ? 1 : K, kr), Np = round_up(N < 1 ? 1 : N, nr);
  I8PackedHeader* h = static_cast<I8PackedHeader*>(dst);
  *h = I8PackedHeader{kI8PackedMagic, K, N, Kp, Np, nr, kr, elem_bytes};
  int32_t* csum = reinterpret_cast<int32_t*>(h + 1);
  int32_t* zbr = csum + Np;
  uint8_t* panels = reinterpret_cast<uint8_t*>(zbr + Np);
  const uint8_t* B = static_cast<const uint8_t*>(p.B);
  // uint8 weights stored as int8 are flipped: value - 128, zero point - 128.
  const int shift = (elem_bytes == 1 && !p.b_signed) ? 128 : 0;
  for (int n = 0; n < Np; ++n) {
    int32_t zb = 0;
    if (n < N && p.zb) zb = p.zb_per_column ? p.zb[n] : p.zb[0];
    zbr[n] = n < N ? zb - shift : 0;
    int32_t s = 0;
    uint8_t* panel = panels + size_t(n / nr) * size_t(Kp) * size_t(nr) * size_t(elem_bytes);
    const int c = n % nr;
    for (int k = 0; k < Kp; ++k) {
      int32_t v = 0;
      if (n < N && k < K) {
        const uint8_t raw = B[k * p.stride_k + n * p.stride_n];
        v = (p.b_signed ? int32_t(int8_t(raw)) : int32_t(raw)) - shift;
      }
      s += v;
      const size_t idx = (size_t(k / kr) * size_t(nr) + size_t(c)) * size_t(kr) + size_t(k % kr);
      if (elem_bytes == 1) panel[idx] = uint8_t(int8_t(v));
      else reinterpret_cast<int16_t*>(panel)[idx] = int16_t(v);
    }
    csum[n] = s;
  }
}

bool b_fits_7bit(const GemmI8PackArgs& p) {
  const uint8_t* B = static_cast<const uint8_t*>(p.B);
  for (int k = 0; k < p.K; ++k)
    for (int n = 0; n < p.N; ++n) {
      const uint8_t raw = B[k * p.stride_k + n * p.stride_n];
      const int v = p.b_signed ? int(int8_t(raw)) : int(raw) - 128;
      if (v < -64 || v > 63) return false;
    }
  return true;
}

}  // namespace kernels
}  // namespace qwasm
