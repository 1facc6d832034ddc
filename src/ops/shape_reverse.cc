// ReverseSequence: reverses the first sequence_lens[b] steps of every batch entry
// along the time axis; the rest of each sequence is copied as is.
#include <cstring>

#include "ops/registry.h"
#include "ops/shape_util.h"

namespace qwasm {
namespace {

void reverse_sequence(OpContext& ctx) {
  const Node& n = ctx.node();
  const Tensor& x = ctx.in(0);
  const Tensor& lens = ctx.in(1);
  QWASM_CHECK(x.rank() >= 2, n.label(), ": input of rank >= 2 required, got ", shape_str(x.shape()));
  const int64_t time_axis = n.attr_i("time_axis", 0), batch_axis = n.attr_i("batch_axis", 1);
  QWASM_CHECK((time_axis == 0 && batch_axis == 1) || (time_axis == 1 && batch_axis == 0), n.label(),
              ": time_axis and batch_axis must be 0 and 1 in either order");
  const int64_t T = x.dim(time_axis), B = x.dim(batch_axis);
  QWASM_CHECK(lens.rank() == 1 && lens.size() == B, n.label(), ": sequence_lens must have ", B, " elements");
  const size_t es = moved_elem_size(x, n);
  const int64_t inner = T * B != 0 ? x.size() / (T * B) : 0;
  // Offset (in elements) of the block at (time t, batch b).
  auto at = [&](int64_t t, int64_t b) { return (time_axis == 0 ? t * B + b : b * T + t) * inner; };
  Tensor& y = ctx.output(0, x.dtype(), x.shape());
  const char* src = static_cast<const char*>(x.raw());
  char* dst = static_cast<char*>(y.raw());
  for (int64_t b = 0; b < B; ++b) {
    const int64_t len = lens.get_i64(b);
    QWASM_CHECK(len >= 0 && len <= T, n.label(), ": sequence_lens[", b, "] = ", len, " is outside [0, ", T, "]");
    for (int64_t t = 0; t < T; ++t) {
      const int64_t from = t < len ? len - 1 - t : t;
      std::memcpy(dst + size_t(at(t, b)) * es, src + size_t(at(from, b)) * es, size_t(inner) * es);
    }
  }
}

}  // namespace

void register_shape_reverse_ops(OpRegistry& r) { r.add_fn("", "ReverseSequence", 10, reverse_sequence); }

}  // namespace qwasm
