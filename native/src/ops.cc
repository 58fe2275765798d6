#include "ops.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "thread_pool.h"

namespace kn {
namespace {

template <class T>
const TypedKernels<T>& kernels();
template <>
const TypedKernels<float>& kernels<float>() {
  return isa().f32;
}
template <>
const TypedKernels<double>& kernels<double>() {
  return isa().f64;
}

// Runs body(begin, end) over [0, n) in pieces of `grain` (the last may be shorter), in parallel
// when there are at least two pieces.
template <class F>
void chunked(int64_t n, int64_t grain, F body) {
  int64_t pieces = (n + grain - 1) / grain;
  if (pieces <= 1) {
    if (n > 0) body(int64_t(0), n);
    return;
  }
  parallel_for(pieces, [&](int64_t p) { body(p * grain, std::min(n, (p + 1) * grain)); });
}

// Elements per piece: enough work that a piece costs well over the pool's hand-off (~ a few us).
constexpr int64_t kCheapGrain = 1 << 16;      // add, mul, relu: memory bound
constexpr int64_t kTranscendGrain = 1 << 15;  // exp, log, tanh, sigmoid
// Multiply-adds below which a matrix product runs on the calling thread.
constexpr double kGemmParallelMacs = 1 << 20;

int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

}  // namespace

// Writes `row` (n elements) into each of the m rows of c (row stride rs, column stride cs).
// Contiguous blocks double what is already written, so a small layer's 64 rows of 2 take 7
// memcpy calls, not 64 (a call per row cost ~350 ns of a 64 x 2 x 2 product's ~450).
template <class T>
static void fill_rows(T* c, int64_t m, int64_t n, int64_t rs, int64_t cs, const T* row) {
  if (m == 0 || n == 0) return;
  if (cs != 1) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * rs + j * cs] = row[j];
    return;
  }
  std::memcpy(c, row, sizeof(T) * n);
  if (rs == n) {
    const int64_t total = m * n;
    for (int64_t done = n; done < total; done *= 2) std::memcpy(c + done, c, sizeof(T) * std::min(done, total - done));
    return;
  }
  for (int64_t i = 1; i < m; ++i) std::memcpy(c + i * rs, row, sizeof(T) * n);
}

template <class T>
void gemm(const GemmArgs<T>& g, int64_t batch, int64_t stride_a, int64_t stride_b, int64_t stride_c,
          const T* bias) {
  const TypedKernels<T>& kern = kernels<T>();
  auto one = [&](int64_t b, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
    GemmArgs<T> s = g;
    s.m = i1 - i0;
    s.n = j1 - j0;
    s.a = g.a + b * stride_a + i0 * g.rsa;
    s.b = g.b + b * stride_b + j0 * g.csb;
    s.c = g.c + b * stride_c + i0 * g.rsc + j0 * g.csc;
    if (bias) {
      // Each part writes the bias into its own block of C (still in cache for the product).
      fill_rows(s.c, s.m, s.n, g.rsc, g.csc, bias + j0);
      s.beta = T(1);
    }
    kern.gemm(s);
  };
  const int threads = num_threads();
  const double macs = double(g.m) * double(g.n) * double(g.k) * double(batch);
  if (threads <= 1 || macs < kGemmParallelMacs) {
    for (int64_t b = 0; b < batch; ++b) one(b, 0, g.m, 0, g.n);
    return;
  }
  // Split each product into `parts` along its larger side (each part packs the other operand
  // again, so the side whose operand is cheaper to re-pack is cut), on register-tile borders.
  int64_t parts = (batch % threads == 0 || batch >= 4 * threads) ? 1 : threads;
  const bool split_m = g.m >= g.n;
  const int64_t extent = split_m ? g.m : g.n;
  const int64_t tile = split_m ? kern.gemm_mr : kern.gemm_nr;
  int64_t step = round_up((extent + parts - 1) / parts, tile);
  parts = (extent + step - 1) / step;
  parallel_for(batch * parts, [&](int64_t t) {
    int64_t b = t / parts, p = t % parts;
    int64_t lo = p * step, hi = std::min(extent, lo + step);
    if (split_m)
      one(b, lo, hi, 0, g.n);
    else
      one(b, 0, g.m, lo, hi);
  });
}

