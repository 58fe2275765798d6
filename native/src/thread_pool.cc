#include "thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
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

// How long an idle worker polls for the next job before it sleeps on the condition variable: long
// enough to catch kernels called back to back (a wake-up from sleep costs tens of microseconds on
// a busy machine), short enough that a worker gives its core back while JavaScript runs between
// kernels; spinning through that time took the second core from everything else on a 2-core
// machine (a fifth of a training step's samples) and slowed the step down when it was shared.
constexpr std::chrono::microseconds kWorkerSpin{50};
// How long the caller, done with its share, polls for tasks still running on workers.
constexpr std::chrono::microseconds kCallerSpin{200};

// Tasks are claimed one at a time under a mutex (they are coarse: tens of microseconds at least),
// and the caller claims too. The caller waits only for tasks a helper has actually claimed, so a
// helper that the OS has not scheduled yet (a busy machine) never holds a job up: the caller just
// runs more of the tasks itself.
class Pool {
 public:
  explicit Pool(int threads) : active_(threads) {}

  int threads() const { return active_.load(); }

  void set_threads(int n) {
    std::lock_guard<std::mutex> run(run_mutex_);
    active_.store(n);
  }

  void run(int64_t n, const std::function<void(int64_t)>& task) {
    const int want = active_.load();
    if (n <= 1 || want <= 1) return serial(n, task);
    std::unique_lock<std::mutex> run(run_mutex_, std::try_to_lock);
    if (!run.owns_lock()) return serial(n, task);
    ensure_workers(want - 1);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      task_ = &task;
      total_ = n;
      next_ = 0;
      done_.store(0, std::memory_order_relaxed);
      helpers_wanted_ = static_cast<int>(std::min<int64_t>(n - 1, want - 1));
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    work(generation_.load(std::memory_order_relaxed));
    // Wait for tasks still running on helpers: spin briefly (they are about to finish), then sleep.
    const auto until = std::chrono::steady_clock::now() + kCallerSpin;
    for (int spin = 1; done_.load(std::memory_order_acquire) != total_; ++spin) {
      KN_PAUSE();
      if (spin % 32 == 0 && std::chrono::steady_clock::now() >= until) {
        std::unique_lock<std::mutex> lock(mutex_);
        finished_.wait(lock, [&] { return done_.load(std::memory_order_acquire) == total_; });
        break;
      }
    }
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = nullptr;
  }

 private:
  static void serial(int64_t n, const std::function<void(int64_t)>& task) {
    for (int64_t i = 0; i < n; ++i) task(i);
  }

  // Claims and runs tasks of job `gen` until none is left (or the job is no longer current).
  void work(uint64_t gen) {
    std::unique_lock<std::mutex> lock(mutex_);
    while (generation_.load(std::memory_order_relaxed) == gen && next_ < total_) {
      const int64_t i = next_++;
      const std::function<void(int64_t)>* task = task_;
      lock.unlock();
      (*task)(i);
      lock.lock();
      // Counted under the lock, so the caller's wait cannot miss the last notification.
      if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == total_) finished_.notify_one();
    }
  }

  void ensure_workers(int count) {
    while (static_cast<int>(workers_.size()) < count) {
      int index = static_cast<int>(workers_.size());
      workers_.emplace_back([this, index] { worker_loop(index); });
      workers_.back().detach();  // the pool lives as long as the process
    }
  }

  void worker_loop(int index) {
    uint64_t seen = 0;
    for (;;) {
      // Spin a little first: kernels are often called back to back.
      uint64_t now = generation_.load(std::memory_order_acquire);
      const auto until = std::chrono::steady_clock::now() + kWorkerSpin;
      for (int spin = 1; now == seen; ++spin) {
        KN_PAUSE();
        now = generation_.load(std::memory_order_acquire);
        if (spin % 32 == 0 && std::chrono::steady_clock::now() >= until) break;
      }
      if (now == seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_relaxed) != seen; });
        now = generation_.load(std::memory_order_relaxed);
      }
      seen = now;
      bool wanted;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        wanted = index < helpers_wanted_;
      }
      if (wanted) work(now);
    }
  }

  std::atomic<int> active_;
  std::mutex run_mutex_;  // one job at a time
  std::mutex mutex_;      // guards the job below
  std::condition_variable wake_, finished_;
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> generation_{0};
  const std::function<void(int64_t)>* task_ = nullptr;
  int64_t total_ = 0, next_ = 0;
  std::atomic<int64_t> done_{0};  // tasks finished; atomic so the caller can poll it without the lock
  int helpers_wanted_ = 0;
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
