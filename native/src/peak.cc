// The machine's float32 multiply-add peak, as the addon's kernels could reach it: a tight loop of
// independent vector FMAs on every thread of the pool at once, for a fixed time, in the vectors
// of the instruction set in use (kn::isa(): AVX-512, AVX2 + FMA, or the generic build's 16-byte
// multiply then add). The benchmark prints a product's GFLOP/s as a share of this figure.
//
// 24 accumulators per thread: more chains than an FMA's latency times the FMA pipes issuing per
// cycle on any current x86 core (Zen 4/5: 4 cycles x 2 pipes; Skylake-X: 4 x 2; Golden Cove 4 x 2),
// so the loop is bound by FMA throughput, not latency. Each chain is acc = acc * m + a with
// m = 1 - 2^-20 and a = 2^-20: it stays at 1.0 (normal numbers, no denormal stalls) and the
// compiler cannot fold it away.
//
// Threads wait for each other before starting (at most 200 ms), and the figure is the total work
// over the wall time from the first thread's start to the last one's end, so a pool that ran the
// loops one after another would report one thread's rate, not a sum of rates that never
// overlapped. Registered on the addon's exports by kn_register_peak.
#include <node_api.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "call.h"
#include "kernels.h"
#include "thread_pool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace {

using kn_call::Call;
using kn_call::guarded;
using Clock = std::chrono::steady_clock;

// The chains' constants, read through volatile so that the compiler cannot evaluate the loops.
volatile float kMul = 1.0f - 0x1p-20f, kAdd = 0x1p-20f, kStart = 1.0f;

constexpr int kChains = 24;
constexpr int64_t kBlock = 256;  // loop iterations between clock reads (~6k vector FMAs)

// Each loop runs blocks of kBlock iterations (kChains vector FMAs each) until `until`; returns the
// iterations done. `sink` keeps the result alive.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("avx512f,fma"))) int64_t loop_avx512(Clock::time_point until, float* sink) {
  const __m512 m = _mm512_set1_ps(kMul), a = _mm512_set1_ps(kAdd);
  __m512 acc[kChains];
#pragma GCC unroll 24
  for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(kStart + c * 0x1p-10f);
  int64_t done = 0;
  do {
    for (int64_t i = 0; i < kBlock; ++i) {
#pragma GCC unroll 24
      for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], m, a);
    }
    done += kBlock;
  } while (Clock::now() < until);
  __m512 s = acc[0];
#pragma GCC unroll 24
  for (int c = 1; c < kChains; ++c) s = _mm512_add_ps(s, acc[c]);
  alignas(64) float out[16];
  _mm512_store_ps(out, s);
  float total = 0;
  for (float x : out) total += x;
  *sink = total;
  return done;
}

__attribute__((target("avx2,fma"))) int64_t loop_avx2(Clock::time_point until, float* sink) {
  const __m256 m = _mm256_set1_ps(kMul), a = _mm256_set1_ps(kAdd);
  // 16 ymm registers: 12 chains and the two constants (Zen 4/5, Haswell..Alder Lake: latency x
  // pipes <= 10).
  constexpr int chains = 12;
  __m256 acc[chains];
#pragma GCC unroll 12
  for (int c = 0; c < chains; ++c) acc[c] = _mm256_set1_ps(kStart + c * 0x1p-10f);
  int64_t done = 0;
  do {
    for (int64_t i = 0; i < 2 * kBlock; ++i) {
#pragma GCC unroll 12
      for (int c = 0; c < chains; ++c) acc[c] = _mm256_fmadd_ps(acc[c], m, a);
    }
    done += 2 * kBlock;
  } while (Clock::now() < until);
  __m256 s = acc[0];
#pragma GCC unroll 12
  for (int c = 1; c < chains; ++c) s = _mm256_add_ps(s, acc[c]);
  alignas(32) float out[8];
  _mm256_store_ps(out, s);
  *sink = out[0] + out[1] + out[2] + out[3] + out[4] + out[5] + out[6] + out[7];
  return done;
}
#endif

