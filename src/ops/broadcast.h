// Numpy multidirectional broadcasting for elementwise kernels.
//
// broadcast_binary / broadcast_ternary apply a functor element by element over
// operands broadcast to an output shape, with fast paths that keep the inner
// loops simple enough to auto-vectorise:
//   - every operand has the output's element count (same shape): one flat loop;
//   - an operand is a single element: hoisted out of the flat loop;
//   - otherwise dims are coalesced (adjacent dims that are contiguous, or
//     broadcast, in every operand merge into one), and the innermost coalesced
//     dim is walked as a run in which each operand steps by 1 or 0.
// So [N,C,H,W] + [1,C,1,1] becomes runs of H*W against a constant, and
// [B,S,H] + [H] becomes runs of H against one contiguous row.
//
// The functor sees raw element values (storage types); converting float16 etc.
// is the caller's business. Writing into an operand's buffer is allowed only
// when that operand has the output's shape (out[i] then depends on in[i] only).
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "graph/shape.h"

namespace qwasm {

// Coalesced iteration space of N operands broadcast to one output shape.
template <size_t N>
class BroadcastLoop {
 public:
  BroadcastLoop(const Shape& out, const std::array<const Shape*, N>& ins) {
    const size_t rank = out.size();
    // Per operand, the element stride of each output dim (0 where broadcast).
    std::array<std::vector<int64_t>, N> st;
    for (size_t k = 0; k < N; ++k) {
      const Shape& s = *ins[k];
      st[k].assign(rank, 0);
      int64_t stride = 1;
      for (size_t j = 0; j < s.size(); ++j) {
        const size_t d = s.size() - 1 - j, o = rank - 1 - j;
        st[k][o] = s[d] == 1 ? 0 : stride;
        stride *= s[d];
      }
    }
    // Drop size-1 output dims, then merge a dim into the one inside it when
    // every operand walks both as one (stride[outer] == stride[inner] * extent).
    for (size_t d = 0; d < rank; ++d) {
      if (out[d] == 1) continue;
      bool merge = !dims_.empty();
      for (size_t k = 0; k < N && merge; ++k) merge = strides_[k].back() == st[k][d] * out[d];
      if (merge) {
        dims_.back() *= out[d];
        for (size_t k = 0; k < N; ++k) strides_[k].back() = st[k][d];
      } else {
        dims_.push_back(out[d]);
        for (size_t k = 0; k < N; ++k) strides_[k].push_back(st[k][d]);
      }
    }
    total_ = 1;
    for (int64_t d : dims_) total_ *= d;
    if (dims_.empty()) {  // a single element
      dims_.push_back(1);
      for (size_t k = 0; k < N; ++k) strides_[k].push_back(0);
    }
  }

  int64_t total() const { return total_; }
  int64_t inner() const { return dims_.back(); }
  // Step of operand k inside a run: 1 (contiguous) or 0 (broadcast).
  int64_t inner_step(size_t k) const { return strides_[k].back(); }

  // fn(out_offset, offsets /* N operand element offsets */, count) per run.
  template <typename Fn>
  void for_each_run(Fn&& fn) const {
    if (total_ == 0) return;
    const size_t outer_rank = dims_.size() - 1;
    const int64_t run = dims_.back();
    std::array<int64_t, N> off{};
    std::vector<int64_t> idx(outer_rank, 0);
    for (int64_t o = 0; o < total_; o += run) {
      fn(o, off, run);
      for (size_t d = outer_rank; d-- > 0;) {
        for (size_t k = 0; k < N; ++k) off[k] += strides_[k][d];
        if (++idx[d] < dims_[d]) break;
        for (size_t k = 0; k < N; ++k) off[k] -= strides_[k][d] * dims_[d];
        idx[d] = 0;
      }
    }
  }

