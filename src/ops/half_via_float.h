// float16 / bfloat16 for operators written for float32, in one place instead of in each op:
// a registration wraps the op's factory (r.add(..., half_via_float(make_op))) and, when a
// node gets half inputs, the wrapper widens them to float32 for that call only (temporaries,
// never a float copy of the model's weights kept around), runs the float32 kernel, and
// rounds its float32 outputs back to the half type (round to nearest even, as onnxruntime's
// Cast does). With no half input the float32 kernel runs directly, at no cost.
//
// At build time the wrapped factory sees no half constants (BuildContext::constant returns
// null for them), so a kernel that pre-packs float32 constants treats half ones as runtime
// inputs and never packs or absorbs them.
#pragma once
#include <cstdint>
#include <initializer_list>

#include "ops/op.h"

namespace qwasm {

// Which outputs become half: by default all float32 ones; an op with a float32-by-spec
// output (e.g. an inverse standard deviation typed U = float) leaves it out of the mask.
struct HalfOutputs {
  uint64_t mask = ~uint64_t(0);  // bit i: output i is narrowed when it is float32
  static HalfOutputs except(std::initializer_list<int> keep_float) {
    HalfOutputs h;
    for (int i : keep_float) h.mask &= ~(uint64_t(1) << i);
    return h;
  }
};

OpFactory half_via_float(OpFactory inner, HalfOutputs outputs = {});
OpFactory half_via_float(ComputeFn inner, HalfOutputs outputs = {});

}  // namespace qwasm
