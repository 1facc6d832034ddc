#include "ops/conv_f32.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "ops/gemm_f32.h"

namespace qwasm {
namespace {

// im2col tiles hold about this many floats (256 KB: the GEMM's B stays in L2).
constexpr int64_t kTileFloats = 64 * 1024;

// A padded input row split into SW phases of `len` floats: phase p holds padded
// columns p, p + SW, p + 2 SW, ... so kernel tap kw of output column ow reads
// phase (kw DW) % SW at index ow + (kw DW) / SW: one contiguous run per tap.
struct PaddedRow {
  int64_t len = 0;

  explicit PaddedRow(const Conv2D& s) {
    const int64_t need = (s.OW - 1) * s.SW + (s.KW - 1) * s.DW + 1;  // padded columns any tap reads
    len = (need + s.SW - 1) / s.SW;
  }
  int64_t floats(const Conv2D& s) const { return s.SW * len; }
  // Offset of the run that tap kw reads.
  int64_t tap(const Conv2D& s, int64_t kw) const {
    const int64_t off = kw * s.DW;
    return (off % s.SW) * len + off / s.SW;
  }
  // Writes input row `src` (W floats) with its zero padding into dst (floats() floats).
  void fill(const Conv2D& s, const float* src, float* dst) const {
    for (int64_t p = 0; p < s.SW; ++p) {
      float* d = dst + p * len;
      // Phase index j holds padded column j SW + p = input column j SW + p - PL.
      int64_t j0 = s.PL > p ? (s.PL - p + s.SW - 1) / s.SW : 0;  // first j with column >= 0
      int64_t j1 = (s.W - 1 + s.PL - p) >= 0 ? (s.W - 1 + s.PL - p) / s.SW + 1 : 0;  // past the last column < W
      j0 = std::min(j0, len), j1 = std::max(j0, std::min(j1, len));
      std::fill(d, d + j0, 0.0f);
      const float* from = src + j0 * s.SW + p - s.PL;
      if (s.SW == 1) std::memcpy(d + j0, from, size_t(j1 - j0) * sizeof(float));
      else for (int64_t j = j0; j < j1; ++j) d[j] = from[(j - j0) * s.SW];
      std::fill(d + j1, d + len, 0.0f);
    }
  }
};

// Input row of output row oh under kernel row kh, or -1 in the top / bottom padding.
inline int64_t input_row(const Conv2D& s, int64_t oh, int64_t kh) {
  const int64_t ih = oh * s.SH + kh * s.DH - s.PT;
  return ih >= 0 && ih < s.H ? ih : -1;
}

// acc[ow] += sum over the KW taps of w[kw] * row[tap(kw) + ow]. KW = 3 and 5 (the
// depthwise sizes CNNs use) read all taps in one pass over acc.
template <int KW>
void taps_fixed(const float* __restrict row, const int64_t* tap, const float* w, int64_t n, float* __restrict acc) {
  const float* r[KW];
  float k[KW];
  for (int i = 0; i < KW; ++i) r[i] = row + tap[i], k[i] = w[i];
  for (int64_t o = 0; o < n; ++o) {
    float v = acc[o];
    for (int i = 0; i < KW; ++i) v += k[i] * r[i][o];
    acc[o] = v;
  }
}

void taps(const float* row, const int64_t* tap, const float* w, int64_t KW, int64_t n, float* __restrict acc) {
  if (KW == 3) return taps_fixed<3>(row, tap, w, n, acc);
  if (KW == 5) return taps_fixed<5>(row, tap, w, n, acc);
  for (int64_t kw = 0; kw < KW; ++kw) {
    const float* __restrict r = row + tap[kw];
    const float k = w[kw];
    for (int64_t o = 0; o < n; ++o) acc[o] += k * r[o];
  }
}

// One input channel per group: each output channel is a direct sum over its KH x KW
// taps, row by row, from the channel's padded rows (built once per input channel).
void depthwise(Parallel& par, const Conv2D& s, const float* x, const float* w, const float* bias, const float* res,
               const ConvEpilogue& ep, float* y) {
  const PaddedRow pr(s);
  const int64_t mg = s.mg(), K = s.KH * s.KW, O = s.OH * s.OW, rowf = pr.floats(s);
  std::vector<int64_t> tap(size_t(s.KW));
  for (int64_t kw = 0; kw < s.KW; ++kw) tap[size_t(kw)] = pr.tap(s, kw);
  const int pieces = int(std::min<int64_t>(s.C, 4 * int64_t(par.threads())));
  parallel_for(par, pieces, [&](int p) {
    const int64_t c0 = s.C * p / pieces, c1 = s.C * (p + 1) / pieces;
    std::vector<float> plane(size_t(s.H * rowf));
    for (int64_t c = c0; c < c1; ++c) {
      for (int64_t ih = 0; ih < s.H; ++ih) pr.fill(s, x + (c * s.H + ih) * s.W, plane.data() + ih * rowf);
      for (int64_t m = c * mg; m < (c + 1) * mg; ++m) {
        const float* wm = w + m * K;
        for (int64_t oh = 0; oh < s.OH; ++oh) {
          float* yr = y + m * O + oh * s.OW;
          std::fill(yr, yr + s.OW, 0.0f);
          for (int64_t kh = 0; kh < s.KH; ++kh) {
            const int64_t ih = input_row(s, oh, kh);
            if (ih >= 0) taps(plane.data() + ih * rowf, tap.data(), wm + kh * s.KW, s.KW, s.OW, yr);
          }
          ep.apply(yr, s.OW, bias ? bias[m] : 0.0f, res ? res + m * O + oh * s.OW : nullptr);
        }
      }
    }
  });
}

// The epilogue over output channels [m0, m1), columns [o0, o0 + n) of each.
void epilogue_rows(const Conv2D& s, int64_t m0, int64_t m1, int64_t o0, int64_t n, const float* bias,
                   const float* res, const ConvEpilogue& ep, float* y) {
  const int64_t O = s.OH * s.OW;
  for (int64_t m = m0; m < m1; ++m)
    ep.apply(y + m * O + o0, n, bias ? bias[m] : 0.0f, res ? res + m * O + o0 : nullptr);
}

// 1x1, stride 1, no padding: group gi's input planes are its GEMM's B as they lie.
void pointwise(Parallel& par, const Conv2D& s, const float* x, const float* w, const PackedGemmA* pw,
               const float* bias, const float* res, const ConvEpilogue& ep, float* y) {
  const int64_t cg = s.cg(), mg = s.mg(), O = s.OH * s.OW;
  static const PackedGemmA none;
  for (int64_t gi = 0; gi < s.group; ++gi)
    gemm_f32_a(par, pw ? pw[gi] : none, mg, O, cg, w + gi * mg * cg, cg, x + gi * cg * O, O, y + gi * mg * O, O);
  const int pieces = int(std::min<int64_t>(s.M, 4 * int64_t(par.threads())));
  parallel_for(par, pieces, [&](int p) {
    epilogue_rows(s, s.M * p / pieces, s.M * (p + 1) / pieces, 0, O, bias, res, ep, y);
  });
}

// Where the im2col writers put row r, column p of a tile's matrix (n columns):
//   RowsDst: cols[r n + p], the GEMM's B as it lies;
//   PanelsDst: the packed GEMM's own B layout (gemm_f32_panels: panels of nr columns,
//     [K][nr] each), so the GEMM reads each panel in place instead of copying it out of
//     cols first.
struct RowsDst {
  float* cols;
  int64_t n;
  void zero(int64_t r, int64_t p0, int64_t p1) const { std::fill(cols + r * n + p0, cols + r * n + p1, 0.0f); }
  void copy(int64_t r, int64_t p, const float* src, int64_t len) const {
    std::memcpy(cols + r * n + p, src, size_t(len) * sizeof(float));
  }
};
// NR is a constant (8: the wasm kernels' panel) so that the panel arithmetic is shifts.
template <int NR>
struct PanelsDst {
  float* cols;
  int64_t K;
  float* at(int64_t r, int64_t p) const { return cols + (uint64_t(p) / NR * K + r) * NR + uint64_t(p) % NR; }
  void zero(int64_t r, int64_t p0, int64_t p1) const {
    while (p0 < p1) {
      const int64_t take = std::min<int64_t>(p1 - p0, NR - int64_t(uint64_t(p0) % NR));
      float* d = at(r, p0);
      for (int64_t j = 0; j < take; ++j) d[j] = 0.0f;
      p0 += take;
    }
  }
  // A run's floats go to row r of consecutive panels, K NR floats apart: a partial first
  // panel, whole panel rows as fixed-size moves, a partial last one.
  void copy(int64_t r, int64_t p, const float* src, int64_t len) const {
    if (len <= 0) return;
    float* d = at(r, p);
    const int64_t q = int64_t(uint64_t(p) % NR), step = K * NR;
    if (q) {
      const int64_t take = std::min<int64_t>(len, NR - q);
      for (int64_t j = 0; j < take; ++j) d[j] = src[j];
      d += step - q, src += take, len -= take;
    }
    for (; len >= NR; d += step, src += NR, len -= NR) std::memcpy(d, src, NR * sizeof(float));
    for (int64_t j = 0; j < len; ++j) d[j] = src[j];
  }
};
constexpr int kPanelCols = 8;

// Rows [oh0, oh1) of group gi's im2col matrix: cols[(c KH + kh) KW + kw, (oh - oh0) OW + ow].
// slot (may be nullptr): the row of cols each im2col row goes to, -1 for none (taps
// whose weights are all zero, ConvWeights).
template <class Dst>
void im2col_tile(const Conv2D& s, const PaddedRow& pr, const float* xg, int64_t oh0, int64_t oh1, float* rowbuf,
                 const int32_t* slot, const Dst& dst) {
  for (int64_t c = 0; c < s.cg(); ++c)
    for (int64_t kh = 0; kh < s.KH; ++kh) {
      const int64_t r0 = (c * s.KH + kh) * s.KW;
      auto row = [&](int64_t kw) -> int64_t { return slot ? slot[r0 + kw] : r0 + kw; };
      for (int64_t oh = oh0; oh < oh1; ++oh) {
        const int64_t ih = input_row(s, oh, kh), at = (oh - oh0) * s.OW;
        if (ih < 0) {
          for (int64_t kw = 0; kw < s.KW; ++kw)
            if (const int64_t r = row(kw); r >= 0) dst.zero(r, at, at + s.OW);
          continue;
        }
        pr.fill(s, xg + (c * s.H + ih) * s.W, rowbuf);
        for (int64_t kw = 0; kw < s.KW; ++kw)
          if (const int64_t r = row(kw); r >= 0) dst.copy(r, at, rowbuf + pr.tap(s, kw), s.OW);
      }
    }
}

// Stride 1 and dilation 1 along W with OW == W (the "same" padding of 1x3 / 3x3 convs,
// or none for Kx1) and stride 1 along H: in the flattened [rows * W] plane, tap (kh, kw)
// of output (oh, ow) reads input element (oh + kh DH - PT) W + ow + kw - PL, i.e. one
// fixed offset from the output's own flat index. So each tap's im2col row is one copy
// of a contiguous run, then zeros where the tap falls into the padding: whole rows
// above / below the input, and the first PL - kw / last kw - PL columns of each row.
bool flat_taps(const Conv2D& s) { return s.SW == 1 && s.DW == 1 && s.SH == 1 && s.OW == s.W; }

template <class Dst>
void im2col_tile_flat(const Conv2D& s, const float* xg, int64_t oh0, int64_t oh1, const int32_t* slot, const Dst& dst) {
  const int64_t n = (oh1 - oh0) * s.OW, W = s.W;
  for (int64_t c = 0; c < s.cg(); ++c)
    for (int64_t kh = 0; kh < s.KH; ++kh) {
      const int64_t dy = kh * s.DH - s.PT;  // input row = output row + dy
      // Output rows [r0, r1) of the tile read input rows inside the plane.
      const int64_t r0 = std::min(oh1, std::max(oh0, -dy)), r1 = std::max(r0, std::min(oh1, s.H - dy));
      for (int64_t kw = 0; kw < s.KW; ++kw) {
        const int64_t dx = kw - s.PL;  // input column = output column + dx
        const int64_t r = slot ? slot[(c * s.KH + kh) * s.KW + kw] : (c * s.KH + kh) * s.KW + kw;
        if (r < 0) continue;
        dst.zero(r, 0, (r0 - oh0) * W);
        dst.zero(r, (r1 - oh0) * W, n);
        if (r0 == r1) continue;
        // The run, less the elements at either end that would read outside the plane
        // (they are padding columns, zeroed below).
        const int64_t lead = std::max<int64_t>(0, -dx), tail = std::max<int64_t>(0, dx);
        const int64_t len = (r1 - r0) * W - lead - tail, d = (r0 - oh0) * W;
        if (len > 0) dst.copy(r, d + lead, xg + (c * s.H + r0 + dy) * W + lead + dx, len);
        const int64_t zl = std::min(W, lead), zr = std::min(W, tail);
        for (int64_t i = 0; i < r1 - r0; ++i) {
          dst.zero(r, d + i * W, d + i * W + zl);
          dst.zero(r, d + i * W + W - zr, d + (i + 1) * W);
        }
      }
    }
}

// Everything else: per group, tiles of output rows through im2col and the GEMM.
// Whether every float of x[0, count) is finite (a NaN / Inf times a zero weight is NaN,
// so zero taps may only be left out of a product over finite inputs).
bool all_finite(const float* x, int64_t count) {
  uint32_t bad = 0;
  for (int64_t i = 0; i < count; ++i) {
    uint32_t b;
    std::memcpy(&b, x + i, sizeof b);
    bad |= uint32_t((b & 0x7f800000u) == 0x7f800000u);
  }
  return bad == 0;
}

void tiled_gemm(Parallel& par, const Conv2D& s, const float* x, const float* w, const ConvWeights* cw,
                const float* bias, const float* res, const ConvEpilogue& ep, float* y) {
  static const PackedGemmA none;
  // Zero taps left out (ConvWeights::slot): each sum skips products that are exactly
  // +-0 over finite x, which leaves it unchanged (a sum from +0 is never -0, and s + +-0
  // is s), so the result has the same bits. Otherwise every tap, W as given.
  const bool live = cw && !cw->slot.empty() && s.group == 1 && all_finite(x, s.C * s.H * s.W);
  const int32_t* slot = live ? cw->slot.data() : nullptr;
  const PackedGemmA* pw = cw && (live || cw->slot.empty()) && !cw->packed.empty() ? cw->packed.data() : nullptr;
  if (live) w = cw->w_live.data();
  const PaddedRow pr(s);
  const int64_t cg = s.cg(), mg = s.mg(), K = live ? cw->k_live : cg * s.KH * s.KW, O = s.OH * s.OW;
  const int64_t rows = std::max<int64_t>(1, std::min(s.OH, kTileFloats / std::max<int64_t>(1, K * s.OW)));
  const int64_t tiles = (s.OH + rows - 1) / rows, units = s.group * tiles;
  const bool flat = flat_taps(s);
  // With the weights packed and a kernel that has a packed path, im2col writes the GEMM's
  // B panels directly (PanelsDst) and the GEMM reads them in place, on each unit's own
  // thread (a single unit with threads to spare takes the parallel GEMM below instead).
  const int64_t nr = pw && (units >= 2 || par.threads() < 2) && gemm_f32_panel_cols() == kPanelCols ? kPanelCols : 0;
  auto unit = [&](Parallel& gp, int64_t u, std::vector<float>& cols, std::vector<float>& rowbuf) {
    const int64_t gi = u / tiles, oh0 = (u % tiles) * rows, oh1 = std::min(s.OH, oh0 + rows);
    const int64_t n = (oh1 - oh0) * s.OW;
    const float* xg = x + gi * cg * s.H * s.W;
    float* yg = y + gi * mg * O + oh0 * s.OW;
    rowbuf.resize(size_t(pr.floats(s)));
    if (nr > 0) {
      cols.resize(size_t(K * ((n + nr - 1) / nr * nr)));
      const PanelsDst<kPanelCols> dst{cols.data(), K};
      if (flat) im2col_tile_flat(s, xg, oh0, oh1, slot, dst);
      else im2col_tile(s, pr, xg, oh0, oh1, rowbuf.data(), slot, dst);
      gemm_f32_panels(pw[gi], n, cols.data(), yg, O);
    } else {
      cols.resize(size_t(K * n));
      const RowsDst dst{cols.data(), n};
      if (flat) im2col_tile_flat(s, xg, oh0, oh1, slot, dst);
      else im2col_tile(s, pr, xg, oh0, oh1, rowbuf.data(), slot, dst);
      gemm_f32_a(gp, pw ? pw[gi] : none, mg, n, K, w + gi * mg * K, K, cols.data(), n, yg, O);
    }
    epilogue_rows(s, gi * mg, (gi + 1) * mg, oh0 * s.OW, n, bias, res, ep, y);
  };
  if (units < 2 || par.threads() < 2) {
    std::vector<float> cols, rowbuf;
    for (int64_t u = 0; u < units; ++u) unit(par, u, cols, rowbuf);
    return;
  }
  const int pieces = int(std::min<int64_t>(units, 4 * int64_t(par.threads())));
  parallel_for(par, pieces, [&](int p) {
    std::vector<float> cols, rowbuf;
    for (int64_t u = units * p / pieces; u < units * (p + 1) / pieces; ++u) unit(serial(), u, cols, rowbuf);
  });
}

}  // namespace

bool conv2d_uses_gemm(const Conv2D& s) { return !(s.depthwise() && (s.group > 1 || s.KH * s.KW <= 25)); }

ConvWeights prepare_conv_weights(const Conv2D& s, const float* w) {
  ConvWeights cw;
  if (!conv2d_uses_gemm(s) || s.mg() < 1) return cw;
  const int64_t mg = s.mg(), K = s.cg() * s.KH * s.KW;
  // Taps whose weight is zero for every output channel: STFT Convs whose window is
  // shorter than the FFT (openWakeWord's melspectrogram: 113 of 512 taps, a 400-sample
  // window in a 512-point frame) spend that share of the product on zeros. Dropped where
  // they are at least an eighth of K (1x1 convs have no taps to drop; grouped ones keep all).
  if (s.group == 1 && !s.pointwise()) {
    std::vector<int32_t> slot(size_t(K), -1);
    int64_t k_live = 0;
    for (int64_t k = 0; k < K; ++k) {
      bool zero = true;
      for (int64_t m = 0; m < s.M && zero; ++m) zero = w[m * K + k] == 0.0f;
      if (!zero) slot[size_t(k)] = int32_t(k_live++);
    }
    if (k_live > 0 && (K - k_live) * 8 >= K) {
      cw.slot = std::move(slot);
      cw.k_live = k_live;
      cw.w_live.resize(size_t(s.M * k_live));
      for (int64_t m = 0; m < s.M; ++m)
        for (int64_t k = 0; k < K; ++k)
          if (cw.slot[size_t(k)] >= 0) cw.w_live[size_t(m * k_live + cw.slot[size_t(k)])] = w[m * K + k];
      cw.packed.push_back(pack_gemm_a(s.M, k_live, cw.w_live.data(), k_live));
      if (cw.packed.back().empty()) cw.packed.clear();
      return cw;
    }
  }
  for (int64_t gi = 0; gi < s.group; ++gi) {
    cw.packed.push_back(pack_gemm_a(mg, K, w + gi * mg * K, K));
    if (cw.packed.back().empty()) return {};
  }
  return cw;
}

void conv2d_f32(Parallel& par, const Conv2D& s, const float* x, const float* w, const ConvWeights* cw,
                const float* bias, const float* res, const ConvEpilogue& ep, float* y) {
  if (s.M == 0 || s.OH * s.OW == 0) return;
  // One input channel per output channel: the direct loop, except for one-channel inputs
  // (group 1) under a long kernel, which are a GEMM with every output channel reusing the
  // same im2col columns (an STFT as Conv: [257, 1, 512] over audio, where the direct loop
  // took 3.4x the GEMM's time).
  if (!conv2d_uses_gemm(s)) depthwise(par, s, x, w, bias, res, ep, y);
  else if (s.pointwise())  // (packed is W without its zero taps where slot is set: not for this path)
    pointwise(par, s, x, w, cw && cw->slot.empty() && !cw->packed.empty() ? cw->packed.data() : nullptr, bias, res, ep,
              y);
  else tiled_gemm(par, s, x, w, cw, bias, res, ep, y);
}

}  // namespace qwasm
