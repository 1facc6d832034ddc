// QuantizeLinear / DequantizeLinear, one kernel for opsets 10, 13, 19 and 21:
//  10: per-tensor only; 13: `axis` (per-axis 1-D scales); 19: float16/bfloat16
//  scales, float8 types with `saturate`; 21: `block_size` (blocked scales with the
//  input's rank), 4-bit and 16-bit integer types, QuantizeLinear's `output_dtype`.
// Integers: y = saturate(round_half_even(x / scale) + zp);  x = (q - zp) * scale.
// float8:   y = to_float8(x / scale + zp) (saturating or not); x = (float(q) - float(zp)) * scale.
// Everything that can be checked from constant inputs is checked when the session
// is built, with the same messages the run-time checks give.
#include <cstring>

#include "ops/dtype_switch.h"
#include "ops/quant_common.h"
#include "ops/registry.h"

namespace qwasm {
namespace {

// Maps element i of x to the index of its scale / zero point.
struct ParamIndex {
  int64_t axis = -1, block = 0, axis_dim = 1, inner = 1, blocks = 1;
  int64_t operator()(int64_t i) const {
    if (axis < 0) return 0;
    const int64_t c = (i / inner) % axis_dim;
    if (block == 0) return c;
    // Blocked: the scale has x's shape with the axis divided into blocks.
    const int64_t outer = i / (inner * axis_dim);
    return (outer * blocks + c / block) * inner + i % inner;
  }
};

bool is_per_tensor(const Shape& s) { return s.empty() || (s.size() == 1 && s[0] == 1); }

class Qdq : public OpKernel {
 public:
  Qdq(const BuildContext& bc, bool quantize) : n_(bc.node), quantize_(quantize) {
    const int64_t opset = n_.opset;
    block_ = opset >= 21 ? n_.attr_i("block_size", 0) : 0;
    saturate_ = n_.attr_i("saturate", 1) != 0;
    QWASM_CHECK(block_ >= 0, n_.label(), ": block_size must be >= 0, got ", block_);
    if (n_.has_attr("output_dtype") && n_.attr_i("output_dtype", 0) != 0) {
      const int64_t od = n_.attr_i("output_dtype", 0);
      QWASM_CHECK(dtype_is_valid(int32_t(od)), n_.label(), ": output_dtype ", od, " is not a tensor element type");
      out_dtype_ = DType(od);
      if (quantize_)
        QWASM_CHECK((is_int_quant(out_dtype_) && out_dtype_ != DType::Int32) || is_float8(out_dtype_), n_.label(),
                    ": output_dtype ", dtype_name(out_dtype_), " is not a quantized type");
      else
        QWASM_CHECK(out_dtype_ == DType::Float32 || is_half(out_dtype_), n_.label(), ": output_dtype ",
                    dtype_name(out_dtype_), " must be float32, float16 or bfloat16");
    }
    const Tensor* x = bc.const_input(0);
    const Tensor* scale = bc.const_input(1);
    const Tensor* zp = bc.const_input(2);
    if (scale) check_scale(*scale);
    if (zp) {
      if (quantize_) qtype(zp);  // zero point vs output_dtype
      else if (x) check_dq_zp(*x, *zp);
      QWASM_CHECK(!scale || zp->shape() == scale->shape(), n_.label(), ": zero point shape ", shape_str(zp->shape()),
                  " differs from the scale's ", shape_str(scale->shape()));
    }
    if (x && scale) param_index(x->shape(), scale->shape());
  }

  void compute(OpContext& ctx) override {
    const Tensor& x = ctx.in(0);
    const Tensor& scale0 = ctx.in(1);
    const Tensor* zp = ctx.input(2);
    check_scale(scale0);
    if (zp)
      QWASM_CHECK(zp->shape() == scale0.shape(), n_.label(), ": zero point shape ", shape_str(zp->shape()),
                  " differs from the scale's ", shape_str(scale0.shape()));
    const ParamIndex pi = param_index(x.shape(), scale0.shape());
    const Tensor scale = widen_half(scale0);
    if (quantize_) run_quantize(ctx, x, scale.data<float>(), zp, pi);
    else run_dequantize(ctx, x, scale0.dtype(), scale.data<float>(), zp, pi);
  }

