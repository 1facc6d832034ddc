// f32 GEMM of the relaxed build: f32x4.relaxed_madd (fused where the engine can,
// otherwise mul + add; both stay within the stated bound).
#include "../wasm-common/gemm_f32_wasm_impl.h"
#include "relaxed_dot.h"

namespace qwasm {
namespace kernels {

extern const GemmF32Kernel kGemmF32Relaxed =
    gemm_f32_kernel<WasmF32<MaddRelaxed>>("gemm_f32_4x8__wasmrelaxed_madd", Isa::kWasmRelaxed, kAllDotClasses);

}  // namespace kernels
}  // namespace qwasm
