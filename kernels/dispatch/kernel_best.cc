// The runtime's kernel picks: per family, the variants it may dispatch to, best first,
// and the first one the host runs. Kept apart from kernel_table.cc's full lists (which
// the parity tests and benchmarks walk): a module that only calls best_*() links only
// the kernels listed here. In a wasm build the simd128 kernels always run, so nothing
// after them can be picked — the generic kernels, and in the relaxed module the relaxed
// int8 B7 / split variants (slower than the int16 simd128 kernel where they are the exact
// ones, docs/kernels.md), the simd128 q-block kernels and the fused-madd f32 kernel — and
// those are left out (about 40 KB of the relaxed module). The parity binary checks that
// every pick here is the first host-runnable kernel of the full list.
#include "kernel_decls.h"

namespace qwasm {
namespace kernels {

namespace {

// The same order as kernel_table.cc, cut after the first kernel that always runs.
const GemmI8Kernel* const kPickI8[] = {
#if defined(QWASM_KERNELS_X86)
    &kGemmI8Avx512Vnni, &kGemmI8AvxVnni, &kGemmI8Avx2B7, &kGemmI8Avx2, &kGemmI8Generic,
#elif defined(QWASM_KERNELS_ARM)
    &kGemmI8I8mm, &kGemmI8Dotprod, &kGemmI8Neon, &kGemmI8Generic,
#elif defined(QWASM_KERNELS_WASM)
#if defined(QWASM_KERNELS_RELAXED)
    &kGemmI8RelaxedUsdot, &kGemmI8RelaxedSdot,
#endif
    &kGemmI8Simd128,
#else
    &kGemmI8Generic,
#endif
};

const QBlockKernel* const kPickQBlock[] = {
#if defined(QWASM_KERNELS_X86)
    &kQBlockL4Avx512Vnni, &kQBlockL4Generic, &kQBlockL0Generic,
#elif defined(QWASM_KERNELS_ARM)
    &kQBlockL4Dotprod, &kQBlockL4Generic, &kQBlockL0Generic,
#elif defined(QWASM_KERNELS_RELAXED)
    &kQBlockL4RelaxedI16, &kQBlockL4Relaxed, &kQBlockL0Relaxed,  // every relaxed engine class runs them
#elif defined(QWASM_KERNELS_WASM)
    &kQBlockL4Simd128, &kQBlockL0Simd128,
#else
    &kQBlockL4Generic, &kQBlockL0Generic,
#endif
};

const GemmF32Kernel* const kPickF32[] = {
#if defined(QWASM_KERNELS_X86)
    &kGemmF32Avx512, &kGemmF32Avx2, &kGemmF32Generic,
#elif defined(QWASM_KERNELS_ARM)
    &kGemmF32Neon, &kGemmF32Generic,
#elif defined(QWASM_KERNELS_WASM)
    &kGemmF32Simd128,  // both builds: the unfused mul + add kernel (kernel_table.cc says why)
#else
    &kGemmF32Generic,
#endif
};

template <class T, size_t N>
const T* first_on_host(const T* const (&list)[N], bool (*ok)(const T&)) {
  for (const T* k : list)
    if (runs_on_host(k->info) && ok(*k)) return k;
  return list[N - 1];
}

}  // namespace

const GemmI8Kernel& best_gemm_i8(bool b7) {
  static const GemmI8Kernel* exact = first_on_host(kPickI8, +[](const GemmI8Kernel& k) {
    return (k.info.caveats & kNeedsB7bit) == 0;
  });
  static const GemmI8Kernel* any = first_on_host(kPickI8, +[](const GemmI8Kernel&) { return true; });
  return b7 ? *any : *exact;
}

const QBlockKernel& best_qblock(int level) {
  static const QBlockKernel* l4 = first_on_host(kPickQBlock, +[](const QBlockKernel& k) { return k.accuracy_level == 4; });
  static const QBlockKernel* l0 = first_on_host(kPickQBlock, +[](const QBlockKernel& k) { return k.accuracy_level == 0; });
  return level == 4 ? *l4 : *l0;
}

const GemmF32Kernel& best_gemm_f32() {
  static const GemmF32Kernel* k = first_on_host(kPickF32, +[](const GemmF32Kernel&) { return true; });
  return *k;
}

}  // namespace kernels
}  // namespace qwasm
