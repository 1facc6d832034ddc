// f32 GEMM of the simd128 build (mul + add: no fused multiply-add in plain SIMD128).
#include "../wasm-common/gemm_f32_wasm_impl.h"

namespace qwasm {
namespace kernels {

extern const GemmF32Kernel kGemmF32Simd128 =
    gemm_f32_kernel<WasmF32<MaddSimd128>>("gemm_f32_4x8__wasmsimd128", Isa::kWasmSimd128, 0);

}  // namespace kernels
}  // namespace qwasm
