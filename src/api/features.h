// Facts about the engine the module runs on, for features() in the JS package.
#pragma once
#include <string>

namespace qwasm {

// How this engine executes the relaxed-SIMD dot product: "usdot", "usdot-saturating", "sdot",
// "broken", or "none" outside the relaxed build (kernels' qwasm_relaxed_probe.h).
// Probed once, on the first call.
std::string relaxed_dot_class();

}  // namespace qwasm
