#include "thread_pool.h"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define KN_PAUSE() _mm_pause()
#else
#define KN_PAUSE() ((void)0)
#endif

namespace kn {
namespace {

int default_threads() {
  if (const char* env = std::getenv("KINDLING_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n >= 1) return n;
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

class Pool {
 public:
  explicit Pool(int threads) : active_(threads) {}

  int threads() const { return active_.load(); }

  void set_threads(int n) {
    std::lock_guard<std::mutex> run(run_mutex_);
    active_.store(n);
  }

  void run(int64_t n, const std::function<void(int64_t)>& task) {
    int want = active_.load();
    if (n <= 1 || want <= 1) return serial(n, task);
    std::unique_lock<std::mutex> run(run_mutex_, std::try_to_lock);
    if (!run.owns_lock()) return serial(n, task);
    ensure_workers(want - 1);
    int helpers = static_cast<int>(std::min<int64_t>(n - 1, want - 1));

    task_ = &task;
    total_ = n;
    next_.store(0, std::memory_order_relaxed);
    helpers_wanted_ = helpers;
    // Every worker acknowledges every job (those not wanted do no work), so no worker can lag
    // behind into the next job's parameters.
    remaining_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    work();
    // Wait for the helpers to finish their last task; they are busy, so spin briefly, then sleep.
    for (int spin = 0; remaining_.load(std::memory_order_acquire) != 0; ++spin) {
      if (spin < 4096) {
        KN_PAUSE();
      } else {
        std::unique_lock<std::mutex> lock(mutex_);
        done_.wait(lock, [&] { return remaining_.load(std::memory_order_acquire) == 0; });
      }
    }
    task_ = nullptr;
  }

 private:
  static void serial(int64_t n, const std::function<void(int64_t)>& task) {
    for (int64_t i = 0; i < n; ++i) task(i);
  }

  void work() {
    for (;;) {
      int64_t i = next_.fetch_add(1, std::memory_order_relaxed);
      if (i >= total_) return;
      (*task_)(i);
    }
  }

  void ensure_workers(int count) {
    while (static_cast<int>(workers_.size()) < count) {
      int index = static_cast<int>(workers_.size());
      // The worker must not miss a job published before it gets to run: it starts from the
      // generation current now, before this job's is published.
      uint64_t seen = generation_.load(std::memory_order_acquire);
      workers_.emplace_back([this, index, seen] { worker_loop(index, seen); });
      workers_.back().detach();  // the pool lives for the whole process
    }
  }

  void worker_loop(int index, uint64_t seen) {
    for (;;) {
      // Spin a little first: kernels are often called back to back.
      uint64_t now = generation_.load(std::memory_order_acquire);
      for (int spin = 0; now == seen && spin < 20000; ++spin) {
        KN_PAUSE();
        now = generation_.load(std::memory_order_acquire);
      }
      if (now == seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
        now = generation_.load(std::memory_order_acquire);
      }
      seen = now;
      if (index < helpers_wanted_) work();
      if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(mutex_);
        done_.notify_one();
      }
    }
  }

  std::atomic<int> active_;
  std::mutex run_mutex_;  // one job at a time
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> generation_{0};
  const std::function<void(int64_t)>* task_ = nullptr;
  int64_t total_ = 0;
  int helpers_wanted_ = 0;
  std::atomic<int64_t> next_{0};
  std::atomic<int> remaining_{0};
};

Pool& pool() {
  // Never destroyed: detached workers may still be asleep in it when the process exits.
  static Pool* p = new Pool(default_threads());
  return *p;
}

}  // namespace

void parallel_for(int64_t n, const std::function<void(int64_t)>& task) { pool().run(n, task); }
int num_threads() { return pool().threads(); }
void set_num_threads(int n) { pool().set_threads(n < 1 ? 1 : n); }

}  // namespace kn
