// The shared body of the com.microsoft binary QLinear ops (QLinearAdd, QLinearMul):
// inputs (A, A_scale, A_zp?, B, B_scale, B_zp?, C_scale, C_zp?), per-tensor parameters,
// numpy broadcasting, C of A's byte type. Each operand byte has only 256 dequantized
// values, so with constant parameters (always, after the QDQ pass) the whole function of
// the two bytes is tabulated when the session is built (64 KiB) and each output is one
// lookup. An op supplies only its Rule: how a pair of bytes combines (and rounds).
#pragma once
#include <cstdint>
#include <vector>

#include "ops/quant_qlinear_params.h"
#include "ops/registry.h"

namespace qwasm {

// What a Rule is built from: each operand byte's dequantized value and C's parameters.
struct QLinearBinaryParams {
  float ta[256], tb[256];  // [stored byte (int8 reinterpreted as uint8)] -> float
  float sc;
  int32_t zc;
  QRange r;
};

// Reads and checks the six parameters for data type t, naming node n.
inline QLinearBinaryParams qlinear_binary_params(DType t, const Node& n, const Tensor& sa, const Tensor* za,
                                                 const Tensor& sb, const Tensor* zb, const Tensor& sc,
                                                 const Tensor* zc) {
  QLinearBinaryParams p;
  const float a_s = qlinear_scale(sa, n, "A_scale"), b_s = qlinear_scale(sb, n, "B_scale");
  p.sc = qlinear_scale(sc, n, "C_scale");
  const int32_t a_z = qlinear_zero_point(za, t, n, "A_zero_point");
  const int32_t b_z = qlinear_zero_point(zb, t, n, "B_zero_point");
  p.zc = qlinear_zero_point(zc, t, n, "C_zero_point");
  p.r = qrange(t, n.label());
  for (int v = 0; v < 256; ++v) {
    p.ta[v] = float(byte_value(t, v) - a_z) * a_s;
    p.tb[v] = float(byte_value(t, v) - b_z) * b_s;
  }
  return p;
}

// f(x, y) for every pair of stored bytes, at [x * 256 + y].
template <class F>
std::vector<uint8_t> byte_pair_table(const F& f) {
  std::vector<uint8_t> t(65536);
  for (int x = 0; x < 256; ++x)
    for (int y = 0; y < 256; ++y) t[size_t(x * 256 + y)] = f(uint8_t(x), uint8_t(y));
  return t;
}

// Rule: constructible from (const QLinearBinaryParams&, const Node&), with
// uint8_t apply(uint8_t a, uint8_t b) const.
template <class Rule>
class QLinearBinaryKernel : public OpKernel {
 public:
  explicit QLinearBinaryKernel(const BuildContext& bc) : n_(bc.node) {
    const Tensor* p[6];
    const int slots[6] = {kAScale, kAZp, kBScale, kBZp, kCScale, kCZp};
    for (int i = 0; i < 6; ++i) p[i] = bc.const_input(size_t(slots[i]));
    // A constant scale of the wrong shape or type is refused when the session is built.
    for (int i : {0, 2, 4})
      if (p[i]) qlinear_scale(*p[i], n_, i == 0 ? "A_scale" : i == 2 ? "B_scale" : "C_scale");
    for (int i = 0; i < 6; ++i)
      if (!p[i]) return;  // (the zero points give the type)
    // A zero point of another type than A's is refused here, when the session is built.
    const DType t = p[1]->dtype();
    if (!is_byte(t)) return;
    const Rule q(qlinear_binary_params(t, n_, *p[0], p[1], *p[2], p[3], *p[4], p[5]), n_);
    table_ = byte_pair_table([&q](uint8_t x, uint8_t y) { return q.apply(x, y); });
    table_type_ = t;
  }

  void compute(OpContext& ctx) override {
    const Tensor& a = ctx.in(kA);
    const Tensor& b = ctx.in(kB);
    QWASM_CHECK(is_byte(a.dtype()) && b.dtype() == a.dtype(), n_.label(),
                ": A and B must both be uint8 or both int8, got ", dtype_name(a.dtype()), " and ",
                dtype_name(b.dtype()));
    const Shape out = broadcast_shapes(a.shape(), b.shape(), n_.label());
    Tensor& c = ctx.output(0, a.dtype(), out);
    const uint8_t* ap = static_cast<const uint8_t*>(a.raw());
    const uint8_t* bp = static_cast<const uint8_t*>(b.raw());
    uint8_t* cp = static_cast<uint8_t*>(c.raw());
    if (!table_.empty() && table_type_ == a.dtype()) {
      const uint8_t* t = table_.data();
      broadcast_binary(ap, a.shape(), bp, b.shape(), cp, out,
                       [t](uint8_t x, uint8_t y) -> uint8_t { return t[size_t(x) * 256 + y]; });
      return;
    }
    // Parameters computed in the graph: read them now.
    const Rule q(qlinear_binary_params(a.dtype(), n_, ctx.in(kAScale), ctx.input(kAZp), ctx.in(kBScale),
                                       ctx.input(kBZp), ctx.in(kCScale), ctx.input(kCZp)),
                 n_);
    broadcast_binary(ap, a.shape(), bp, b.shape(), cp, out, [&q](uint8_t x, uint8_t y) { return q.apply(x, y); });
  }

 private:
  enum In { kA, kAScale, kAZp, kB, kBScale, kBZp, kCScale, kCZp };
  const Node& n_;
  std::vector<uint8_t> table_;  // [a byte * 256 + b byte] -> c byte, when parameters are constant
  DType table_type_ = DType::Undefined;
};

}  // namespace qwasm
