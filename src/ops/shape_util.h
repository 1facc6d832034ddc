// Small helpers for shape-manipulating ops.
#pragma once
#include <vector>

#include "graph/tensor.h"

namespace qwasm {

inline std::vector<int64_t> ints_of(const Tensor& t) {
  std::vector<int64_t> v(size_t(t.size()));
  for (int64_t i = 0; i < t.size(); ++i) v[size_t(i)] = t.get_i64(i);
  return v;
}

// Axes from an attribute (older opsets) or an optional input (newer ones).
std::vector<int64_t> axes_from(const class OpContext& ctx, size_t input, const char* attr);

}  // namespace qwasm
