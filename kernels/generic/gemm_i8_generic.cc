// Portable int8 GEMM: the production fallback on hosts without a SIMD variant.
// Same packed layout as the SIMD kernels (nr 16, k groups of 4); plain loops the
// compiler can vectorize for whatever baseline it targets.
#include "../internal/kernel_info.h"

namespace qwasm {
namespace kernels {
namespace {

struct GenericI8 {
  static constexpr int kMR = 4, kNR = 16, kKR = 4, kBElemBytes = 1;
  static_assert(kKR == 4, "the tile's unrolled dot reads 4 k per group");
  static int a_row_bytes(int Kp) { return Kp; }
  static int32_t prepare_row(const uint8_t* a, int K, int Kp, bool s, uint8_t* d) { return prepare_row_u8(a, K, Kp, s, d); }
  static int32_t za_repr(int32_t za, bool s) { return za_as_u8(za, s); }
  template <int R>
  static void tile(int kgroups, const uint8_t* a, ptrdiff_t as, const uint8_t* b, int32_t* out) {
    int32_t acc[R][kNR] = {};
    const int8_t* w = reinterpret_cast<const int8_t*>(b);
    for (int kg = 0; kg < kgroups; ++kg, w += kNR * kKR)
      for (int r = 0; r < R; ++r) {
        const uint8_t* ar = a + r * as + kg * 4;
        for (int c = 0; c < kNR; ++c)
          acc[r][c] += ar[0] * w[c * 4] + ar[1] * w[c * 4 + 1] + ar[2] * w[c * 4 + 2] + ar[3] * w[c * 4 + 3];
      }
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < kNR; ++c) out[r * kNR + c] = acc[r][c];
  }
};

}  // namespace

extern const GemmI8Kernel kGemmI8Generic =
    gemm_i8_kernel<GenericI8>("gemm_u8s8_4x16__generic", Isa::kGeneric, 0, kCaveatNone);

}  // namespace kernels
}  // namespace qwasm
