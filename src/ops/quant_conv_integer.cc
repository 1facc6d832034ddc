// Integer convolutions over the int8 GEMM kernels (1-D/2-D/3-D, groups, strides,
// dilations, pads, auto_pad):
//  ConvInteger (ai.onnx 10): Y int32 = conv(X - x_zp, W - w_zp); X and W each uint8 or int8.
//  QLinearConv (ai.onnx 10): y = saturate(round((conv(X - x_zp, W - w_zp) + B) * x_scale * w_scale[m] / y_scale) + y_zp)
// x_zp is per tensor, w_zp / w_scale per tensor or per output channel. X is unfolded
// into one row per output position, padding with x_zp so padded taps contribute 0;
// that is the GEMM's A (x_zp per tensor) and W^T, per group, its B (w_zp per column),
// packed for the dispatched kernel (ops/int8_gemm.h) once at build time when W is
// constant, else on each call.
#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>

#include "graph/private_attrs.h"
#include "ops/parallel_gemm.h"
#include "ops/conv_geometry.h"
#include "ops/int8_gemm.h"
#include "ops/dtype_switch.h"
#include "ops/quant_conv_requant.h"
#include "ops/quant_depthwise.h"
#include "ops/quant_common.h"
#include "ops/registry.h"
#include "qwasm_kernels.h"

namespace qwasm {
namespace {

// Scratch shared by every convolution run on this thread (one call at a time; workers
// helping that call use the caller's): per-node
// buffers would add up to hundreds of MB over a CNN. It only ever grows: resize() down
// then up would zero-fill it again on every call.
struct Scratch {
  std::vector<int32_t> acc;
  std::vector<uint8_t> rows, tile;
};
thread_local Scratch scratch;
template <typename T> T* grow(std::vector<T>& v, int64_t n) {
  if (v.size() < size_t(n)) v.resize(size_t(n));
  return v.data();
}

// rows[o, c * kk + k] = x[c, input position of output o under kernel tap k], `pad` outside,
// for outputs o in [o_begin, o_end).
void im2row(const uint8_t* x, int64_t channels, const ConvGeometry& g, uint8_t pad, uint8_t* rows, int64_t o_begin,
            int64_t o_end) {
  const size_t r = g.in.size();
  const int64_t kk = g.kernel_size(), K = channels * kk;
  int64_t in_size = 1;
  for (int64_t d : g.in) in_size *= d;
  std::vector<int64_t> off(static_cast<size_t>(kk)), oidx(r), kidx(r);
  for (int64_t o = o_begin; o < o_end; ++o) {
    int64_t rem = o;
    for (size_t d = r; d-- > 0;) oidx[d] = rem % g.out[d], rem /= g.out[d];
    for (int64_t k = 0; k < kk; ++k) {
      int64_t krem = k, pos = 0, mul = 1;
      for (size_t d = r; d-- > 0;) kidx[d] = krem % g.kernel[d], krem /= g.kernel[d];
      for (size_t d = r; d-- > 0;) {
        const int64_t p = oidx[d] * g.stride[d] - g.pad_lo[d] + kidx[d] * g.dilation[d];
        if (p < 0 || p >= g.in[d]) { pos = -1; break; }
        pos += p * mul;
        mul *= g.in[d];
      }
      off[size_t(k)] = pos;
    }
    uint8_t* row = rows + o * K;
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t k = 0; k < kk; ++k) row[c * kk + k] = off[size_t(k)] < 0 ? pad : x[c * in_size + off[size_t(k)]];
  }
}

struct Slots {
  int x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, bias;
};
constexpr Slots kConvInteger{0, -1, 2, 1, -1, 3, -1, -1, -1};
constexpr Slots kQLinearConv{0, 1, 2, 3, 4, 5, 6, 7, 8};

class IntConv : public OpKernel {
 public:
  IntConv(const BuildContext& bc, bool qlinear) : n_(bc.node), q_(qlinear), s_(qlinear ? kQLinearConv : kConvInteger) {
    group_ = n_.attr_i("group", 1);
    QWASM_CHECK(group_ > 0, n_.label(), ": group must be positive, got ", group_);
    const Tensor* w = bc.const_input(size_t(s_.w));
    const Tensor* wz = bc.const_input(size_t(s_.w_zp));
    if (w && (wz || absent(s_.w_zp))) {
      check_weights(*w, wz);
      if (w->rank() == 4 && w->dim(1) == 1 && w->dim(0) == group_) {
        // Depthwise: the direct path (quant_depthwise.cc), no GEMM packing needed.
        std::vector<int32_t> z;
        for (int64_t i = 0; wz && i < wz->size(); ++i) z.push_back(byte_at(*wz, i));
        dw_ = depthwise_weights(static_cast<const uint8_t*>(w->raw()), w->dtype() == DType::Int8, group_,
                                w->dim(2) * w->dim(3), z.data(), int64_t(z.size()));
      } else {
        packed_w_ = pack_weights(*w, wz);
      }
    }
    if (const Tensor* xz = bc.const_input(size_t(s_.x_zp)))
      QWASM_CHECK(xz->size() == 1 && is_byte(xz->dtype()), n_.label(), ": x_zero_point must be a uint8 or int8 scalar, got ",
                  dtype_name(xz->dtype()), " ", shape_str(xz->shape()));
    if (q_ && w)
      if (const Tensor* ws = bc.const_input(size_t(s_.w_scale))) check_scale("w_scale", *ws, w->dim(0));
    if (q_)
      if (const Tensor* ys = bc.const_input(size_t(s_.y_scale))) check_scale("y_scale", *ys, 1);
  }

