// Portable f32 GEMM micro-kernel (4 x 16 register tile in plain arrays).
#include "../internal/kernel_info.h"

namespace qwasm {
namespace kernels {
namespace {

struct GenericF32 {
  static constexpr int kMR = 4, kNR = 16;
  template <int R>
  static void tile(int K, const float* a, ptrdiff_t rs, ptrdiff_t cs, const float* b, ptrdiff_t bks, float* out) {
    float acc[R][kNR] = {};
    for (int k = 0; k < K; ++k, b += bks)
      for (int r = 0; r < R; ++r) {
        const float av = a[r * rs + k * cs];
        for (int c = 0; c < kNR; ++c) acc[r][c] += av * b[c];
      }
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < kNR; ++c) out[r * kNR + c] = acc[r][c];
  }
};

}  // namespace

extern const GemmF32Kernel kGemmF32Generic = gemm_f32_kernel<GenericF32>("gemm_f32_4x16__generic", Isa::kGeneric, 0);

}  // namespace kernels
}  // namespace qwasm
