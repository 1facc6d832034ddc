// The elementwise family: binary (broadcasting), unary, and misc (Cast, Where).
#include "ops/registry.h"

namespace qwasm {

void register_elementwise_binary_ops(OpRegistry& r);
void register_elementwise_unary_ops(OpRegistry& r);
void register_elementwise_misc_ops(OpRegistry& r);

void register_elementwise_ops(OpRegistry& r) {
  register_elementwise_binary_ops(r);
  register_elementwise_unary_ops(r);
  register_elementwise_misc_ops(r);
}

}  // namespace qwasm