  void compute(OpContext& ctx) override {
    Call c = prepare(ctx);
    if (dw_.channels == c.C && c.M == c.C && c.cg == 1 && c.g.in.size() == 2) run_depthwise(ctx, c);
    else run_gemm(ctx, c);
  }

 private:
  // One call's validated shapes, geometry and output pointers.
  struct Call {
    const Tensor* x = nullptr;
    const Tensor* w = nullptr;
    const Tensor* wz = nullptr;
    ConvGeometry g;
    int64_t N = 0, C = 0, M = 0, cg = 0, mg = 0, kk = 0, O = 0, K = 0, in_size = 1;
    int32_t xzv = 0;
    const uint8_t* xb = nullptr;
    bool x_signed = false;
    std::unique_ptr<ConvRequant> rq;  // QLinearConv: requantization into the byte output yq
    uint8_t* yq = nullptr;
    int32_t* yi = nullptr;            // ConvInteger: the int32 output
  };

  Call prepare(OpContext& ctx) {
    Call c;
    const Tensor& x = ctx.in(size_t(s_.x));
    const Tensor& w = ctx.in(size_t(s_.w));
    const Tensor* xz = ctx.input(size_t(s_.x_zp));
    c.x = &x, c.w = &w, c.wz = ctx.input(size_t(s_.w_zp));
    QWASM_CHECK(is_byte(x.dtype()), n_.label(), ": x must be uint8 or int8, got ", dtype_name(x.dtype()));
    check_weights(w, c.wz);
    QWASM_CHECK(x.rank() >= 3 && w.rank() == x.rank(), n_.label(), ": x ", shape_str(x.shape()), " and w ",
                shape_str(w.shape()), " must have the same rank >= 3");
    c.N = x.dim(0), c.C = x.dim(1), c.M = w.dim(0);
    QWASM_CHECK(c.C % group_ == 0 && w.dim(1) == c.C / group_, n_.label(), ": w shape ", shape_str(w.shape()),
                " does not match ", c.C, " input channels in ", group_, " groups");
    if (xz)
      QWASM_CHECK(xz->size() == 1 && xz->dtype() == x.dtype(), n_.label(), ": x_zero_point must be a ",
                  dtype_name(x.dtype()), " scalar, got ", dtype_name(xz->dtype()), " ", shape_str(xz->shape()));
    std::vector<int64_t> in(x.shape().begin() + 2, x.shape().end()), ks(w.shape().begin() + 2, w.shape().end());
    if (n_.has_attr("kernel_shape"))
      QWASM_CHECK(n_.attr_ints("kernel_shape") == ks, n_.label(), ": kernel_shape disagrees with w ", shape_str(w.shape()));
    c.g = ConvGeometry::make(n_, in, ks);
    Shape out_shape = {c.N, c.M};
    out_shape.insert(out_shape.end(), c.g.out.begin(), c.g.out.end());
    c.cg = c.C / group_, c.mg = c.M / group_, c.kk = c.g.kernel_size(), c.O = c.g.out_size(), c.K = c.cg * c.kk;
    for (int64_t d : in) c.in_size *= d;
    c.xzv = xz ? byte_at(*xz, 0) : 0;
    c.xb = static_cast<const uint8_t*>(x.raw());
    c.x_signed = x.dtype() == DType::Int8;
    DType yt = DType::Undefined;
    if (q_) {
      c.rq = make_requant(ctx, x, c.M, yt);
      c.yq = static_cast<uint8_t*>(ctx.output(0, yt, out_shape).raw());
    } else {
      c.yi = ctx.output(0, DType::Int32, out_shape).data<int32_t>();
    }
    return c;
  }

