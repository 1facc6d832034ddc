// The worker threads sessions share; each run reaches them through a PoolSlice, the
// ops/parallel.h interface the executor hands to operators.
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
#include <vector>

#include "ops/parallel.h"

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

// A run's share of a pool: at most `limit` of its threads (the caller included). With
// no pool, or a limit of 1, every task runs inline on the caller.
class PoolSlice final : public Parallel {
 public:
  PoolSlice(ThreadPool* pool, int limit) : pool_(pool), limit_(limit) {}
  int threads() const override;
  void run(int n, TaskFn fn, void* ctx) override;

 private:
  ThreadPool* pool_;
  int limit_;
};

}  // namespace qwasm
