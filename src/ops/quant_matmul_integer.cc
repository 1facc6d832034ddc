// Integer MatMuls with an int32 or float result, all over one batched int8 GEMM (quant_matmul.h):
//  MatMulInteger (ai.onnx 10):                 Y int32 = (A - a_zp) x (B - b_zp)
//  MatMulIntegerToFloat (com.microsoft 1):     Y = a_scale * b_scale[n] * (A - a_zp)(B - b_zp) + bias
//  DynamicQuantizeMatMul (com.microsoft 1):    A float is quantized to uint8 per tensor the way
//                                              DynamicQuantizeLinear does, then as above.
// a_zp: scalar or one per row of A; b_zp / b_scale: scalar or one per column of B.
// B (with its zero point) is packed once at build time when constant.
//
// A DynamicQuantizeMatMul may carry a Gather folded into it by the graph pass in
// graph/passes/gather_into_dynamic_matmul.cc (attributes kAttrGather* of graph/private_attrs.h): the result
// is Gather(Y, indices, axis). Over a batch or row axis only the selected rows of A
// are quantized and multiplied, with the quantization parameters still taken from all
// of A, so the result is bit-identical to the unfused pair (an LM head read at the
// last position costs one row instead of the sequence). Over the column axis the
// whole Y is computed and its columns picked.
#include <algorithm>
#include <cstring>
#include <vector>

#include "graph/private_attrs.h"
#include "ops/dtype_switch.h"
#include "ops/quant_common.h"
#include "ops/quant_matmul.h"
#include "ops/registry.h"
#include "ops/shape_util.h"
#include "ops/parallel_gemm.h"
#include "ops/parallel_ranges.h"
#include "ops/row_math.h"

namespace qwasm {
namespace {

enum class Mode { Integer, ToFloat, Dynamic };

struct Slots {
  int a_scale, b_scale, a_zp, b_zp, bias;
};
Slots slots_of(Mode m) {
  switch (m) {
    case Mode::Integer: return {-1, -1, 2, 3, -1};
    case Mode::ToFloat: return {2, 3, 4, 5, 6};
    default: return {-1, 2, -1, 3, 4};
  }
}

const Tensor* opt_input(const OpContext& ctx, int i) { return i < 0 ? nullptr : ctx.input(size_t(i)); }

// x gathered along `axis` at offsets k (checked): shape x[:axis] + index_shape + x[axis+1:].
Tensor gather_axis(const Tensor& x, int64_t axis, const std::vector<int64_t>& k, const Shape& index_shape) {
  Shape shape(x.shape().begin(), x.shape().begin() + axis);
  shape.insert(shape.end(), index_shape.begin(), index_shape.end());
  shape.insert(shape.end(), x.shape().begin() + axis + 1, x.shape().end());
  Tensor out(x.dtype(), shape);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.dim(d);
  for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
  const size_t row = size_t(inner) * dtype_size(x.dtype());
  const int64_t m = int64_t(k.size()), dim = x.dim(axis);
  const char* src = static_cast<const char*>(x.raw());
  char* dst = static_cast<char*>(out.raw());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < m; ++j)
      std::memcpy(dst + size_t(o * m + j) * row, src + size_t(o * dim + k[size_t(j)]) * row, row);
  return out;
}

// y[i] = float(c[i]) * mult[i % N] (+ bias[i % N]) over `total` elements, split across the
// session's threads in contiguous ranges (elementwise, so any split gives the same bits).
void rescale(Parallel& par, const int32_t* c, const float* mult, const float* bias, int64_t N, int64_t total,
             float* y) {
  auto range = [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1;) {
      const int64_t row_end = std::min(i1, (i / N + 1) * N);
      for (int64_t j = i % N; i < row_end; ++i, ++j) y[i] = float(c[i]) * mult[j] + (bias ? bias[j] : 0.0f);
    }
  };
  const int threads = par.threads();
  if (threads < 2 || total < kParallelMinWork) return range(0, total);
  const int pieces = 2 * threads;
  parallel_for(par, pieces, [&](int p) { range(total * p / pieces, total * (p + 1) / pieces); });
}

// dynamic_qparams over all of x, its min / max pass split across the session's threads. The
// pieces' ranges combine exactly: row_min_max starts from 0, ignores NaN and only replaces a
// bound by a strictly smaller / larger value, so the range does not depend on the order. The
// combined [lo, hi] then goes through dynamic_qparams itself (a two-element input with the
// same min and max), which keeps the one formula for scale and zero point.
DynQuant range_qparams(Parallel& par, const float* x, int64_t n) {
  constexpr int64_t kMinPiece = 16 * 1024;
  const int pieces = int(std::min<int64_t>(2 * par.threads(), n / kMinPiece));
  if (par.threads() < 2 || pieces < 2) return dynamic_qparams(x, n);
  std::vector<float> lo(size_t(pieces), 0.0f), hi(size_t(pieces), 0.0f);
  parallel_for(par, pieces, [&](int i) {
    const int64_t b = n * i / pieces, e = n * (i + 1) / pieces;
    row_min_max(x + b, e - b, lo[size_t(i)], hi[size_t(i)]);
  });
  float range[2] = {0.0f, 0.0f};
  for (int i = 0; i < pieces; ++i) {
    range[0] = lo[size_t(i)] < range[0] ? lo[size_t(i)] : range[0];
    range[1] = hi[size_t(i)] > range[1] ? hi[size_t(i)] : range[1];
  }
  return dynamic_qparams(range, 2);
}

