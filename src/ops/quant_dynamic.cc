// DynamicQuantizeLinear (ai.onnx 11): uint8 quantization with parameters from the
// data: scale = (max(0, max(x)) - min(0, min(x))) / 255, zero point =
// saturate(round_half_even(-min / scale)); y = saturate(round(x / scale) + zp).
#include "ops/dtype_switch.h"
#include "ops/quant_common.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

void dynamic_quantize(OpContext& ctx) {
  const Tensor x = widen_half(ctx.in(0));
  QWASM_CHECK(x.dtype() == DType::Float32, ctx.node().label(), ": input must be float32 or float16, got ",
              dtype_name(ctx.in(0).dtype()));
  const DynQuant p = dynamic_qparams(x.data<float>(), x.size());
  quantize_u8(x.data<float>(), x.size(), p, ctx.output(0, DType::UInt8, x.shape()).data<uint8_t>());
  ctx.output(1, DType::Float32, {}).data<float>()[0] = p.scale;
  ctx.output(2, DType::UInt8, {}).data<uint8_t>()[0] = p.zero_point;
}

}  // namespace

void register_quant_dynamic_ops(OpRegistry& r) { r.add_fn("", "DynamicQuantizeLinear", 11, dynamic_quantize); }

}  // namespace qwasm
