// The production int8 GEMM variants of the relaxed build (real instruction). Which
// one runs is decided by the probe class (dispatch/kernel_table.cc); see
// gemm_i8_relaxed_impl.h for what each is exact under.
#include "gemm_i8_relaxed_impl.h"
#include "relaxed_dot.h"

namespace qwasm {
namespace kernels {
namespace {
using V = relaxed_i8::Variants<RelaxedDot>;
}  // namespace

extern const GemmI8Kernel kGemmI8RelaxedUsdot = V::usdot();
extern const GemmI8Kernel kGemmI8RelaxedSdot = V::sdot();
extern const GemmI8Kernel kGemmI8RelaxedB7 = V::b7();
extern const GemmI8Kernel kGemmI8RelaxedSplit = V::split();

}  // namespace kernels
}  // namespace qwasm