class IntMatMul : public OpKernel {
 public:
  IntMatMul(const BuildContext& bc, Mode mode) : n_(bc.node), mode_(mode), s_(slots_of(mode)) {
    const Tensor* b = bc.const_input(1);
    const Tensor* zb = s_.b_zp >= 0 ? bc.const_input(size_t(s_.b_zp)) : nullptr;
    const bool zb_absent = s_.b_zp >= int(n_.inputs.size()) || n_.inputs[size_t(s_.b_zp)].empty();
    if (b && (zb || zb_absent)) packed_ = pack_b(n_, *b, zb);  // also validates b_zero_point
    if (b) {
      const int64_t N = b->rank() == 1 ? 1 : b->dim(b->rank() - 1);
      if (s_.b_scale >= 0)
        if (const Tensor* bs = bc.const_input(size_t(s_.b_scale))) check_scale("b_scale", *bs, N);
      if (s_.bias >= 0)
        if (const Tensor* bias = bc.const_input(size_t(s_.bias)))
          QWASM_CHECK(bias->rank() == 1 && bias->size() == N, n_.label(), ": bias has shape ", shape_str(bias->shape()),
                      ", expected [", N, "]");
    }
    if (s_.a_scale >= 0)
      if (const Tensor* as = bc.const_input(size_t(s_.a_scale))) check_scale("a_scale", *as, 1);
    if (const Tensor* gi = n_.attr_t(kAttrGatherIndices)) {
      QWASM_CHECK(mode_ == Mode::Dynamic, n_.label(), ": a folded Gather is only supported on DynamicQuantizeMatMul");
      gather_indices_ = *gi;
      gather_axis_ = n_.attr_i(kAttrGatherAxis);
      gather_node_.op_type = "Gather";
      gather_node_.name = n_.attr_s(kAttrGatherName, "");
    }
  }

  void compute(OpContext& ctx) override {
    const Tensor& b = ctx.in(1);
    const Tensor* zb = opt_input(ctx, s_.b_zp);
    std::shared_ptr<PackedB> packed = packed_;
    if (!packed) packed = pack_b(n_, b, zb);
    else QWASM_CHECK(b.shape() == packed->shape, n_.label(), ": B changed shape since the session was built");

    // A: given (uint8/int8) or quantized here from float.
    Tensor a = ctx.in(0);
    const Tensor* za = opt_input(ctx, s_.a_zp);
    DynamicA dyn;
    if (mode_ == Mode::Dynamic) {
      dyn = quantize_a(ctx.parallel(), a);
      a = dyn.q;
      za = &dyn.zp;
    }
    QWASM_CHECK(is_byte(a.dtype()), n_.label(), ": A must be uint8 or int8, got ", dtype_name(a.dtype()));
    const IntMatMulShape s = int_matmul_shape(n_, a.shape(), b.shape());
    check_zero_point(n_, "a_zero_point", za, a.dtype(), s.M, "one per row of A");

    if (mode_ == Mode::Integer) {
      Tensor& y = ctx.output(0, DType::Int32, s.out);
      int_matmul(ctx.parallel(), a, za, *packed, s, y.data<int32_t>());
      return;
    }
    float a_scale = dyn.scale;
    if (mode_ == Mode::ToFloat) {
      const Tensor as = widen_half(ctx.in(size_t(s_.a_scale)));
      check_scale("a_scale", as, 1);
      a_scale = as.data<float>()[0];
    }
    Tensor acc(DType::Int32, s.out);
    int_matmul(ctx.parallel(), a, za, *packed, s, acc.data<int32_t>());
    write_float(ctx, s, acc, a_scale, has_gather() && !dyn.rows_gathered);
  }

