// The worker threads sessions share, and the parallel_for that operators use.
//
// One pool per process (per wasm module): sessions run one at a time on the calling
// thread, and each says how many of the pool's threads its runs may use. Keeping the
// workers for the process's lifetime means no thread is created or joined per session
// (in a browser a new worker can only start once the main thread yields).
//
// The calling thread always takes part and tasks are claimed one by one from a
// shared counter, so a call finishes even if no worker ever wakes up (in a browser a
// worker may start late; the main thread must never wait on one that holds nothing).
// Operators split their work into independent pieces (rows of M, column groups of N)
// that each write their own outputs, so results do not depend on the thread count.
#pragma once
#include <atomic>
#include <condition_variable>
#include <memory>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace qwasm {

// False in a wasm build without -pthread: there a pool never starts workers.
constexpr bool threads_supported() {
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
  return false;
#else
  return true;
#endif
}

class ThreadPool {
 public:
  // threads: total participants including the caller (1 = no workers, everything inline;
  // always 1 where threads_supported() is false).
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return int(workers_.size()) + 1; }

  // Calls fn(ctx, i) for every i in [0, n) on the caller and at most limit - 1 workers;
  // returns when all calls returned. fn must not throw (operators validate before splitting).
  using TaskFn = void (*)(void* ctx, int i);
  void run(int n, TaskFn fn, void* ctx, int limit);

 private:
  struct Job {
    TaskFn fn = nullptr;
    void* ctx = nullptr;
    int n = 0;
    std::atomic<int> next{0};
    std::atomic<int> done{0};
    int users = 0;      // workers inside this job (guarded by mu_)
    int max_users = 0;  // workers allowed in
  };
  static void work_on(Job& job);
  void worker_main();

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_;   // workers: a new job or stop
  std::condition_variable idle_;   // caller: a worker left the job
  Job* job_ = nullptr;             // guarded by mu_
  uint64_t generation_ = 0;        // guarded by mu_; bumped per job
  std::atomic<uint64_t> published_{0};  // generation_, readable without the lock (spinning)
  bool stop_ = false;
};

// The process-wide pool with at least `threads` participants (created, or replaced by a
// larger one, on demand; never shrinks). Not thread-safe: called while building sessions.
ThreadPool* shared_thread_pool(int threads);

// What operators see while a session runs: the pool and how many threads this run may
// use (nullptr / 1 outside a run or for a single-threaded session).
ThreadPool* current_thread_pool();
int current_thread_limit();
class ThreadPoolScope {
 public:
  ThreadPoolScope(ThreadPool* p, int limit);
  ~ThreadPoolScope();
 private:
  ThreadPool* prev_;
  int prev_limit_;
};

// Runs fn(i) for i in [0, n) on the current pool, or inline when there is none or n < 2.
template <typename F>
void parallel_for(int n, F&& fn) {
  ThreadPool* p = current_thread_pool();
  const int limit = current_thread_limit();
  if (!p || p->size() < 2 || limit < 2 || n < 2) {
    for (int i = 0; i < n; ++i) fn(i);
    return;
  }
  using Fn = std::remove_reference_t<F>;
  p->run(n, [](void* ctx, int i) { (*static_cast<Fn*>(ctx))(i); }, const_cast<void*>(static_cast<const void*>(&fn)),
         limit);
}

// Number of threads of the current pool (1 when none): operators size their pieces with it.
inline int parallel_threads() {
  ThreadPool* p = current_thread_pool();
  const int limit = current_thread_limit();
  return p ? (p->size() < limit ? p->size() : limit) : 1;
}

}  // namespace qwasm
