// Every kernel variant the build can compile, declared once for the two lists that name them:
// kernel_table.cc (all compiled-in variants, walked by the parity tests and benchmarks) and
// kernel_best.cc (the runtime's picks). A declaration links nothing: a module that only calls
// best_*() still links only the kernels kernel_best.cc lists.
#pragma once
#include "qwasm_kernels.h"

namespace qwasm {
namespace kernels {

extern const GemmI8Kernel kGemmI8Generic;
extern const QBlockKernel kQBlockL4Generic, kQBlockL0Generic;
extern const GemmF32Kernel kGemmF32Generic;
#if defined(QWASM_KERNELS_X86)
extern const GemmI8Kernel kGemmI8Avx512Vnni, kGemmI8AvxVnni, kGemmI8Avx2, kGemmI8Avx2B7;
extern const QBlockKernel kQBlockL4Avx512Vnni;
extern const GemmF32Kernel kGemmF32Avx512, kGemmF32Avx2;
#endif
#if defined(QWASM_KERNELS_ARM)
extern const GemmI8Kernel kGemmI8I8mm, kGemmI8Dotprod, kGemmI8Neon;
extern const QBlockKernel kQBlockL4Dotprod;
extern const GemmF32Kernel kGemmF32Neon;
#endif
#if defined(QWASM_KERNELS_RELAXED)
extern const GemmI8Kernel kGemmI8RelaxedUsdot, kGemmI8RelaxedSdot, kGemmI8RelaxedB7, kGemmI8RelaxedSplit;
extern const QBlockKernel kQBlockL4RelaxedI16, kQBlockL4Relaxed, kQBlockL0Relaxed;
extern const GemmF32Kernel kGemmF32Relaxed;
#endif
#if defined(QWASM_KERNELS_WASM)
extern const GemmI8Kernel kGemmI8Simd128;
extern const QBlockKernel kQBlockL4Simd128, kQBlockL0Simd128;
extern const GemmF32Kernel kGemmF32Simd128;
#endif

}  // namespace kernels
}  // namespace qwasm
