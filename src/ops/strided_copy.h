// Copies a strided view of a tensor into contiguous memory: the one data-moving
// primitive behind Transpose, Slice and Expand.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "graph/shape.h"

namespace qwasm {

// dst (contiguous, shape `shape`) <- src + base + sum(idx[d] * strides[d]) (strides in elements).
void strided_copy(void* dst, const void* src, size_t elem, const Shape& shape, const std::vector<int64_t>& strides,
                  int64_t base = 0);

}  // namespace qwasm