 private:
  std::vector<int64_t> dims_;                  // coalesced output dims, outermost first
  std::array<std::vector<int64_t>, N> strides_;  // per operand, per coalesced dim
  int64_t total_ = 0;
};

namespace detail {

// One run: each operand steps by 1 or 0. The four step patterns get their own
// loops so the common ones vectorise.
template <typename A, typename B, typename R, typename Op>
inline void binary_run(const A* a, int64_t sa, const B* b, int64_t sb, R* o, int64_t n, Op& op) {
  if (sa && sb) {
    for (int64_t i = 0; i < n; ++i) o[i] = R(op(a[i], b[i]));
  } else if (sa) {
    const B y = *b;
    for (int64_t i = 0; i < n; ++i) o[i] = R(op(a[i], y));
  } else if (sb) {
    const A x = *a;
    for (int64_t i = 0; i < n; ++i) o[i] = R(op(x, b[i]));
  } else {
    const R v = R(op(*a, *b));
    for (int64_t i = 0; i < n; ++i) o[i] = v;
  }
}

// The same run as one plain loop that the compiler must not vectorise or unroll:
// for element types where size matters more than speed (see broadcast_binary).
template <typename A, typename B, typename R, typename Op>
inline void binary_run_compact(const A* a, int64_t sa, const B* b, int64_t sb, R* o, int64_t n, Op& op) {
#if defined(__clang__)
#pragma clang loop vectorize(disable) interleave(disable) unroll(disable)
#endif
  for (int64_t i = 0; i < n; ++i) o[i] = R(op(a[i * sa], b[i * sb]));
}

// A run as a plain function: o[i] = op(a[i * sa], b[i * sb]) for i < n, steps 0 or 1,
// `op` pointing at the functor. Element sizes are the caller's business.
using BinaryRunFn = void (*)(const void* a, int64_t sa, const void* b, int64_t sb, void* o, int64_t n, void* op);

struct BinaryOperands {
  const void* a;
  const Shape* as;
  size_t a_size;  // bytes per element
  const void* b;
  const Shape* bs;
  size_t b_size;
  void* out;
  const Shape* os;
  size_t out_size;
};

// Splits the broadcast into runs and calls `run` on each (broadcast.cc). The index
// arithmetic is type-independent, so it is compiled once, not once per op and type.
void for_each_binary_run(const BinaryOperands& p, BinaryRunFn run, void* op);

}  // namespace detail

// out[i] = op(a[.], b[.]) over `os`, with a and b broadcast to it.
// `os` may be larger than broadcast(as, bs) (variadic ops fold into it).
// Only the runs are instantiated per (A, B, R, Op); with Vectorise = false they are
// one plain loop (rare element types: a few hundred bytes instead of a few KB).
template <bool Vectorise = true, typename A, typename B, typename R, typename Op>
void broadcast_binary(const A* a, const Shape& as, const B* b, const Shape& bs, R* out, const Shape& os, Op op) {
  const detail::BinaryRunFn run = [](const void* x, int64_t sx, const void* y, int64_t sy, void* o, int64_t n,
                                     void* f) {
    if constexpr (Vectorise)
      detail::binary_run(static_cast<const A*>(x), sx, static_cast<const B*>(y), sy, static_cast<R*>(o), n,
                         *static_cast<Op*>(f));
    else
      detail::binary_run_compact(static_cast<const A*>(x), sx, static_cast<const B*>(y), sy, static_cast<R*>(o), n,
                                 *static_cast<Op*>(f));
  };
  detail::for_each_binary_run({a, &as, sizeof(A), b, &bs, sizeof(B), out, &os, sizeof(R)}, run, &op);
}

namespace detail {

// One run of a ternary op with compile-time steps (0 or 1) so the loop vectorises.
template <int SA, int SB, int SC, typename A, typename B, typename C, typename R, typename Op>
inline void ternary_run(const A* a, const B* b, const C* c, R* o, int64_t n, Op& op) {
  for (int64_t i = 0; i < n; ++i) o[i] = R(op(a[i * SA], b[i * SB], c[i * SC]));
}

template <typename A, typename B, typename C, typename R, typename Op>
inline void ternary_run(int steps, const A* a, const B* b, const C* c, R* o, int64_t n, Op& op) {
  switch (steps) {  // bit 2: a steps, bit 1: b steps, bit 0: c steps
    case 0: ternary_run<0, 0, 0>(a, b, c, o, n, op); break;
    case 1: ternary_run<0, 0, 1>(a, b, c, o, n, op); break;
    case 2: ternary_run<0, 1, 0>(a, b, c, o, n, op); break;
    case 3: ternary_run<0, 1, 1>(a, b, c, o, n, op); break;
    case 4: ternary_run<1, 0, 0>(a, b, c, o, n, op); break;
    case 5: ternary_run<1, 0, 1>(a, b, c, o, n, op); break;
    case 6: ternary_run<1, 1, 0>(a, b, c, o, n, op); break;
    default: ternary_run<1, 1, 1>(a, b, c, o, n, op); break;
  }
}

}  // namespace detail

// out[i] = op(a[.], b[.], c[.]) over `os` (Where, Clip with tensor bounds).
template <typename A, typename B, typename C, typename R, typename Op>
void broadcast_ternary(const A* a, const Shape& as, const B* b, const Shape& bs, const C* c, const Shape& cs,
                       R* out, const Shape& os, Op op) {
  const int64_t n = shape_size(os);
  if (n == 0) return;
  const int64_t na = shape_size(as), nb = shape_size(bs), nc = shape_size(cs);
  if ((na == n || na == 1) && (nb == n || nb == 1) && (nc == n || nc == 1)) {
    detail::ternary_run((na == n) << 2 | (nb == n) << 1 | (nc == n), a, b, c, out, n, op);
    return;
  }
  BroadcastLoop<3> loop(os, {&as, &bs, &cs});
  const int steps = int(loop.inner_step(0) << 2 | loop.inner_step(1) << 1 | loop.inner_step(2));
  loop.for_each_run([&](int64_t o, const std::array<int64_t, 3>& off, int64_t cnt) {
    detail::ternary_run(steps, a + off[0], b + off[1], c + off[2], out + o, cnt, op);
  });
}

// Output shape of broadcasting any number of shapes (throws naming `what`).
inline Shape broadcast_all(const std::vector<const Shape*>& shapes, const std::string& what) {
  Shape out;
  for (const Shape* s : shapes) out = broadcast_shapes(out, *s, what);
  return out;
}

}  // namespace qwasm
