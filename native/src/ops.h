// The kernels as the addon calls them: the chosen instruction set's table, split across the thread
// pool when the problem is large enough to pay for it. Work is always divided into the same
// pieces whatever the thread count, so results do not depend on KINDLING_NUM_THREADS.
#pragma once

#include <cstdint>

#include "kernels.h"

namespace kn {

// `batch` products; matrix b of A starts at a + b * stride_a (likewise B and C). With `bias` (n
// elements), C starts as bias on every row and the product is added to it (g.beta is ignored), as
// BLAS computes addmm with beta = 1: the first block of k sums onto the bias.
template <class T>
void gemm(const GemmArgs<T>& g, int64_t batch, int64_t stride_a, int64_t stride_b, int64_t stride_c,
          const T* bias = nullptr);
// Outputs of at least this many bytes that overlap no input are written with non-temporal stores
// (ops.cc); settable for benchmarks and tests.
int64_t stream_min_bytes();
void set_stream_min_bytes(int64_t bytes);
template <class T>
void unary(int op, const T* x, T* y, int64_t n);
template <class T>
void binary(int op, const T* a, const T* b, T* y, int64_t n);
template <class T>
void binary_scalar(int op, const T* a, T s, T* y, int64_t n);
template <class T>
void binary_row(int op, const T* a, const T* b, T* y, int64_t rows, int64_t cols);
template <class T>
void backward(int op, const T* gy, const T* y, T* gx, int64_t n);
template <class T>
void softmax(const T* x, T* y, int64_t rows, int64_t cols, bool log);
// c[i] = c[i] + a[i] * (b ? b[i] : s), rounded once (the optimizers' in-place update).
template <class T>
void fma_inplace(T* c, const T* a, const T* b, T s, int64_t n);

}  // namespace kn
