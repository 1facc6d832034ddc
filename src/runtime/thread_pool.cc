#include "runtime/thread_pool.h"

namespace qwasm {

namespace {
std::unique_ptr<ThreadPool> g_shared;
// Spin this many checks before sleeping: a decode step issues hundreds of small GEMVs
// back to back, and waking a sleeping worker costs more than one of them.
constexpr int kSpin = 20000;
}  // namespace

int PoolSlice::threads() const {
  if (!pool_ || limit_ < 2) return 1;
  return pool_->size() < limit_ ? pool_->size() : limit_;
}

void PoolSlice::run(int n, TaskFn fn, void* ctx) {
  if (threads() < 2 || n < 2) {
    for (int i = 0; i < n; ++i) fn(ctx, i);
    return;
  }
  pool_->run(n, fn, ctx, limit_);
}

ThreadPool* shared_thread_pool(int threads) {
  if (threads < 2 || !threads_supported()) return nullptr;
  if (!g_shared || g_shared->size() < threads) {
    g_shared.reset();  // join the smaller pool's workers first
    g_shared = std::make_unique<ThreadPool>(threads);
  }
  return g_shared.get();
}

ThreadPool::ThreadPool(int threads) {
  if (!threads_supported()) return;
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_main(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    ++generation_;
    published_.store(generation_, std::memory_order_release);
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::work_on(Job& job) {
  for (;;) {
    const int i = job.next.fetch_add(1, std::memory_order_relaxed);
    if (i >= job.n) return;
    job.fn(job.ctx, i);
    job.done.fetch_add(1, std::memory_order_release);
  }
}

void ThreadPool::run(int n, TaskFn fn, void* ctx, int limit) {
  Job job;
  job.fn = fn;
  job.ctx = ctx;
  job.n = n;
  job.max_users = limit - 1;
  {
    std::lock_guard<std::mutex> lock(mu_);
    job_ = &job;
    ++generation_;
    published_.store(generation_, std::memory_order_release);
  }
  wake_.notify_all();
  work_on(job);
  // Every task is claimed; wait for the ones still running on workers, then unpublish
  // the job so that no late worker can reach it once this frame is gone.
  for (int spin = 0; job.done.load(std::memory_order_acquire) < n; ++spin) {
    if (spin > kSpin) std::this_thread::yield();
  }
  std::unique_lock<std::mutex> lock(mu_);
  job_ = nullptr;
  idle_.wait(lock, [&] { return job.users == 0; });
}

void ThreadPool::worker_main() {
  uint64_t seen = 0;
  for (;;) {
    // Spin briefly on the published generation before taking the lock and sleeping.
    for (int spin = 0; spin < kSpin && published_.load(std::memory_order_acquire) == seen; ++spin) {
    }
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
    if (stop_) return;
    seen = generation_;
    Job* job = job_;
    // Gone: the caller already finished that job. Full: the session uses fewer threads.
    if (!job || job->users >= job->max_users) continue;
    ++job->users;
    lock.unlock();
    work_on(*job);
    lock.lock();
    if (--job->users == 0) idle_.notify_all();
  }
}

}  // namespace qwasm