 private:
  // QuantizeLinear's output type: the zero point's, else output_dtype, else uint8.
  DType qtype(const Tensor* zp) const {
    if (zp && out_dtype_ != DType::Undefined)
      QWASM_CHECK(zp->dtype() == out_dtype_, n_.label(), ": zero point type ", dtype_name(zp->dtype()),
                  " differs from output_dtype ", dtype_name(out_dtype_));
    const DType t = zp ? zp->dtype() : out_dtype_ != DType::Undefined ? out_dtype_ : DType::UInt8;
    QWASM_CHECK((is_int_quant(t) && t != DType::Int32) || is_float8(t), n_.label(), ": quantized type ", dtype_name(t),
                " is not supported");
    return t;
  }

  void check_dq_zp(const Tensor& x, const Tensor& zp) const {
    QWASM_CHECK(zp.dtype() == x.dtype(), n_.label(), ": zero point type ", dtype_name(zp.dtype()),
                " differs from the input's ", dtype_name(x.dtype()));
  }

  void check_scale(const Tensor& s) const {
    QWASM_CHECK(s.dtype() == DType::Float32 || is_half(s.dtype()), n_.label(), ": scale must be float32, float16 or ",
                "bfloat16, got ", dtype_name(s.dtype()));
    if (n_.opset < 13)
      QWASM_CHECK(is_per_tensor(s.shape()), n_.label(), ": scale must be a scalar at opset ", n_.opset, ", got shape ",
                  shape_str(s.shape()));
  }

  // Validates the scale's shape against x's and returns the element -> parameter map.
  ParamIndex param_index(const Shape& xs, const Shape& ss) const {
    ParamIndex p;
    if (block_ == 0 && is_per_tensor(ss)) return p;
    const int64_t rank = int64_t(xs.size());
    const int64_t axis = n_.attr_i("axis", 1);
    QWASM_CHECK(axis >= -rank && axis < rank, n_.label(), ": axis ", axis, " is out of range for an input of rank ", rank);
    p.axis = axis < 0 ? axis + rank : axis;
    p.axis_dim = xs[size_t(p.axis)];
    for (int64_t d = p.axis + 1; d < rank; ++d) p.inner *= xs[size_t(d)];
    p.block = block_;
    if (p.block == 0) {
      QWASM_CHECK(ss.size() == 1 && ss[0] == p.axis_dim, n_.label(), ": scale has shape ", shape_str(ss),
                  ", expected a scalar or [", p.axis_dim, "] (dimension ", p.axis, " of input ", shape_str(xs), ")");
      return p;
    }
    p.blocks = (p.axis_dim + p.block - 1) / p.block;
    bool ok = int64_t(ss.size()) == rank;
    for (int64_t d = 0; ok && d < rank; ++d) ok = ss[size_t(d)] == (d == p.axis ? p.blocks : xs[size_t(d)]);
    if (!ok) {
      Shape want = xs;
      want[size_t(p.axis)] = p.blocks;
      fail(n_.label(), ": blocked scale has shape ", shape_str(ss), ", expected ", shape_str(want), " (input ",
           shape_str(xs), " with axis ", p.axis, " in blocks of block_size ", p.block, ")");
    }
    return p;
  }