// The generic build has no FMA: a multiply then an add per lane (2 flops, as an FMA counts).
int64_t loop_generic(Clock::time_point until, float* sink) {
  typedef float v4 __attribute__((vector_size(16)));
  const float ms = kMul, as = kAdd, s0 = kStart;
  const v4 m = {ms, ms, ms, ms}, a = {as, as, as, as};
  constexpr int chains = 12;
  v4 acc[chains];
  for (int c = 0; c < chains; ++c) acc[c] = v4{s0, s0, s0, s0} + c * 0x1p-10f;
  int64_t done = 0;
  do {
    for (int64_t i = 0; i < 2 * kBlock; ++i) {
#pragma GCC unroll 12
      for (int c = 0; c < chains; ++c) acc[c] = acc[c] * m + a;
    }
    done += 2 * kBlock;
  } while (Clock::now() < until);
  v4 s = acc[0];
  for (int c = 1; c < chains; ++c) s += acc[c];
  *sink = s[0] + s[1] + s[2] + s[3];
  return done;
}

struct Loop {
  int64_t (*run)(Clock::time_point, float*);
  int64_t flops_per_iteration;  // 2 per lane per chain
};

Loop loop_for(const char* isa) {
  const std::string name(isa);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (name == "avx512") return {loop_avx512, 2 * 16 * kChains};
  if (name == "avx2") return {loop_avx2, 2 * 8 * 12};
#endif
  return {loop_generic, 2 * 4 * 12};
}

struct Lap {
  Clock::time_point start, end;
  int64_t flops = 0;
};

// fmaPeak(seconds) -> { gflops, threads, isa, seconds, perThread: GFLOP/s of each thread }
napi_value FmaPeak(napi_env env, napi_callback_info info) {
  napi_value result = nullptr;
  guarded(env, [&] {
    Call a(env, info, "fmaPeak", 1);
    const double seconds = a.number(0, "seconds");
    if (!(seconds > 0 && seconds <= 10)) a.fail(true, "seconds", "must be in (0, 10]");
    const char* isa = kn::isa().name;
    const Loop loop = loop_for(isa);
    const int threads = kn::num_threads();
    std::vector<Lap> laps(threads);
    std::vector<float> sinks(threads);
    std::atomic<int> arrived{0};
    const auto duration = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    auto task = [&](int64_t t) {
      // Start together: every task has a thread, or 200 ms have passed (a busy pool runs serially).
      arrived.fetch_add(1);
      const auto give_up = Clock::now() + std::chrono::milliseconds(200);
      while (arrived.load() < threads && Clock::now() < give_up) {
      }
      Lap& lap = laps[t];
      lap.start = Clock::now();
      lap.flops = loop.run(lap.start + duration, &sinks[t]) * loop.flops_per_iteration;
      lap.end = Clock::now();
    };
    if (threads > 1)
      kn::parallel_for(threads, task);
    else
      task(0);
    Clock::time_point first = laps[0].start, last = laps[0].end;
    double flops = 0;
    for (const Lap& l : laps) {
      first = std::min(first, l.start);
      last = std::max(last, l.end);
      flops += double(l.flops);
    }
    const double wall = std::chrono::duration<double>(last - first).count();
    napi_create_object(env, &result);
    auto set_number = [&](const char* key, double v) {
      napi_value x;
      napi_create_double(env, v, &x);
      napi_set_named_property(env, result, key, x);
    };
    set_number("gflops", flops / wall / 1e9);
    set_number("threads", threads);
    set_number("seconds", wall);
    napi_value name, per;
    napi_create_string_utf8(env, isa, NAPI_AUTO_LENGTH, &name);
    napi_set_named_property(env, result, "isa", name);
    napi_create_array_with_length(env, threads, &per);
    for (int t = 0; t < threads; ++t) {
      napi_value x;
      const double s = std::chrono::duration<double>(laps[t].end - laps[t].start).count();
      napi_create_double(env, double(laps[t].flops) / s / 1e9, &x);
      napi_set_element(env, per, t, x);
    }
    napi_set_named_property(env, result, "perThread", per);
  });
  return result;
}

}  // namespace

void kn_register_peak(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"fmaPeak", nullptr, FmaPeak, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
