// The kernel tables: every compiled-in variant per family, best first, for the parity
// tests and benchmarks that walk them. Which ISA folders are compiled in is decided by
// CMake (QWASM_KERNELS_X86 / _ARM / _WASM / _RELAXED). The runtime's picks are in
// kernel_best.cc, which does not reference these lists: a module that never walks them
// links only the kernels it can pick.
#include "kernel_decls.h"

namespace qwasm {
namespace kernels {

namespace {

const GemmI8Kernel* const kGemmI8[] = {
#if defined(QWASM_KERNELS_X86)
    &kGemmI8Avx512Vnni, &kGemmI8AvxVnni, &kGemmI8Avx2B7, &kGemmI8Avx2,
#endif
#if defined(QWASM_KERNELS_ARM)
    &kGemmI8I8mm, &kGemmI8Dotprod, &kGemmI8Neon,
#endif
#if defined(QWASM_KERNELS_RELAXED)
    &kGemmI8RelaxedUsdot, &kGemmI8RelaxedSdot,
#endif
#if defined(QWASM_KERNELS_WASM)
    // Measured in Node 22 (pmaddubsw lowering, docs/kernels.md): the int16 simd128
    // kernel beats the two relaxed variants that are exact on that class.
    &kGemmI8Simd128,
#endif
#if defined(QWASM_KERNELS_RELAXED)
    &kGemmI8RelaxedB7, &kGemmI8RelaxedSplit,
#endif
    &kGemmI8Generic,
};

const QBlockKernel* const kQBlock[] = {
#if defined(QWASM_KERNELS_X86)
    &kQBlockL4Avx512Vnni,
#endif
#if defined(QWASM_KERNELS_ARM)
    &kQBlockL4Dotprod,
#endif
#if defined(QWASM_KERNELS_RELAXED)
    &kQBlockL4RelaxedI16, &kQBlockL4Relaxed, &kQBlockL0Relaxed,
#endif
#if defined(QWASM_KERNELS_WASM)
    &kQBlockL4Simd128, &kQBlockL0Simd128,
#endif
    &kQBlockL4Generic, &kQBlockL0Generic,
};

const GemmF32Kernel* const kGemmF32[] = {
#if defined(QWASM_KERNELS_X86)
    &kGemmF32Avx512, &kGemmF32Avx2,
#endif
#if defined(QWASM_KERNELS_ARM)
    &kGemmF32Neon,
#endif
// In wasm the unfused mul + add kernel comes first: best_gemm_f32() then rounds the same
// in the relaxed and simd128 builds (and like onnxruntime-web's f32 GEMM), so a float MatMul
// feeding a DynamicQuantizeLinear gives the same uint8 values in both; relaxed_madd measured
// no faster in V8 (docs/kernels.md). The fused kernel stays listed for the parity tests.
#if defined(QWASM_KERNELS_WASM)
    &kGemmF32Simd128,
#endif
#if defined(QWASM_KERNELS_RELAXED)
    &kGemmF32Relaxed,
#endif
    &kGemmF32Generic,
};

}  // namespace

const GemmI8Kernel* const* gemm_i8_kernels(size_t* n) {
  *n = sizeof(kGemmI8) / sizeof(kGemmI8[0]);
  return kGemmI8;
}
const QBlockKernel* const* qblock_kernels(size_t* n) {
  *n = sizeof(kQBlock) / sizeof(kQBlock[0]);
  return kQBlock;
}
const GemmF32Kernel* const* gemm_f32_kernels(size_t* n) {
  *n = sizeof(kGemmF32) / sizeof(kGemmF32[0]);
  return kGemmF32;
}

}  // namespace kernels
}  // namespace qwasm
