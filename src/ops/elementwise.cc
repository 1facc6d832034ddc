// The elementwise family, split by kind:
//   elementwise_binary.cc  broadcasting arithmetic, bit ops, PRelu, Min/Max/Sum/Mean
//   elementwise_unary.cc   math functions, activations, Clip
//   compare_logic.cc       comparisons, And/Or/Xor/Not, IsNaN/IsInf, BitwiseNot, Where
//   cast.cc                Cast, CastLike, Identity
// Shared pieces: broadcast.h (numpy broadcasting loops), elementwise_types.h
// (dtype visitor with float16/bfloat16 computed in float32).
#include "ops/registry.h"

namespace qwasm {

void register_elementwise_binary_ops(OpRegistry& r);
void register_elementwise_unary_ops(OpRegistry& r);
void register_compare_logic_ops(OpRegistry& r);
void register_cast_ops(OpRegistry& r);

void register_elementwise_ops(OpRegistry& r) {
  register_elementwise_binary_ops(r);
  register_elementwise_unary_ops(r);
  register_compare_logic_ops(r);
  register_cast_ops(r);
}

}  // namespace qwasm
