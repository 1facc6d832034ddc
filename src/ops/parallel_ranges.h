// Contiguous-range splits of independent items (elements, rows) over ops/parallel.h's
// Parallel, for elementwise and row-wise operators. Kept out of parallel.h, which most
// operators include.
#pragma once
#include <cstdint>

#include "ops/parallel.h"

namespace qwasm {

// Calls fn(begin, end) over contiguous ranges covering [0, n): one range per thread (two
// per thread, for balance) when that leaves each at least min_items, else fn(0, n) on the
// caller. Range bounds are multiples of `align` (except n), so an elementwise loop whose
// vector body and scalar tail differ only at the very end sees the same split on any
// thread count. For independent items (elements, rows) that fn writes to alone.
template <typename F>
void parallel_ranges(Parallel& par, int64_t n, int64_t min_items, int64_t align, F&& fn) {
  const int threads = par.threads();
  int pieces = threads < 2 ? 1 : 2 * threads;
  while (pieces > 1 && n / pieces < min_items) --pieces;
  if (pieces < 2) {
    fn(int64_t(0), n);
    return;
  }
  const int64_t units = (n + align - 1) / align;
  parallel_for(par, pieces, [&](int p) {
    const int64_t b = units * p / pieces * align, e = units * (p + 1) / pieces * align;
    if (b < n) fn(b, e < n ? e : n);
  });
}

}  // namespace qwasm
