// How an operator splits its work across threads without knowing who runs it.
// The executor (runtime/) hands each run's Parallel to the ops through OpContext;
// runtime/thread_pool.h implements it over the session's share of the shared pool.
// Operators cut their work into independent pieces (whole kernel tiles, rows,
// channels) that each write only their own outputs, so results never depend on
// threads(): it only decides how many pieces there are.
#pragma once
#include <type_traits>

namespace qwasm {

class Parallel {
 public:
  using TaskFn = void (*)(void* ctx, int i);
  virtual ~Parallel() = default;
  // Threads that may run tasks at once, the caller included (>= 1).
  virtual int threads() const = 0;
  // Calls fn(ctx, i) for every i in [0, n) (on the caller and up to threads() - 1 others);
  // returns when all calls returned. fn must not throw (operators validate before splitting).
  virtual void run(int n, TaskFn fn, void* ctx) = 0;
};

// Runs everything on the calling thread (threads() == 1): build-time folding, unit tests.
Parallel& serial();

// Runs fn(i) for i in [0, n) through `par`, inline when it has one thread or n < 2.
template <typename F>
void parallel_for(Parallel& par, int n, F&& fn) {
  if (n < 2 || par.threads() < 2) {
    for (int i = 0; i < n; ++i) fn(i);
    return;
  }
  using Fn = std::remove_reference_t<F>;
  par.run(n, [](void* ctx, int i) { (*static_cast<Fn*>(ctx))(i); }, const_cast<void*>(static_cast<const void*>(&fn)));
}

}  // namespace qwasm