  // Depthwise 2-D: the direct path (quant_depthwise.cc), then requantization by channel rows.
  void run_depthwise(OpContext& ctx, const Call& c) const {
    // The calling thread's scratch; worker threads write into it too (disjoint rows).
    Scratch& sc = scratch;
    const int64_t M = c.M, O = c.O;
    if (q_) grow(sc.acc, M * O);
    for (int64_t b = 0; b < c.N; ++b) {
      depthwise_conv(ctx.parallel(), c.xb + b * c.C * c.in_size, c.x_signed, c.xzv, dw_, c.g,
                     q_ ? sc.acc.data() : c.yi + b * M * O);
      if (!q_) continue;
      const int pieces = M * O < kParallelMinWork ? 1 : int(std::min<int64_t>(M, ctx.parallel().threads()));
      parallel_for(ctx.parallel(), pieces, [&](int p) {
        for (int64_t m = M * p / pieces; m < M * (p + 1) / pieces; ++m)
          c.rq->row(sc.acc.data() + m * O, O, m, c.yq + (b * M + m) * O);
      });
    }
  }

  // Every other convolution: per image and group, unfold positions into [O, K] rows and
  // multiply by the group's packed weights. Output positions are independent from
  // unfolding to the NCHW store, so threads take whole chunks of them through every step
  // (the byte shuffles cost as much as the GEMM on MobileNet's 1x1 layers). Chunks are
  // multiples of 32 positions (whole transpose tiles and kernel row tiles): results do
  // not depend on the split.
  void run_gemm(OpContext& ctx, const Call& c) const {
    // The calling thread's scratch; worker threads write into it too (disjoint rows).
    Scratch& sc = scratch;
    const int64_t O = c.O, K = c.K, mg = c.mg;
    // A 1x1 kernel with unit strides and no padding reads every input position once,
    // in order: its im2row is a plain [cg, O] -> [O, cg] transpose.
    bool pointwise = c.kk == 1 && O == c.in_size;
    for (size_t d = 0; d < c.g.in.size(); ++d)
      pointwise = pointwise && c.g.stride[d] == 1 && c.g.pad_lo[d] == 0 && c.g.out[d] == c.g.in[d];
    grow(sc.rows, O * K);
    // W per group as the kernel's B: packed at build time, else now.
    I8PackedB local;
    const I8PackedB* wk = &packed_w_;
    if (!packed_w_.kernel) {
      local = pack_weights(*c.w, c.wz);
      wk = &local;
    }
    grow(sc.acc, O * mg);
    if (q_) grow(sc.tile, O * mg);
    constexpr int64_t kChunk = 32;
    const int64_t units = (O + kChunk - 1) / kChunk;
    const int threads = ctx.parallel().threads();
    const int pieces = threads < 2 || O * mg * K < kParallelMinWork ? 1 : int(std::min<int64_t>(units, 2 * threads));
    for (int64_t b = 0; b < c.N; ++b)
      for (int64_t gi = 0; gi < group_; ++gi)
        parallel_for(ctx.parallel(), pieces, [&](int piece) {
          const int64_t o0 = std::min(O, units * piece / pieces * kChunk);
          const int64_t o1 = std::min(O, units * (piece + 1) / pieces * kChunk);
          if (o0 >= o1) return;
          // Rows [o0, o1) of image b, group gi's [O, K] GEMM operand.
          const uint8_t* xg = c.xb + (b * c.C + gi * c.cg) * c.in_size;
          if (pointwise) transpose_bytes(xg + o0, c.cg, o1 - o0, c.in_size, sc.rows.data() + o0 * K, c.cg);
          else im2row(xg, c.cg, c.g, uint8_t(c.xzv), sc.rows.data(), o0, o1);
          kernels::GemmI8Args ga;
          ga.A = sc.rows.data() + o0 * K, ga.lda = K, ga.a_signed = c.x_signed;
          ga.za = c.xzv, ga.C = sc.acc.data() + o0 * mg, ga.ldc = mg;
          gemm_i8_rows(serial(), *wk, size_t(gi), o1 - o0, ga);
          store_chunk(c, sc, b, gi, o0, o1);
        });
  }