// Outputs of at least this many bytes are written with non-temporal stores. An out-of-place
// result in JavaScript is rarely in the cache: the garbage collector frees outputs only when it
// next runs, so a loop of `a.add(b)` cycles through about eight fresh 4 MB outputs (32 MB, the
// size of the whole L3) instead of reusing one warm block as PyTorch's allocator does. Writing
// such memory through the cache first reads every line in (and evicts the inputs); streaming it
// skips that read, so a 1M-element add costs the same ~90 us whether its output is warm or not
// (it costs ~220 us through the cache on an 8-buffer rotation, measured on Zen 5). Below the size
// of one core's L2, a result is likely read again at once from the cache, where it stays.
static int64_t stream_bytes = int64_t(1) << 20;

// Whether to stream y: large, and not overlapping an input (an in-place op's output is already
// in the cache: it has just been read).
template <class T>
static bool streams(const T* y, int64_t n, const T* in1, int64_t n1, const T* in2 = nullptr, int64_t n2 = 0) {
  if (n * int64_t(sizeof(T)) < stream_bytes) return false;
  auto overlaps = [&](const T* p, int64_t m) { return p != nullptr && p < y + n && y < p + m; };
  return !overlaps(in1, n1) && !overlaps(in2, n2);
}

int64_t stream_min_bytes() { return stream_bytes; }
void set_stream_min_bytes(int64_t bytes) { stream_bytes = bytes; }

template <class T>
void unary(int op, const T* x, T* y, int64_t n) {
  auto f = kernels<T>().unary;
  int64_t grain = (op == kNeg || op == kRelu) ? kCheapGrain : kTranscendGrain;
  bool stream = streams(y, n, x, n);
  chunked(n, grain, [&](int64_t i, int64_t j) { f(op, x + i, y + i, j - i, stream); });
}

template <class T>
void binary(int op, const T* a, const T* b, T* y, int64_t n) {
  auto f = kernels<T>().binary;
  bool stream = streams(y, n, a, n, b, n);
  chunked(n, kCheapGrain, [&](int64_t i, int64_t j) { f(op, a + i, b + i, y + i, j - i, stream); });
}

template <class T>
void binary_scalar(int op, const T* a, T s, T* y, int64_t n) {
  auto f = kernels<T>().binary_scalar;
  bool stream = streams(y, n, a, n);
  chunked(n, kCheapGrain, [&](int64_t i, int64_t j) { f(op, a + i, s, y + i, j - i, stream); });
}

template <class T>
void binary_row(int op, const T* a, const T* b, T* y, int64_t rows, int64_t cols) {
  auto f = kernels<T>().binary_row;
  int64_t grain = std::max<int64_t>(1, kCheapGrain / std::max<int64_t>(cols, 1));
  // Each row streams on its own (a head to align, a fence): worth it only for long rows.
  bool stream = cols >= 256 && streams(y, rows * cols, a, rows * cols, b, cols);
  chunked(rows, grain, [&](int64_t i, int64_t j) { f(op, a + i * cols, b, y + i * cols, j - i, cols, stream); });
}

template <class T>
void backward(int op, const T* gy, const T* y, T* gx, int64_t n) {
  auto f = kernels<T>().backward;
  bool stream = streams(gx, n, gy, n, y, n);
  chunked(n, kCheapGrain, [&](int64_t i, int64_t j) { f(op, gy + i, y + i, gx + i, j - i, stream); });
}

template <class T>
void softmax(const T* x, T* y, int64_t rows, int64_t cols, bool log) {
  auto f = kernels<T>().softmax;
  int64_t grain = std::max<int64_t>(1, kTranscendGrain / std::max<int64_t>(cols, 1));
  chunked(rows, grain, [&](int64_t i, int64_t j) { f(x + i * cols, y + i * cols, j - i, cols, log); });
}

template <class T>
void fma_inplace(T* c, const T* a, const T* b, T s, int64_t n) {
  auto f = kernels<T>().fma_inplace;
  chunked(n, kCheapGrain, [&](int64_t i, int64_t j) { f(c + i, a + i, b ? b + i : nullptr, s, j - i); });
}

#define KN_INSTANTIATE(T)                                                            \
  template void gemm<T>(const GemmArgs<T>&, int64_t, int64_t, int64_t, int64_t, const T*); \
  template void unary<T>(int, const T*, T*, int64_t);                                \
  template void binary<T>(int, const T*, const T*, T*, int64_t);                     \
  template void binary_scalar<T>(int, const T*, T, T*, int64_t);                    \
  template void binary_row<T>(int, const T*, const T*, T*, int64_t, int64_t);        \
  template void backward<T>(int, const T*, const T*, T*, int64_t);                   \
  template void softmax<T>(const T*, T*, int64_t, int64_t, bool);                   \
  template void fma_inplace<T>(T*, const T*, const T*, T, int64_t);
KN_INSTANTIATE(float)
KN_INSTANTIATE(double)

}  // namespace kn
