// The quantization family. Files:
//  quant_qdq.cc            QuantizeLinear / DequantizeLinear (per-tensor, per-axis, blocked; int/float8)
//  quant_dynamic.cc        DynamicQuantizeLinear
//  quant_matmul_integer.cc MatMulInteger, com.microsoft MatMulIntegerToFloat / DynamicQuantizeMatMul
//  quant_qlinear.cc        QLinearMatMul
//  quant_conv_integer.cc   ConvInteger, QLinearConv
//  quant_matmulnbits.cc    com.microsoft MatMulNBits
//  quant_qlinear_add.cc    com.microsoft QLinearAdd; quant_qlinear_mul.cc QLinearMul
//  quant_qlinear_unary.cc  com.microsoft QLinearSigmoid / QLinearLeakyRelu (256-entry tables)
//  quant_qlinear_pool.cc   com.microsoft QLinearGlobalAveragePool / QLinearAveragePool
//  quant_qlinear_concat.cc com.microsoft QLinearConcat
//  quant_qgemm.cc          com.microsoft QGemm
//  quant_qlinear_softmax.cc com.microsoft QLinearSoftmax
//  quant_qlinear_where.cc  com.microsoft QLinearWhere
//  quant_qlinear_reduce.cc com.microsoft QLinearReduceMean
//  quant_qlinear_params.h  their per-tensor scale / zero point checks
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
void register_quant_qlinear_mul_ops(OpRegistry& r);
void register_quant_qlinear_unary_ops(OpRegistry& r);
void register_quant_qlinear_pool_ops(OpRegistry& r);
void register_quant_qlinear_concat_ops(OpRegistry& r);
void register_quant_qgemm_ops(OpRegistry& r);
void register_quant_qlinear_softmax_ops(OpRegistry& r);
void register_quant_qlinear_where_ops(OpRegistry& r);
void register_quant_qlinear_reduce_ops(OpRegistry& r);
void register_quant_qembed_layer_norm_ops(OpRegistry& r);

void register_quant_ops(OpRegistry& r) {
  register_quant_qdq_ops(r);
  register_quant_dynamic_ops(r);
  register_quant_matmul_integer_ops(r);
  register_quant_qlinear_ops(r);
  register_quant_conv_integer_ops(r);
  register_quant_matmulnbits_ops(r);
  register_quant_qlinear_add_ops(r);
  register_quant_qlinear_mul_ops(r);
  register_quant_qlinear_unary_ops(r);
  register_quant_qlinear_pool_ops(r);
  register_quant_qlinear_concat_ops(r);
  register_quant_qgemm_ops(r);
  register_quant_qlinear_softmax_ops(r);
  register_quant_qlinear_where_ops(r);
  register_quant_qlinear_reduce_ops(r);
  register_quant_qembed_layer_norm_ops(r);
}

}  // namespace qwasm
