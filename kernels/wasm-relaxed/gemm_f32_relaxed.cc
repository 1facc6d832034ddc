// f32 GEMM of the relaxed build: f32x4.relaxed_madd (fused where the engine can,
// otherwise mul + add; both stay within the stated bound).
#include "../wasm-simd128/gemm_f32_wasm_impl.h"
#include "relaxed_dot.h"

namespace qwasm {
namespace kernels {

extern const GemmF32Kernel kGemmF32Relaxed = {
    {"gemm_f32_4x8__wasmrelaxed_madd", Isa::kWasmRelaxed, kAllDotClasses, 4, 8, 1, kCaveatNone},
    gemm_f32_drive<WasmF32<MaddRelaxed>>};

}  // namespace kernels
}  // namespace qwasm
