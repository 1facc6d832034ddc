// The relaxed build's MatMulNBits descriptors for one Dot / Madd policy pair, so the
// production kernels (the real instruction) and the test-only emulated engine classes
// (relaxed_emulated.cc) share their names, dot classes and tile.
// Include only from wasm sources; the including TU defines the policies.
#pragma once

#include "../wasm-common/qblock_wasm_impl.h"

namespace qwasm {
namespace kernels {
namespace relaxed_q {

template <class Dot, class Madd>
struct Variants {
  using Q = wasm_q::Rows<Dot, Madd>;
  // Nibbles sit in the dot's 7-bit operand: exact under every engine class.
  static constexpr QBlockKernel l4() {
    return qblock_kernel<Q, 4>("qblock_l4_q4q8_1x16__wasmrelaxed", Isa::kWasmRelaxed, kAllDotClasses);
  }
  static constexpr QBlockKernel l0() {
    return qblock_kernel<Q, 0>("qblock_l0_q4q8_1x16__wasmrelaxed", Isa::kWasmRelaxed, kAllDotClasses);
  }
};

}  // namespace relaxed_q
}  // namespace kernels
}  // namespace qwasm
