// Copies strided views of a tensor into contiguous memory: the data-moving
// primitives behind Transpose, DepthToSpace/SpaceToDepth, Slice, Expand and Tile.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "graph/shape.h"

namespace qwasm {

// dst (contiguous, shape `shape`) <- src + base + sum(idx[d] * strides[d]) (strides in elements).
// Rows whose innermost stride is 1 are copied with memcpy.
void strided_copy(void* dst, const void* src, size_t elem, const Shape& shape, const std::vector<int64_t>& strides,
                  int64_t base = 0);

// dst <- transpose(src, perm) for a contiguous src of shape `in_shape` (out dim i
// is in dim perm[i]). Dims that stay adjacent are merged first; when the input's
// innermost dim moves, the copy runs in cache-sized 2-D tiles.
void permute_copy(void* dst, const void* src, size_t elem, const Shape& in_shape, const std::vector<int64_t>& perm);

}  // namespace qwasm
