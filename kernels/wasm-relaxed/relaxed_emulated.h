// Test-only: the relaxed variants instantiated over simd128 emulations of each
// engine class (wasm-common/wasm_dot.h), so every variant is checked under every
// class on any engine. Linked into the parity test, never into the runtime.
#pragma once

#include <cstddef>

#include "qwasm_kernels.h"

namespace qwasm {
namespace kernels {

const GemmI8Kernel* const* relaxed_emulated_gemm_i8(qwasm_dot_class c, size_t* count);
const QBlockKernel* const* relaxed_emulated_qblock(qwasm_dot_class c, size_t* count);

}  // namespace kernels
}  // namespace qwasm
