// MatMulNBits kernels of the simd128 build (and the relaxed build's fallback when
// the probe says "broken"): the shared wasm rows with an exact simd128 dot.
#include "../wasm-common/qblock_wasm_impl.h"

namespace qwasm {
namespace kernels {
namespace {
using Q = wasm_q::Rows<SdotExact, MaddSimd128>;
}  // namespace

extern const QBlockKernel kQBlockL4Simd128 =
    qblock_kernel<Q, 4>("qblock_l4_q4q8_1x16__wasmsimd128", Isa::kWasmSimd128, 0);
extern const QBlockKernel kQBlockL0Simd128 =
    qblock_kernel<Q, 0>("qblock_l0_q4q8_1x16__wasmsimd128", Isa::kWasmSimd128, 0);

}  // namespace kernels
}  // namespace qwasm
