// Exhaustive accuracy check of the float32 exp, log, tanh and sigmoid kernels of every instruction
// set against float64 std:: results rounded to float32, over all 2^32 inputs (about a minute per
// function and ISA on two cores).
//   g++ -O2 -std=c++17 -ffp-contract=off -pthread -I../src ulp_check.cc -o /tmp/ulp_check && /tmp/ulp_check
// Prints, per ISA and function, the largest error in ulps and an input that reaches it.
#include "../src/isa_avx2.cc"
#undef KN_ISA_NAME
#undef KN_VBYTES
#undef KN_SGEMM_MR
#undef KN_SGEMM_NV
#undef KN_DGEMM_MR
#undef KN_DGEMM_NV
#include "../src/isa_avx512.cc"
#undef KN_ISA_NAME
#undef KN_VBYTES
#undef KN_SGEMM_MR
#undef KN_SGEMM_NV
#undef KN_DGEMM_MR
#undef KN_DGEMM_NV
#include "../src/isa_generic.cc"
#include "../src/dispatch.cc"

#include <cstdio>
#include <thread>
#include <vector>

namespace {

int32_t ordered(float f) {
  int32_t i;
  std::memcpy(&i, &f, 4);
  return i < 0 ? int32_t(0x80000000) - i : i;
}

double reference(int op, float x) {
  double d = x;
  switch (op) {
    case kn::kExp: return std::exp(d);
    case kn::kLog: return std::log(d);
    case kn::kTanh: return std::tanh(d);
    // PyTorch's sigmoid is 1 / (1 + exp(-x)) in float32: 0 once exp(-x) overflows.
    default: return std::isinf(float(std::exp(-d))) ? 0.0 : 1.0 / (1.0 + std::exp(-d));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const kn::Isa* isas[3];
  int n = kn::supported_isas(isas, 3);
  const int ops[] = {kn::kExp, kn::kLog, kn::kTanh, kn::kSigmoid};
  const char* names[] = {"exp", "log", "tanh", "sigmoid"};
  const int only = argc > 1 ? std::atoi(argv[1]) : -1;  // one op index, or all
  for (int s = 0; s < n; ++s)
    for (int o = 0; o < 4; ++o) {
      if (only >= 0 && o != only) continue;
      const int threads = std::max(1u, std::thread::hardware_concurrency());
      std::vector<int64_t> worst(threads, 0);
      std::vector<float> where(threads, 0);
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
          const int64_t chunk = 1 << 16;
          std::vector<float> x(chunk), y(chunk);
          for (int64_t base = int64_t(t) * chunk; base < (int64_t(1) << 32); base += int64_t(threads) * chunk) {
            for (int64_t i = 0; i < chunk; ++i) {
              uint32_t bits = uint32_t(base + i);
              std::memcpy(&x[i], &bits, 4);
            }
            isas[s]->f32.unary(ops[o], x.data(), y.data(), chunk);
            for (int64_t i = 0; i < chunk; ++i) {
              float r = float(reference(ops[o], x[i]));
              if (std::isnan(r) || std::isnan(y[i])) {
                if (std::isnan(r) != std::isnan(y[i])) { worst[t] = INT32_MAX; where[t] = x[i]; }
                continue;
              }
              int64_t d = std::llabs(int64_t(ordered(r)) - int64_t(ordered(y[i])));
              if (d > worst[t]) { worst[t] = d; where[t] = x[i]; }
            }
          }
        });
      for (auto& th : pool) th.join();
      int64_t w = 0;
      float at = 0;
      for (int t = 0; t < threads; ++t)
        if (worst[t] > w) { w = worst[t]; at = where[t]; }
      std::printf("%-8s %-8s max %lld ulp (x = %.9g)\n", isas[s]->name, names[o], (long long)w, at);
      std::fflush(stdout);
    }
}