  // The GEMM wrote [positions, mg] accumulators: requantize in that layout (vectorized
  // across channels), then transpose the bytes into NCHW; or store the int32 values.
  // `sc` is the calling thread's scratch (this runs on workers, whose own is not it).
  void store_chunk(const Call& c, Scratch& sc, int64_t b, int64_t gi, int64_t o0, int64_t o1) const {
    const int64_t O = c.O, mg = c.mg;
    if (q_) {
      c.rq->tile(sc.acc.data() + o0 * mg, o1 - o0, mg, gi * mg, sc.tile.data() + o0 * mg);
      transpose_bytes(sc.tile.data() + o0 * mg, o1 - o0, mg, c.yq + (b * c.M + gi * mg) * O + o0, O);
    } else {
      int32_t* yg = c.yi + (b * c.M + gi * mg) * O;
      for (int64_t o = o0; o < o1; ++o)
        for (int64_t m = 0; m < mg; ++m) yg[m * O + o] = sc.acc[size_t(o * mg + m)];
    }
  }

  bool absent(int i) const { return i >= int(n_.inputs.size()) || n_.inputs[size_t(i)].empty(); }

  void check_weights(const Tensor& w, const Tensor* wz) const {
    QWASM_CHECK(is_byte(w.dtype()), n_.label(), ": w must be uint8 or int8, got ", dtype_name(w.dtype()));
    QWASM_CHECK(w.rank() >= 3, n_.label(), ": w must have rank >= 3, got ", shape_str(w.shape()));
    QWASM_CHECK(w.dim(0) % group_ == 0, n_.label(), ": ", w.dim(0), " output channels do not divide into ", group_,
                " groups");
    if (wz) {
      QWASM_CHECK(wz->dtype() == w.dtype(), n_.label(), ": w_zero_point has type ", dtype_name(wz->dtype()),
                  ", expected ", dtype_name(w.dtype()), " (the type of w)");
      QWASM_CHECK(scalar_or_len(*wz, w.dim(0)), n_.label(), ": w_zero_point has shape ", shape_str(wz->shape()),
                  ", expected a scalar or one per output channel (", w.dim(0), ")");
    }
  }

  void check_scale(const char* name, const Tensor& t, int64_t n) const {
    QWASM_CHECK(t.dtype() == DType::Float32 || is_half(t.dtype()), n_.label(), ": ", name, " must be float, got ",
                dtype_name(t.dtype()));
    QWASM_CHECK(n == 1 ? t.size() == 1 : scalar_or_len(t, n), n_.label(), ": ", name, " has shape ", shape_str(t.shape()),
                n == 1 ? ", expected a scalar" : ", expected a scalar or one per output channel (",
                n == 1 ? "" : std::to_string(n) + ")");
  }

