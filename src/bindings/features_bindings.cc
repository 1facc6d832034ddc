// Build facts and heap statistics for features() and the leak tests.
#include <emscripten/bind.h>
#include <malloc.h>

#include "api/features.h"

using namespace emscripten;

namespace {

std::string variant() {
#ifdef QWASM_RELAXED_BUILD
  return "relaxed";
#else
  return "simd128";
#endif
}

// How this engine executes the relaxed dot product ("none" outside the relaxed build).
std::string dot_class() { return qwasm::relaxed_dot_class(); }

// Bytes currently allocated by malloc (dlmalloc's in-use count).
double heap_in_use() { return double(mallinfo().uordblks); }

}  // namespace

EMSCRIPTEN_BINDINGS(qwasm_features) {
  function("variant", &variant);
  function("heapInUse", &heap_in_use);
  function("dotClass", &dot_class);
}
