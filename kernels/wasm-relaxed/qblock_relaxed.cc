// MatMulNBits kernels of the relaxed build: nibbles in the 7-bit operand of the real
// relaxed dot (exact on every engine class) and relaxed_madd for level 0.
#include "qblock_relaxed_impl.h"
#include "relaxed_dot.h"

namespace qwasm {
namespace kernels {
namespace {
using V = relaxed_q::Variants<RelaxedDot, MaddRelaxed>;
}  // namespace

extern const QBlockKernel kQBlockL4RelaxedI16 = V::l4_i16();
extern const QBlockKernel kQBlockL4Relaxed = V::l4();
extern const QBlockKernel kQBlockL0Relaxed = V::l0();

}  // namespace kernels
}  // namespace qwasm
