#include "ops/strided_copy.h"

#include <algorithm>
#include <cstring>

namespace qwasm {
namespace {

template <typename T>
void run(T* d, const T* s, int64_t n, int64_t step) {
  for (int64_t i = 0; i < n; ++i) d[i] = s[i * step];
}

// One tile-blocked 2-D transpose: dst[a * dst_row + b] = src[a + b * src_col],
// a < rows (contiguous in src), b < cols (contiguous in dst).
template <typename T>
void tile_transpose(T* dst, const T* src, int64_t rows, int64_t cols, int64_t dst_row, int64_t src_col) {
  constexpr int64_t kTile = 64 / sizeof(T) < 8 ? 8 : 64 / sizeof(T) > 32 ? 32 : 64 / sizeof(T);
  for (int64_t a0 = 0; a0 < rows; a0 += kTile) {
    const int64_t a1 = std::min(rows, a0 + kTile);
    for (int64_t b0 = 0; b0 < cols; b0 += kTile) {
      const int64_t b1 = std::min(cols, b0 + kTile);
      for (int64_t a = a0; a < a1; ++a) {
        T* d = dst + a * dst_row;
        const T* s = src + a;
        for (int64_t b = b0; b < b1; ++b) d[b] = s[b * src_col];
      }
    }
  }
}

template <typename T>
void tiles_typed(char* dst, const char* src, const Shape& outer, const std::vector<int64_t>& src_st,
                 const std::vector<int64_t>& dst_st, int64_t rows, int64_t cols, int64_t dst_row, int64_t src_col) {
  const int64_t r = int64_t(outer.size());
  const int64_t total = shape_size(outer);
  std::vector<int64_t> idx(size_t(r), 0);
  int64_t so = 0, dof = 0;
  for (int64_t t = 0; t < total; ++t) {
    tile_transpose(reinterpret_cast<T*>(dst) + dof, reinterpret_cast<const T*>(src) + so, rows, cols, dst_row, src_col);
    for (int64_t d = r - 1; d >= 0; --d) {
      so += src_st[size_t(d)];
      dof += dst_st[size_t(d)];
      if (++idx[size_t(d)] < outer[size_t(d)]) break;
      so -= src_st[size_t(d)] * outer[size_t(d)];
      dof -= dst_st[size_t(d)] * outer[size_t(d)];
      idx[size_t(d)] = 0;
    }
  }
}

// The permutation on merged dims: size-1 dims dropped, then input dims that are
// neighbours both in memory and in perm fused into one (m_shape in input order).
void merge_dims(const Shape& in_shape, const std::vector<int64_t>& perm, Shape& m_shape, std::vector<int64_t>& m_perm) {
  std::vector<int64_t> keep_perm;
  for (int64_t p : perm)
    if (in_shape[size_t(p)] != 1) keep_perm.push_back(p);
  std::vector<int64_t> group_of(in_shape.size(), -1);  // input dim -> merged dim
  std::vector<int64_t> sorted = keep_perm;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> pos(in_shape.size(), -1);
  for (size_t i = 0; i < keep_perm.size(); ++i) pos[size_t(keep_perm[i])] = int64_t(i);
  for (size_t i = 0; i < sorted.size(); ++i) {
    const int64_t dim = sorted[i];
    // Size-1 dims between two kept dims do not affect the layout, so kept dims
    // that are neighbours in memory and in perm fuse.
    if (i > 0 && pos[size_t(dim)] == pos[size_t(sorted[i - 1])] + 1) {
      group_of[size_t(dim)] = group_of[size_t(sorted[i - 1])];
      m_shape.back() *= in_shape[size_t(dim)];
    } else {
      group_of[size_t(dim)] = int64_t(m_shape.size());
      m_shape.push_back(in_shape[size_t(dim)]);
    }
  }
  for (int64_t p : keep_perm)
    if (m_perm.empty() || m_perm.back() != group_of[size_t(p)]) m_perm.push_back(group_of[size_t(p)]);
}

// Tiled 2-D transposes between out dim q (contiguous in src) and the last out
// dim (contiguous in dst), looped over every other out dim; st: src strides per out dim.
void tiled_permute(char* d, const char* s, size_t elem, const Shape& out_shape, const std::vector<int64_t>& st,
                   int64_t q) {
  const int64_t r = int64_t(out_shape.size());
  const auto out_st = shape_strides(out_shape);
  Shape outer;
  std::vector<int64_t> src_st, dst_st;
  for (int64_t i = 0; i < r - 1; ++i) {
    if (i == q) continue;
    outer.push_back(out_shape[size_t(i)]);
    src_st.push_back(st[size_t(i)]);
    dst_st.push_back(out_st[size_t(i)]);
  }
  const int64_t rows = out_shape[size_t(q)], cols = out_shape.back();
  const int64_t dst_row = out_st[size_t(q)], src_col = st.back();
  switch (elem) {
    case 1: tiles_typed<uint8_t>(d, s, outer, src_st, dst_st, rows, cols, dst_row, src_col); break;
    case 2: tiles_typed<uint16_t>(d, s, outer, src_st, dst_st, rows, cols, dst_row, src_col); break;
    case 4: tiles_typed<uint32_t>(d, s, outer, src_st, dst_st, rows, cols, dst_row, src_col); break;
    default: tiles_typed<uint64_t>(d, s, outer, src_st, dst_st, rows, cols, dst_row, src_col); break;
  }
}

}  // namespace

void strided_copy(void* dst, const void* src, size_t elem, const Shape& shape, const std::vector<int64_t>& strides,
                  int64_t base) {
  const int64_t total = shape_size(shape);
  if (total == 0) return;
  const int64_t rank = int64_t(shape.size());
  const int64_t inner = rank ? shape.back() : 1;
  const int64_t step = rank ? strides.back() : 0;
  std::vector<int64_t> idx(size_t(rank), 0);
  int64_t off = base;
  char* d = static_cast<char*>(dst);
  const char* s = static_cast<const char*>(src);
  const int64_t es = int64_t(elem);
  for (int64_t o = 0; o < total; o += inner) {
    const char* from = s + off * es;
    char* to = d + o * es;
    if (step == 1) std::memcpy(to, from, size_t(inner * es));
    else if (elem == 4) run(reinterpret_cast<uint32_t*>(to), reinterpret_cast<const uint32_t*>(from), inner, step);
    else if (elem == 8) run(reinterpret_cast<uint64_t*>(to), reinterpret_cast<const uint64_t*>(from), inner, step);
    else if (elem == 2) run(reinterpret_cast<uint16_t*>(to), reinterpret_cast<const uint16_t*>(from), inner, step);
    else if (elem == 1) run(reinterpret_cast<uint8_t*>(to), reinterpret_cast<const uint8_t*>(from), inner, step);
    else for (int64_t i = 0; i < inner; ++i) std::memcpy(to + i * es, from + i * step * es, elem);
    for (int64_t dd = rank - 2; dd >= 0; --dd) {
      off += strides[size_t(dd)];
      if (++idx[size_t(dd)] < shape[size_t(dd)]) break;
      off -= strides[size_t(dd)] * shape[size_t(dd)];
      idx[size_t(dd)] = 0;
    }
  }
}

void permute_copy(void* dst, const void* src, size_t elem, const Shape& in_shape, const std::vector<int64_t>& perm) {
  if (shape_size(in_shape) == 0) return;
  Shape m_shape;
  std::vector<int64_t> m_perm;
  merge_dims(in_shape, perm, m_shape, m_perm);
  const int64_t r = int64_t(m_shape.size());
  if (r <= 1) {  // the permutation only moved size-1 dims
    std::memcpy(dst, src, size_t(shape_size(in_shape)) * elem);
    return;
  }
  const auto in_st = shape_strides(m_shape);
  Shape out_shape(static_cast<size_t>(r));
  std::vector<int64_t> st(static_cast<size_t>(r));
  for (int64_t i = 0; i < r; ++i) {
    out_shape[size_t(i)] = m_shape[size_t(m_perm[size_t(i)])];
    st[size_t(i)] = in_st[size_t(m_perm[size_t(i)])];
  }
  // Innermost input dim kept innermost: whole rows move with memcpy.
  const int64_t q = int64_t(std::find(m_perm.begin(), m_perm.end(), r - 1) - m_perm.begin());
  if (q == r - 1 || (elem != 1 && elem != 2 && elem != 4 && elem != 8)) {
    strided_copy(dst, src, elem, out_shape, st);
    return;
  }
  tiled_permute(static_cast<char*>(dst), static_cast<const char*>(src), elem, out_shape, st, q);
}

}  // namespace qwasm
