// Why large elementwise outputs are streamed (issue 17; native/src/ops.cc, kStreamBytes).
//
// A 1M-element float32 add, on 2 threads, into outputs taken in turn from a rotation of K
// buffers: K = 1 is PyTorch's case (its allocator hands the freed output straight back, warm in
// the cache), K = 8 is JavaScript's (the garbage collector frees outputs only when it runs, about
// eight 4 MB outputs later). Stores through the cache ("plain") slow down as K grows: each output
// line is read in before it is written, and the rotation evicts the inputs. Non-temporal stores
// ("stream") cost the same for every K.
//
//   g++ -O2 -mavx512f -fopenmp bench/probes/stream-stores.cc -o /tmp/stream-stores
//   OMP_WAIT_POLICY=active /tmp/stream-stores
#include <immintrin.h>
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

static void add_plain(const float* a, const float* b, float* y, long n) {
  for (long i = 0; i < n; i += 16) _mm512_storeu_ps(y + i, _mm512_add_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i)));
}
static void add_stream(const float* a, const float* b, float* y, long n) {
  for (long i = 0; i < n; i += 16) _mm512_stream_ps(y + i, _mm512_add_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i)));
  _mm_sfence();
}

int main() {
  const long n = 1 << 20;
  float* a = static_cast<float*>(aligned_alloc(64, n * 4));
  float* b = static_cast<float*>(aligned_alloc(64, n * 4));
  for (long i = 0; i < n; i++) a[i] = b[i] = float(i % 1000);
  for (int stream = 0; stream < 2; stream++)
    for (int k : {1, 2, 4, 8, 16}) {
      std::vector<float*> outs;
      for (int j = 0; j < k; j++) outs.push_back(static_cast<float*>(aligned_alloc(64, n * 4)));
      for (float* o : outs)
        for (long i = 0; i < n; i++) o[i] = 0;
      double best = 1e9;
      for (int rep = 0; rep < 7; rep++) {
        auto t0 = std::chrono::steady_clock::now();
        for (int it = 0; it < 200; it++) {
          float* y = outs[it % k];
#pragma omp parallel num_threads(2)
          {
            long t = omp_get_thread_num(), lo = t * n / 2, hi = (t + 1) * n / 2;
            (stream ? add_stream : add_plain)(a + lo, b + lo, y + lo, hi - lo);
          }
        }
        double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / 200;
        if (us < best) best = us;
      }
      std::printf("%s K=%d: %.1f us\n", stream ? "stream" : "plain ", k, best);
      for (float* o : outs) free(o);
    }
}
