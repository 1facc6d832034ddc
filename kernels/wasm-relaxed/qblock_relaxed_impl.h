// The relaxed build's MatMulNBits descriptors for one Dot / Madd policy pair, so the
// production kernels (the real instruction) and the test-only emulated engine classes
// (relaxed_emulated.cc) share their names, dot classes and tile.
// Include only from wasm sources; the including TU defines the policies.
#pragma once

#include "qblock_relaxed_i16.h"

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
  // Products summed in int16 (qblock_relaxed_i16.h): exact under every class, claimed for
  // the saturating one only, where it is the faster kernel (one instruction per dot
  // elsewhere: VNNI vpdpbusd, Arm SDOT). Listed before l4(), so it wins there.
  static constexpr QBlockKernel l4_i16() {
    return qblock_kernel<wasm_q::RowsI16<Dot, Madd>, 4>("qblock_l4_q4q8_1x16__wasmrelaxed_i16acc", Isa::kWasmRelaxed,
                                                         dot_bit(QWASM_DOT_USDOT_SAT));
  }
  static constexpr QBlockKernel l0() {
    return qblock_kernel<Q, 0>("qblock_l0_q4q8_1x16__wasmrelaxed", Isa::kWasmRelaxed, kAllDotClasses);
  }
};

}  // namespace relaxed_q
}  // namespace kernels
}  // namespace qwasm
