// QuantizeLinear / DequantizeLinear (per-tensor, per-axis, blocked; 8/16-bit
// and packed 4-bit integers; saturating, round half to even) and
// DynamicQuantizeLinear.
#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/dispatch.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

struct QRange {
  int32_t lo, hi;
};

QRange range_of(DType t, const Node& n) {
  switch (t) {
    case DType::UInt8: return {0, 255};
    case DType::Int8: return {-128, 127};
    case DType::UInt16: return {0, 65535};
    case DType::Int16: return {-32768, 32767};
    case DType::UInt4: return {0, 15};
    case DType::Int4: return {-8, 7};
    case DType::Int32: return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    default: fail(n.label(), ": quantized type ", dtype_name(t), " is not supported");
  }
}

// Reads element i of an integer tensor (4-bit types unpacked, sign-extended).
int32_t get_q(const Tensor& t, int64_t i) {
  if (t.dtype() == DType::UInt4 || t.dtype() == DType::Int4) {
    const uint8_t b = static_cast<const uint8_t*>(t.raw())[i / 2];
    int32_t v = (i & 1) ? b >> 4 : b & 15;
    if (t.dtype() == DType::Int4 && v >= 8) v -= 16;
    return v;
  }
  return int32_t(t.get_i64(i));
}

void set_q(Tensor& t, int64_t i, int32_t v) {
  void* p = t.raw();
  switch (t.dtype()) {
    case DType::UInt8: static_cast<uint8_t*>(p)[i] = uint8_t(v); break;
    case DType::Int8: static_cast<int8_t*>(p)[i] = int8_t(v); break;
    case DType::UInt16: static_cast<uint16_t*>(p)[i] = uint16_t(v); break;
    case DType::Int16: static_cast<int16_t*>(p)[i] = int16_t(v); break;
    case DType::Int32: static_cast<int32_t*>(p)[i] = v; break;
    case DType::UInt4: case DType::Int4: {
      uint8_t& b = static_cast<uint8_t*>(p)[i / 2];
      b = (i & 1) ? uint8_t((b & 0x0f) | ((v & 15) << 4)) : uint8_t((b & 0xf0) | (v & 15));
      break;
    }
    default: break;
  }
}

// Maps element i of x to the index of its scale / zero point.
struct ParamIndex {
  int64_t axis = -1, block = 0, axis_dim = 1, inner = 1;
  int64_t operator()(int64_t i) const {
    if (axis < 0) return 0;
    const int64_t c = (i / inner) % axis_dim;
    if (block == 0) return c;
    // Blocked: scale has the input's shape with the axis divided into blocks.
    const int64_t nb = (axis_dim + block - 1) / block;
    const int64_t outer = i / (inner * axis_dim);
    return (outer * nb + c / block) * inner + i % inner;
  }
};

ParamIndex param_index(const Node& n, const Tensor& x, const Tensor& scale) {
  ParamIndex p;
  if (scale.size() == 1 && scale.rank() <= 1 && n.attr_i("block_size", 0) == 0) return p;
  p.axis = normalize_axis(n.attr_i("axis", 1), x.rank(), n.label());
  p.axis_dim = x.dim(p.axis);
  for (int64_t d = p.axis + 1; d < x.rank(); ++d) p.inner *= x.dim(d);
  p.block = n.attr_i("block_size", 0);
  if (p.block == 0) {
    QWASM_CHECK(scale.rank() == 1 && scale.size() == p.axis_dim, n.label(), ": scale has ", scale.size(),
                " elements, expected ", p.axis_dim, " (axis ", p.axis, ")");
  } else {
    QWASM_CHECK(p.block > 0 && scale.rank() == x.rank(), n.label(), ": blocked scale must have the input's rank");
    QWASM_CHECK(scale.dim(p.axis) == (p.axis_dim + p.block - 1) / p.block, n.label(), ": scale dimension ",
                scale.dim(p.axis), " does not match ceil(", p.axis_dim, " / block_size ", p.block, ")");
  }
  return p;
}