  void run_quantize(OpContext& ctx, const Tensor& x0, const float* scale, const Tensor* zp, const ParamIndex& pi) const {
    const DType t = qtype(zp);
    const Tensor x = widen_half(x0);
    QWASM_CHECK(x.dtype() == DType::Float32 || x.dtype() == DType::Int32, n_.label(),
                ": input must be float32, float16, bfloat16 or int32, got ", dtype_name(x0.dtype()));
    Tensor& y = ctx.output(0, t, x.shape());
    const int64_t n = x.size();
    auto xv = [&](int64_t i) { return x.dtype() == DType::Float32 ? x.data<float>()[i] : float(x.data<int32_t>()[i]); };
    if (is_float8(t)) {
      uint8_t* q = static_cast<uint8_t*>(y.raw());
      for (int64_t i = 0; i < n; ++i) {
        const int64_t k = pi(i);
        const float z = zp ? f8_to_float(static_cast<const uint8_t*>(zp->raw())[k], t) : 0.0f;
        q[i] = float_to_f8(xv(i) / scale[k] + z, t, saturate_);
      }
      return;
    }
    const QRange r = qrange(t, n_.label());
    if (is_int4(t)) std::memset(y.raw(), 0, y.bytes());
    if (pi.axis < 0 && (t == DType::UInt8 || t == DType::Int8) && x.dtype() == DType::Float32) {
      // Per-tensor 8-bit: the hot path of QDQ activations.
      const float s = scale[0], z = float(zp ? get_q(*zp, 0) : 0);
      const float* xp = x.data<float>();
      if (t == DType::UInt8) {
        uint8_t* q = y.data<uint8_t>();
        for (int64_t i = 0; i < n; ++i) q[i] = uint8_t(round_clamp(std::nearbyint(xp[i] / s) + z, 0, 255));
      } else {
        int8_t* q = y.data<int8_t>();
        for (int64_t i = 0; i < n; ++i) q[i] = int8_t(round_clamp(std::nearbyint(xp[i] / s) + z, -128, 127));
      }
      return;
    }
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = pi(i);
      set_q(y, i, round_clamp(std::nearbyint(xv(i) / scale[k]) + float(zp ? get_q(*zp, k) : 0), r.lo, r.hi));
    }
  }

  void run_dequantize(OpContext& ctx, const Tensor& x, DType scale_t, const float* scale, const Tensor* zp,
                      const ParamIndex& pi) const {
    const DType t = x.dtype();
    QWASM_CHECK(is_int_quant(t) || is_float8(t), n_.label(), ": input type ", dtype_name(t), " is not a quantized type");
    if (zp) check_dq_zp(x, *zp);
    if (zp && t == DType::Int32)
      for (int64_t i = 0; i < zp->size(); ++i)
        QWASM_CHECK(get_q(*zp, i) == 0, n_.label(), ": an int32 input requires a zero point of 0");
    const DType out_t = out_dtype_ != DType::Undefined ? out_dtype_ : is_half(scale_t) ? scale_t : DType::Float32;
    Tensor yf = out_t == DType::Float32 ? Tensor() : Tensor(DType::Float32, x.shape());
    Tensor& y = ctx.output(0, out_t, x.shape());
    float* yp = out_t == DType::Float32 ? y.data<float>() : yf.data<float>();
    const int64_t n = x.size();
    if (is_float8(t)) {
      const uint8_t* q = static_cast<const uint8_t*>(x.raw());
      for (int64_t i = 0; i < n; ++i) {
        const int64_t k = pi(i);
        const float z = zp ? f8_to_float(static_cast<const uint8_t*>(zp->raw())[k], t) : 0.0f;
        yp[i] = (f8_to_float(q[i], t) - z) * scale[k];
      }
    } else if (pi.axis < 0 && (t == DType::UInt8 || t == DType::Int8)) {
      const int32_t z = zp ? get_q(*zp, 0) : 0;
      const float s = scale[0];
      for (int64_t i = 0; i < n; ++i) yp[i] = float(byte_at(x, i) - z) * s;
    } else {
      for (int64_t i = 0; i < n; ++i) {
        const int64_t k = pi(i);
        yp[i] = float(int64_t(get_q(x, i)) - (zp ? get_q(*zp, k) : 0)) * scale[k];
      }
    }
    if (out_t != DType::Float32) narrow_half(yf, y);
  }

  const Node& n_;
  bool quantize_;
  int64_t block_ = 0;
  bool saturate_ = true;
  DType out_dtype_ = DType::Undefined;
};

}  // namespace

void register_quant_qdq_ops(OpRegistry& r) {
  r.add("", "QuantizeLinear", 10, [](const BuildContext& bc) { return std::make_unique<Qdq>(bc, true); });
  r.add("", "DequantizeLinear", 10, [](const BuildContext& bc) { return std::make_unique<Qdq>(bc, false); },
        kNeverFold);
}

}  // namespace qwasm
