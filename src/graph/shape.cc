#include "graph/shape.h"

#include <algorithm>

#include "graph/error.h"

namespace qwasm {

int64_t shape_size(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) {
    QWASM_CHECK(d >= 0, "negative dimension in shape ", shape_str(s));
    if (d == 0) return 0;
    QWASM_CHECK(n <= (int64_t(1) << 53) / d, "shape ", shape_str(s), " has too many elements");
    n *= d;
  }
  return n;
}

std::vector<int64_t> shape_strides(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (int64_t i = int64_t(s.size()) - 2; i >= 0; --i) st[i] = st[i + 1] * s[i + 1];
  return st;
}

std::string shape_str(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ",";
    out += std::to_string(s[i]);
  }
  return out + "]";
}

int64_t normalize_axis(int64_t axis, int64_t rank, const std::string& what) {
  QWASM_CHECK(axis >= -rank && axis < std::max<int64_t>(rank, 1), what, ": axis ", axis,
              " out of range for rank ", rank);
  return axis < 0 ? axis + rank : axis;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const std::string& what) {
  size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    QWASM_CHECK(da == db || da == 1 || db == 1, what, ": shapes ", shape_str(a), " and ",
                shape_str(b), " cannot be broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

}  // namespace qwasm