void quantize(OpContext& ctx) {
  const Node& n = ctx.node();
  Tensor x = widen_half(ctx.in(0));
  Tensor scale = widen_half(ctx.in(1));
  const Tensor* zp = ctx.input(2);
  DType out_t = zp ? zp->dtype() : DType::UInt8;
  if (n.attr_i("output_dtype", 0)) {
    DType want = DType(n.attr_i("output_dtype", 0));
    QWASM_CHECK(!zp || zp->dtype() == want, n.label(), ": output_dtype disagrees with the zero point's type");
    out_t = want;
  }
  QWASM_CHECK(x.dtype() == DType::Float32 || x.dtype() == DType::Int32, n.label(), ": input must be float or int32");
  const QRange r = range_of(out_t, n);
  ParamIndex pi = param_index(n, x, scale);
  if (zp) QWASM_CHECK(zp->size() == scale.size(), n.label(), ": zero point and scale differ in size");
  Tensor& y = ctx.output(0, out_t, x.shape());
  for (int64_t i = 0; i < x.size(); ++i) {
    const int64_t k = pi(i);
    const float s = scale.data<float>()[k];
    const double q = std::nearbyint(double(float(x.get_f64(i)) / s)) + (zp ? get_q(*zp, k) : 0);
    set_q(y, i, int32_t(std::clamp<double>(q, r.lo, r.hi)));
  }
}

void dequantize(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const Tensor& scale0 = ctx.in(1);
  Tensor scale = widen_half(scale0);
  const Tensor* zp = ctx.input(2);
  range_of(x.dtype(), n);
  if (zp) {
    QWASM_CHECK(zp->dtype() == x.dtype(), n.label(), ": zero point type ", dtype_name(zp->dtype()),
                " differs from the input's ", dtype_name(x.dtype()));
    QWASM_CHECK(zp->size() == scale.size(), n.label(), ": zero point and scale differ in size");
  }
  ParamIndex pi = param_index(n, x, scale);
  Tensor y(DType::Float32, x.shape());
  for (int64_t i = 0; i < x.size(); ++i) {
    const int64_t k = pi(i);
    y.data<float>()[i] = float(get_q(x, i) - (zp ? get_q(*zp, k) : 0)) * scale.data<float>()[k];
  }
  Tensor& out = ctx.output(0, is_half(scale0.dtype()) ? scale0.dtype() : DType::Float32, x.shape());
  if (is_half(out.dtype())) narrow_half(y, out);
  else std::copy_n(y.data<float>(), y.size(), out.data<float>());
}

void dynamic_quantize(OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  QWASM_CHECK(x.dtype() == DType::Float32, ctx.node().label(), ": input must be float32");
  const float* p = x.data<float>();
  float lo = 0, hi = 0;
  for (int64_t i = 0; i < x.size(); ++i) lo = std::min(lo, p[i]), hi = std::max(hi, p[i]);
  float scale = (hi - lo) / 255.0f;
  const float zpf = scale == 0 ? 0.0f : std::clamp(std::nearbyint(0.0f - lo / scale), 0.0f, 255.0f);
  if (scale == 0) scale = 0;  // all zeros: scale 0, everything quantizes to 0
  Tensor& y = ctx.output(0, DType::UInt8, x.shape());
  uint8_t* q = y.data<uint8_t>();
  for (int64_t i = 0; i < x.size(); ++i) {
    // Dividing (not multiplying by 1/scale) matches the reference rounding exactly.
    const float v = scale == 0 ? 0.0f : std::nearbyint(p[i] / scale) + zpf;
    q[i] = uint8_t(std::clamp(v, 0.0f, 255.0f));
  }
  ctx.output(1, DType::Float32, {}).data<float>()[0] = scale;
  ctx.output(2, DType::UInt8, {}).data<uint8_t>()[0] = uint8_t(zpf);
}

}  // namespace

void register_quant_qdq_ops(OpRegistry& r) {
  r.add_fn("", "QuantizeLinear", 10, quantize);
  r.add_fn("", "DequantizeLinear", 10, dequantize);
  r.add_fn("", "DynamicQuantizeLinear", 11, dynamic_quantize);
}

}  // namespace qwasm