 private:
  // Dynamic mode's A: quantized to uint8 with the parameters of all of A. With a folded
  // Gather over a row or batch axis of Y only the picked rows are quantized (B is 2-D:
  // Y's leading axes are A's).
  struct DynamicA {
    Tensor q, zp;
    float scale = 1.0f;
    bool rows_gathered = false;
  };
  DynamicA quantize_a(Parallel& par, const Tensor& a) const {
    const Tensor af = widen_half(a);
    QWASM_CHECK(af.dtype() == DType::Float32, n_.label(), ": A must be float32 or float16");
    const DynQuant p = range_qparams(par, af.data<float>(), af.size());
    DynamicA r;
    Tensor rows = af;
    if (has_gather()) {
      QWASM_CHECK(af.rank() >= 1, n_.label(), ": A must have rank >= 1");
      const int64_t axis = normalize_axis(gather_axis_, std::max<int64_t>(af.rank(), 1), gather_node_.label());
      if (af.rank() >= 2 && axis < af.rank() - 1) {
        rows = gather_axis(af, axis, read_indices(gather_indices_, af.dim(axis), gather_node_), gather_indices_.shape());
        r.rows_gathered = true;
      }
    }
    r.q = Tensor(DType::UInt8, rows.shape());
    // Elementwise: split across the session's threads (whole 64-element runs, same bits).
    const float* src = rows.data<float>();
    uint8_t* dst = r.q.data<uint8_t>();
    parallel_ranges(par, rows.size(), 16 * 1024, 64, [&](int64_t b, int64_t e) { quantize_u8(src + b, e - b, p, dst + b); });
    r.scale = p.scale;
    r.zp = Tensor(DType::UInt8, {});
    r.zp.data<uint8_t>()[0] = p.zero_point;
    return r;
  }

  // Y = acc * a_scale * b_scale[n] (+ bias[n]) in the scale input's float type; a folded
  // Gather over Y's last axis (pick_columns) then picks its columns.
  void write_float(OpContext& ctx, const IntMatMulShape& s, const Tensor& acc, float a_scale, bool pick_columns) const {
    const Tensor bs = widen_half(ctx.in(size_t(s_.b_scale)));
    check_scale("b_scale", bs, s.N);
    const Tensor* bias0 = opt_input(ctx, s_.bias);
    const Tensor bias = bias0 ? widen_half(*bias0) : Tensor();
    QWASM_CHECK(!bias0 || (bias.dtype() == DType::Float32 && bias.size() == s.N), n_.label(), ": bias must be float with N = ",
                s.N, " elements");
    std::vector<float> mult(static_cast<size_t>(s.N));
    for (int64_t j = 0; j < s.N; ++j) mult[size_t(j)] = a_scale * bs.data<float>()[bs.size() == 1 ? 0 : j];
    const DType out_t = is_half(ctx.in(size_t(s_.b_scale)).dtype()) ? ctx.in(size_t(s_.b_scale)).dtype() : DType::Float32;
    const bool direct = out_t == DType::Float32 && !pick_columns;
    Tensor yf;
    float* y = nullptr;
    if (direct) {
      y = ctx.output(0, out_t, s.out).data<float>();
    } else {
      yf = Tensor(DType::Float32, s.out);
      y = yf.data<float>();
    }
    rescale(ctx.parallel(), acc.data<int32_t>(), mult.data(), bias0 ? bias.data<float>() : nullptr, s.N, acc.size(), y);
    if (direct) return;
    if (pick_columns) {
      QWASM_CHECK(yf.rank() >= 1, n_.label(), ": result has no axis to gather");
      const int64_t axis = normalize_axis(gather_axis_, yf.rank(), gather_node_.label());
      yf = gather_axis(yf, axis, read_indices(gather_indices_, yf.dim(axis), gather_node_), gather_indices_.shape());
    }
    Tensor& out = ctx.output(0, out_t, yf.shape());
    if (is_half(out_t)) narrow_half(yf, out);
    else std::memcpy(out.raw(), yf.raw(), yf.bytes());
  }


  void check_scale(const char* name, const Tensor& t, int64_t n) const {
    QWASM_CHECK(t.dtype() == DType::Float32 || is_half(t.dtype()), n_.label(), ": ", name, " must be float, got ",
                dtype_name(t.dtype()));
    QWASM_CHECK(scalar_or_len(t, n), n_.label(), ": ", name, " has shape ", shape_str(t.shape()), ", expected a scalar",
                n == 1 ? "" : " or one per column of B (N = ", n == 1 ? "" : std::to_string(n), n == 1 ? "" : ")");
  }

  const Node& n_;
  Mode mode_;
  Slots s_;
  std::shared_ptr<PackedB> packed_;
  // The folded Gather, if any (see the top of the file): gather_axis_ as written there.
  Tensor gather_indices_;
  int64_t gather_axis_ = -1;
  bool has_gather() const { return gather_indices_.dtype() != DType::Undefined; }
  Node gather_node_;
};

OpFactory factory(Mode m) {
  return [m](const BuildContext& bc) { return std::make_unique<IntMatMul>(bc, m); };
}

}  // namespace

void register_quant_matmul_integer_ops(OpRegistry& r) {
  r.add("", "MatMulInteger", 10, factory(Mode::Integer));
  r.add("com.microsoft", "MatMulIntegerToFloat", 1, factory(Mode::ToFloat));
  r.add("com.microsoft", "DynamicQuantizeMatMul", 1, factory(Mode::Dynamic));
}

}  // namespace qwasm
