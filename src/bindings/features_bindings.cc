// Build facts and heap statistics for features() and the leak tests, and the heap view js/ reads and writes through.
#include <emscripten/bind.h>
#include <malloc.h>

#include <cstdint>
#include <string>

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

// A Uint8Array over [ptr, ptr + bytes) of the module's memory, made on each call through
// embind's public typed_memory_view, so JS never holds (or refreshes) a heap view that
// memory growth, here or on a pool worker, left short or detached. Use it at once.
val heap_view(uintptr_t ptr, size_t bytes) {
  return val(typed_memory_view(bytes, reinterpret_cast<const uint8_t*>(ptr)));
}

}  // namespace

EMSCRIPTEN_BINDINGS(qwasm_features) {
  function("variant", &variant);
  function("heapInUse", &heap_in_use);
  function("dotClass", &dot_class);
  function("memoryView", &heap_view);
}
