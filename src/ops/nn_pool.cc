// MaxPool (with Indices), AveragePool, GlobalAveragePool, GlobalMaxPool.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ops/conv_geometry.h"
#include "ops/dtype_switch.h"
#include "ops/registry.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace qwasm {
namespace {

bool is_byte_int(DType d) { return d == DType::UInt8 || d == DType::Int8; }

// MaxPool also takes int8/uint8 (opset 12): every such value is exact in float32,
// so the float path computes them and the result converts back without rounding.
Tensor pool_input_f32(const Tensor& x0) {
  if (!is_byte_int(x0.dtype())) return widen_half(x0);
  Tensor x(DType::Float32, x0.shape());
  for (int64_t i = 0; i < x0.size(); ++i) x.data<float>()[i] = float(x0.get_f64(i));
  return x;
}

// One 2-D plane without dilation or indices: each window clipped to the input once
// (no per-element bounds tests). The same sums in the same order as the general loop.
// Outputs rows [oh_a, oh_b) x columns [ow_a, ow_b) only.
template <bool Max>
void pool_plane_2d(const ConvGeometry& g, bool include_pad, const float* x, float* y, int64_t oh_a, int64_t oh_b,
                   int64_t ow_a, int64_t ow_b) {
  const int64_t H = g.in[0], W = g.in[1];
  for (int64_t oh = oh_a; oh < oh_b; ++oh) {
    const int64_t h0 = oh * g.stride[0] - g.pad_lo[0];
    const int64_t ha = std::max<int64_t>(h0, 0), hb = std::min(h0 + g.kernel[0], H);
    const int64_t pha = std::max(h0, -g.pad_lo[0]), phb = std::min(h0 + g.kernel[0], H + g.pad_hi[0]);
    for (int64_t ow = ow_a; ow < ow_b; ++ow) {
      const int64_t w0 = ow * g.stride[1] - g.pad_lo[1];
      const int64_t wa = std::max<int64_t>(w0, 0), wb = std::min(w0 + g.kernel[1], W);
      const int64_t pwa = std::max(w0, -g.pad_lo[1]), pwb = std::min(w0 + g.kernel[1], W + g.pad_hi[1]);
      const int64_t count = std::max<int64_t>(0, hb - ha) * std::max<int64_t>(0, wb - wa);
      // Max starts from the window's first value, as the general loop does (a NaN there stays).
      float acc = Max ? (count ? x[ha * W + wa] : -std::numeric_limits<float>::infinity()) : 0.0f;
      for (int64_t h = ha; h < hb; ++h)
        for (int64_t w = wa; w < wb; ++w) acc = Max ? (x[h * W + w] > acc ? x[h * W + w] : acc) : acc + x[h * W + w];
      const int64_t padded = std::max<int64_t>(0, phb - pha) * std::max<int64_t>(0, pwb - pwa);
      y[oh * g.out[1] + ow] = Max ? acc : acc / float(include_pad ? padded : std::max<int64_t>(count, 1));
    }
  }
}

// MaxPool of one 2-D plane whose output rows [oh_a, oh_b) and columns [ow_a, ow_b) have
// windows wholly inside the input: row at a time, each output starting from its window's
// first value and then taking the others in the same (row, then column) order as
// pool_plane_2d, so the bits (and which NaN stays) are the same. The rest of the plane
// goes through pool_plane_2d.
void max_plane_inner(const ConvGeometry& g, int64_t oh_a, int64_t oh_b, int64_t ow_a, int64_t ow_b, const float* x,
                     float* y) {
  const int64_t W = g.in[1], S = g.stride[1], KH = g.kernel[0], KW = g.kernel[1], OW = g.out[1];
  for (int64_t oh = oh_a; oh < oh_b; ++oh) {
    const float* top = x + (oh * g.stride[0] - g.pad_lo[0]) * W - g.pad_lo[1];
    float* yr = y + oh * OW;
    int64_t from = ow_a;  // the first output the scalar loop below computes
#ifdef __wasm_simd128__
    // Width-2 windows at stride 2 (the 2x2 / 1x2 pools of CNNs): four outputs at a time
    // from eight consecutive inputs of each kernel row, split into the windows' first and
    // second columns. pmax(acc, v) is acc < v ? v : acc, i.e. the scalar v > acc ? v : acc,
    // taken in the same order, so the bits (and which NaN stays) are the same. The last
    // load ends at the group's last window's last column: inside the input.
    if (KW == 2 && S == 2) {
      int64_t ow = ow_a;
      for (; ow + 4 <= ow_b; ow += 4) {
        v128_t acc = wasm_f32x4_splat(0.0f);
        for (int64_t kh = 0; kh < KH; ++kh) {
          const float* xr = top + kh * W + ow * 2;
          const v128_t a = wasm_v128_load(xr), b = wasm_v128_load(xr + 4);
          const v128_t first = wasm_i32x4_shuffle(a, b, 0, 2, 4, 6), second = wasm_i32x4_shuffle(a, b, 1, 3, 5, 7);
          acc = wasm_f32x4_pmax(kh == 0 ? first : wasm_f32x4_pmax(acc, first), second);
        }
        wasm_v128_store(yr + ow, acc);
      }
      from = ow;
      if (from == ow_b) continue;
    }
#endif
    for (int64_t ow = from; ow < ow_b; ++ow) yr[ow] = top[ow * S];
    for (int64_t kh = 0; kh < KH; ++kh)
      for (int64_t kw = kh == 0 ? 1 : 0; kw < KW; ++kw) {
        const float* xr = top + kh * W + kw;
        for (int64_t ow = from; ow < ow_b; ++ow) {
          const float v = xr[ow * S];
          yr[ow] = v > yr[ow] ? v : yr[ow];
        }
      }
  }
}

// First and past-the-last output index along dim d whose window lies inside the input.
void inner_range(const ConvGeometry& g, size_t d, int64_t& a, int64_t& b) {
  const int64_t s = g.stride[d], lo = g.pad_lo[d];
  a = std::min(g.out[d], (lo + s - 1) / s);  // ow * s - lo >= 0
  // ow * s - lo + kernel <= in
  const int64_t last = g.in[d] + lo - g.kernel[d];
  b = last < 0 ? a : std::max(a, std::min(g.out[d], last / s + 1));
}

// The interior through max_plane_inner, the border (windows reaching into the padding)
// through pool_plane_2d.
void max_plane_2d(const ConvGeometry& g, const float* x, float* y) {
  const int64_t OH = g.out[0], OW = g.out[1];
  int64_t ha, hb, wa, wb;
  inner_range(g, 0, ha, hb);
  inner_range(g, 1, wa, wb);
  if (hb <= ha || wb <= wa) return pool_plane_2d<true>(g, false, x, y, 0, OH, 0, OW);
  max_plane_inner(g, ha, hb, wa, wb, x, y);
  pool_plane_2d<true>(g, false, x, y, 0, ha, 0, OW);
  pool_plane_2d<true>(g, false, x, y, hb, OH, 0, OW);
  pool_plane_2d<true>(g, false, x, y, ha, hb, 0, wa);
  pool_plane_2d<true>(g, false, x, y, ha, hb, wb, OW);
}

template <bool Max>
void pool(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x0 = ctx.in(0);
  Tensor x = Max ? pool_input_f32(x0) : widen_half(x0);
  QWASM_CHECK(x.dtype() == DType::Float32 && x.rank() >= 3, n.label(), ": float input of rank >= 3 required");
  std::vector<int64_t> in(x.shape().begin() + 2, x.shape().end());
  ConvGeometry g = ConvGeometry::make(n, in, n.attr_ints("kernel_shape"), n.attr_i("ceil_mode", 0) != 0);
  const bool include_pad = n.attr_i("count_include_pad", 0) != 0;
  const size_t r = in.size();
  Shape out_shape = {x.dim(0), x.dim(1)};
  out_shape.insert(out_shape.end(), g.out.begin(), g.out.end());
  // float32: computed straight into the output (a handle on the same storage).
  const bool f32 = x0.dtype() == DType::Float32;
  Tensor y = f32 ? ctx.output(0, DType::Float32, out_shape) : Tensor(DType::Float32, out_shape);
  Tensor idx = Max && ctx.output_wanted(1) ? ctx.output(1, DType::Int64, out_shape) : Tensor();
  const bool col_major = n.attr_i("storage_order", 0) != 0;
  int64_t in_size = 1;
  for (int64_t d : in) in_size *= d;
  const int64_t planes = x.dim(0) * x.dim(1), O = g.out_size(), K = g.kernel_size();
  std::vector<int64_t> oi(r), ki(r), pos(r);
  const bool plain_2d = r == 2 && !idx.defined() && g.dilation[0] == 1 && g.dilation[1] == 1;
  for (int64_t p = 0; plain_2d && p < planes; ++p) {
    const float* xp = x.data<float>() + p * in_size;
    float* yp = y.data<float>() + p * O;
    if constexpr (Max) max_plane_2d(g, xp, yp);
    else pool_plane_2d<Max>(g, include_pad, xp, yp, 0, g.out[0], 0, g.out[1]);
  }
  for (int64_t p = 0; !plain_2d && p < planes; ++p) {
    const float* xp = x.data<float>() + p * in_size;
    for (int64_t o = 0; o < O; ++o) {
      int64_t rem = o;
      for (size_t d = r; d-- > 0;) oi[d] = rem % g.out[d], rem /= g.out[d];
      float acc = Max ? -std::numeric_limits<float>::infinity() : 0.0f;
      int64_t best = -1, count = 0, padded = 0;
      for (int64_t k = 0; k < K; ++k) {
        int64_t kr = k;
        for (size_t d = r; d-- > 0;) ki[d] = kr % g.kernel[d], kr /= g.kernel[d];
        bool inside = true, in_padded = true;
        int64_t off = 0, mul = 1;
        for (size_t d = r; d-- > 0;) {
          pos[d] = oi[d] * g.stride[d] - g.pad_lo[d] + ki[d] * g.dilation[d];
          if (pos[d] < 0 || pos[d] >= g.in[d]) inside = false;
          if (pos[d] < -g.pad_lo[d] || pos[d] >= g.in[d] + g.pad_hi[d]) in_padded = false;
          off += pos[d] * mul;
          mul *= g.in[d];
        }
        if (in_padded) ++padded;
        if (!inside) continue;
        const float v = xp[off];
        ++count;
        if (Max) {
          if (v > acc || best < 0) acc = v, best = off;
        } else {
          acc += v;
        }
      }
      y.data<float>()[p * O + o] = Max ? acc : acc / float(include_pad ? padded : std::max<int64_t>(count, 1));
      if (Max && idx.defined()) {
        int64_t flat = best;
        if (col_major && r == 2) flat = (best % g.in[1]) * g.in[0] + best / g.in[1];
        idx.data<int64_t>()[p * O + o] = p * in_size + flat;
      }
    }
  }
  if (f32) return;
  Tensor& out = ctx.output(0, x0.dtype(), out_shape);
  if (is_half(x0.dtype())) narrow_half(y, out);
  else if (x0.dtype() == DType::UInt8) std::copy_n(y.data<float>(), y.size(), out.data<uint8_t>());
  else if (x0.dtype() == DType::Int8) std::copy_n(y.data<float>(), y.size(), out.data<int8_t>());
  else std::copy_n(y.data<float>(), y.size(), out.data<float>());
}

// Sum / max of a plane in 8 interleaved lanes (combined pairwise at the end), so the
// loop vectorises: a single running sum is a serial chain the compiler must keep.
float plane_sum(const float* x, int64_t n) {
  float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l) lane[l] += x[i + l];
  for (int l = 0; i < n; ++i, ++l) lane[l] += x[i];
  return ((lane[0] + lane[4]) + (lane[1] + lane[5])) + ((lane[2] + lane[6]) + (lane[3] + lane[7]));
}

