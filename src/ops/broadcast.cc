// The type-independent half of broadcast_binary (broadcast.h): which runs to make.
#include "ops/broadcast.h"

namespace qwasm {
namespace detail {

void for_each_binary_run(const BinaryOperands& p, BinaryRunFn run, void* op) {
  const int64_t n = shape_size(*p.os), na = shape_size(*p.as), nb = shape_size(*p.bs);
  if (n == 0) return;
  if ((na == n || na == 1) && (nb == n || nb == 1)) {  // same shapes or scalars: one flat run
    run(p.a, na == n ? 1 : 0, p.b, nb == n ? 1 : 0, p.out, n, op);
    return;
  }
  const BroadcastLoop<2> loop(*p.os, {p.as, p.bs});
  const int64_t sa = loop.inner_step(0), sb = loop.inner_step(1);
  const char* a = static_cast<const char*>(p.a);
  const char* b = static_cast<const char*>(p.b);
  char* out = static_cast<char*>(p.out);
  loop.for_each_run([&](int64_t o, const std::array<int64_t, 2>& off, int64_t cnt) {
    run(a + off[0] * int64_t(p.a_size), sa, b + off[1] * int64_t(p.b_size), sb, out + o * int64_t(p.out_size), cnt,
        op);
  });
}

}  // namespace detail
}  // namespace qwasm
