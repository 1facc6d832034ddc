// Element type conversion with Cast's semantics (cast.cc), for ops that normalise an
// input's type before computing (Pow's exponent).
#pragma once
#include <string>

#include "graph/tensor.h"

namespace qwasm {

// x converted to `to` (a new tensor; x itself when the types are equal). Float ->
// integer truncates toward zero and saturates, NaN -> 0; anything -> bool is `!= 0`.
// Throws naming `what` for types Cast does not cover.
Tensor cast_tensor(const Tensor& x, DType to, const std::string& what);

}  // namespace qwasm
