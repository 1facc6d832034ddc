// The quantization family: Q/DQ, DynamicQuantizeLinear, MatMulInteger, MatMulNBits.
#include "ops/registry.h"

namespace qwasm {

void register_quant_qdq_ops(OpRegistry& r);
void register_quant_matmul_integer_ops(OpRegistry& r);
void register_quant_matmulnbits_ops(OpRegistry& r);

void register_quant_ops(OpRegistry& r) {
  register_quant_qdq_ops(r);
  register_quant_matmul_integer_ops(r);
  register_quant_matmulnbits_ops(r);
}

}  // namespace qwasm