float plane_max(const float* x, int64_t n) {
  float acc = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < n; ++i) acc = std::max(acc, x[i]);
  return acc;
}

template <bool Max>
void global_pool(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x0 = ctx.in(0);
  Tensor x = widen_half(x0);
  QWASM_CHECK(x.dtype() == DType::Float32 && x.rank() >= 3, n.label(), ": float input of rank >= 3 required");
  Shape s = {x.dim(0), x.dim(1)};
  for (int64_t d = 2; d < x.rank(); ++d) s.push_back(1);
  const int64_t planes = x.dim(0) * x.dim(1), inner = planes ? x.size() / planes : 0;
  Tensor y(DType::Float32, s);
  for (int64_t p = 0; p < planes; ++p) {
    const float* xp = x.data<float>() + p * inner;
    y.data<float>()[p] = Max ? plane_max(xp, inner) : plane_sum(xp, inner) / float(inner);
  }
  Tensor& out = ctx.output(0, x0.dtype(), s);
  if (is_half(x0.dtype())) narrow_half(y, out);
  else std::copy_n(y.data<float>(), y.size(), out.data<float>());
}

}  // namespace

void register_nn_pool_ops(OpRegistry& r) {
  r.add_fn("", "MaxPool", 1, pool<true>);
  r.add_fn("", "AveragePool", 1, pool<false>);
  r.add_fn("", "GlobalAveragePool", 1, global_pool<false>);
  r.add_fn("", "GlobalMaxPool", 1, global_pool<true>);
}

}  // namespace qwasm
