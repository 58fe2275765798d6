// Chooses the kernel table for this CPU once, at load time. KINDLING_NATIVE_ISA=avx2|generic
// forces a lesser one (the tests also switch at run time to check every table on one machine).
#include <atomic>
#include <cstdlib>
#include <cstring>

#include "kernels.h"

namespace kn {
namespace {

int list(const Isa** out) {
  int n = 0;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  bool avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
  if (avx512) out[n++] = &avx512::isa;
  if (avx2) out[n++] = &avx2::isa;
#endif
  out[n++] = &generic::isa;
  return n;
}

const Isa* initial() {
  const Isa* all[3];
  int n = list(all);
  if (const char* want = std::getenv("KINDLING_NATIVE_ISA"))
    for (int i = 0; i < n; ++i)
      if (std::strcmp(all[i]->name, want) == 0) return all[i];
  return all[0];
}

std::atomic<const Isa*> current{initial()};

}  // namespace

const Isa& isa() { return *current.load(std::memory_order_relaxed); }

int supported_isas(const Isa** out, int capacity) {
  const Isa* all[3];
  int n = list(all);
  for (int i = 0; i < n && i < capacity; ++i) out[i] = all[i];
  return n < capacity ? n : capacity;
}

bool select_isa(const char* name) {
  const Isa* all[3];
  int n = list(all);
  for (int i = 0; i < n; ++i)
    if (std::strcmp(all[i]->name, name) == 0) {
      current.store(all[i]);
      return true;
    }
  return false;
}

}  // namespace kn
