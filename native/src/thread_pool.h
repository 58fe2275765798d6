// A small persistent thread pool for the native kernels.
//
// Workers are created once (lazily, on the first parallel call) and sleep on a condition variable
// between jobs after a short spin (50 µs), so a burst of kernel calls does not pay a thread wake-up
// each, while a worker idle for longer (JavaScript running between kernels) gives its core back.
// The calling thread always takes part in the work. Only one job runs at a time: a second caller
// (another worker_thread using the addon) that finds the pool busy runs its job serially instead of
// waiting, which keeps the pool free of deadlocks.
#pragma once

#include <cstdint>
#include <functional>

namespace kn {

// Runs task(i) for every i in [0, n) on up to num_threads() threads; returns when all are done.
// Tasks are handed out dynamically (an atomic counter), so they may run in any order on any thread:
// a task's result must not depend on which thread runs it.
void parallel_for(int64_t n, const std::function<void(int64_t)>& task);

// Threads used by parallel_for (>= 1): KINDLING_NUM_THREADS if set, else the hardware's count.
int num_threads();
// Changes the count used from now on (n >= 1); grows the pool when needed.
void set_num_threads(int n);

}  // namespace kn
