// MatMulNBits kernels of the relaxed build: nibbles in the 7-bit operand of the real
// relaxed dot (exact on every engine class) and relaxed_madd for level 0.
#include "../wasm-simd128/qblock_wasm_impl.h"
#include "relaxed_dot.h"

namespace qwasm {
namespace kernels {
namespace {
using Q = wasm_q::Rows<RelaxedDot, MaddRelaxed>;
}  // namespace

extern const QBlockKernel kQBlockL4Relaxed = {
    {"qblock_l4_q4q8_1x16__wasmrelaxed", Isa::kWasmRelaxed, kAllDotClasses, 1, 16, 8, kCaveatNone}, 4,
    qblock_drive_l4<Q>};
extern const QBlockKernel kQBlockL0Relaxed = {
    {"qblock_l0_q4q8_1x16__wasmrelaxed", Isa::kWasmRelaxed, kAllDotClasses, 1, 16, 8, kCaveatNone}, 0,
    qblock_drive_l0<Q>};

}  // namespace kernels
}  // namespace qwasm