  // W [M, C/group, k...] per group as the kernel's B: element (k, n) = W[gi*mg + n, k].
  I8PackedB pack_weights(const Tensor& w, const Tensor* wz) const {
    const int64_t M = w.dim(0), mg = M / group_, K = M ? w.size() / M : 0;
    const uint8_t* base = static_cast<const uint8_t*>(w.raw());
    const std::vector<int32_t> z = zero_point_values(wz);
    std::vector<kernels::GemmI8PackArgs> args(static_cast<size_t>(group_));
    for (int64_t gi = 0; gi < group_; ++gi) {
      kernels::GemmI8PackArgs& pa = args[size_t(gi)];
      pa.K = int(std::min<int64_t>(K, INT_MAX)), pa.N = int(std::min<int64_t>(mg, INT_MAX));
      pa.B = base + gi * mg * K, pa.stride_k = 1, pa.stride_n = K;
      pa.b_signed = w.dtype() == DType::Int8;
      if (wz) {
        pa.zb = z.size() == 1 ? z.data() : z.data() + gi * mg;
        pa.zb_per_column = z.size() > 1;
      }
    }
    return pack_i8_b(args, n_.label());
  }

  // Checks the scales and zero point of QLinearConv and sets up the requantization.
  std::unique_ptr<ConvRequant> make_requant(OpContext& ctx, const Tensor& x, int64_t M, DType& yt) {
    const Tensor xs = widen_half(ctx.in(size_t(s_.x_scale))), ws = widen_half(ctx.in(size_t(s_.w_scale))),
                 ys = widen_half(ctx.in(size_t(s_.y_scale)));
    check_scale("x_scale", xs, 1);
    check_scale("w_scale", ws, M);
    check_scale("y_scale", ys, 1);
    const Tensor* zy = ctx.input(size_t(s_.y_zp));
    yt = zy ? zy->dtype() : x.dtype();
    QWASM_CHECK(is_byte(yt) && (!zy || zy->size() == 1), n_.label(), ": y_zero_point must be a uint8 or int8 scalar");
    const Tensor* bias = ctx.input(size_t(s_.bias));
    QWASM_CHECK(!bias || (bias->dtype() == DType::Int32 && bias->size() == M), n_.label(),
                ": B (bias) must be int32 with one value per output channel (", M, ")");
    QRange r = qrange(yt, n_.label());
    // Set by the QDQ pass when it folds a Relu / Clip into the output quantization.
    r.lo = std::max<int32_t>(r.lo, int32_t(n_.attr_i(kAttrActLo, r.lo)));
    r.hi = std::min<int32_t>(r.hi, int32_t(n_.attr_i(kAttrActHi, r.hi)));
    std::vector<float> mult(static_cast<size_t>(M));
    for (int64_t m = 0; m < M; ++m)
      mult[size_t(m)] = xs.data<float>()[0] * ws.data<float>()[ws.size() == 1 ? 0 : m] / ys.data<float>()[0];
    return std::make_unique<ConvRequant>(mult, bias ? bias->data<int32_t>() : nullptr, zy ? byte_at(*zy, 0) : 0, r.lo,
                                         r.hi);
  }

  const Node& n_;
  bool q_;
  Slots s_;
  int64_t group_ = 1;
  DepthwiseWeights dw_;  // constant depthwise W (channels == 0 otherwise)
  I8PackedB packed_w_;   // constant non-depthwise W per group in the kernel's layout, else empty
};

}  // namespace

void register_quant_conv_integer_ops(OpRegistry& r) {
  r.add("", "ConvInteger", 10, [](const BuildContext& bc) { return std::make_unique<IntConv>(bc, false); });
  r.add("", "QLinearConv", 10, [](const BuildContext& bc) { return std::make_unique<IntConv>(bc, true); });
}

}  // namespace qwasm
