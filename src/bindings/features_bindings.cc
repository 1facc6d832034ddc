// Build facts and heap statistics for features() and the leak tests.
#include <emscripten/bind.h>
#include <malloc.h>

using namespace emscripten;

namespace {

std::string variant() {
#ifdef QWASM_RELAXED_BUILD
  return "relaxed";
#else
  return "simd128";
#endif
}

// Bytes currently allocated by malloc (dlmalloc's in-use count).
double heap_in_use() { return double(mallinfo().uordblks); }

}  // namespace

EMSCRIPTEN_BINDINGS(qwasm_features) {
  function("variant", &variant);
  function("heapInUse", &heap_in_use);
}
