// Concrete shapes and the helpers every operator needs (checked element counts,
// strides, axis normalisation, numpy broadcasting).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace qwasm {

using Shape = std::vector<int64_t>;

// Product of dims; throws on negative dims or overflow past 2^53 elements.
int64_t shape_size(const Shape& s);
// Row-major strides in elements.
std::vector<int64_t> shape_strides(const Shape& s);
std::string shape_str(const Shape& s);
// Maps axis in [-rank, rank) to [0, rank); throws naming `what` otherwise.
int64_t normalize_axis(int64_t axis, int64_t rank, const std::string& what);
// Numpy multidirectional broadcast of two shapes; throws naming `what` when incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b, const std::string& what);

}  // namespace qwasm
