// The quantization family. Files:
//  quant_qdq.cc            QuantizeLinear / DequantizeLinear (per-tensor, per-axis, blocked; int/float8)
//  quant_dynamic.cc        DynamicQuantizeLinear
//  quant_matmul_integer.cc MatMulInteger, com.microsoft MatMulIntegerToFloat / DynamicQuantizeMatMul
//  quant_qlinear.cc        QLinearMatMul
//  quant_conv_integer.cc   ConvInteger, QLinearConv
//  quant_matmulnbits.cc    com.microsoft MatMulNBits
//  int8_gemm.*             how they all reach the int8 GEMM kernels; quant_matmul.* batched MatMul on top
//  quant_common.*          ranges, 4-bit access, float8 codecs, rounding
#include "ops/registry.h"

namespace qwasm {

void register_quant_qdq_ops(OpRegistry& r);
void register_quant_dynamic_ops(OpRegistry& r);
void register_quant_matmul_integer_ops(OpRegistry& r);
void register_quant_qlinear_ops(OpRegistry& r);
void register_quant_conv_integer_ops(OpRegistry& r);
void register_quant_matmulnbits_ops(OpRegistry& r);
void register_quant_qlinear_add_ops(OpRegistry& r);

void register_quant_ops(OpRegistry& r) {
  register_quant_qdq_ops(r);
  register_quant_dynamic_ops(r);
  register_quant_matmul_integer_ops(r);
  register_quant_qlinear_ops(r);
  register_quant_conv_integer_ops(r);
  register_quant_matmulnbits_ops(r);
  register_quant_qlinear_add_ops(r);
}

}  // namespace qwasm
