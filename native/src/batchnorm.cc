// Batch norm's per-channel loops over contiguous [N, C, S] memory (S > 1), the native side of
// src/ops/normalization.ts: the same arithmetic step for step (PyTorch 1.13's CPU kernel under
// AVX2, as that file transcribes it), so the results are the TypeScript kernels' bits. Only the
// loops move here; the per-channel scalars (inverse std, alpha, beta, k) stay in TypeScript.
// Channels are independent, so they are split over the thread pool without changing any sum.
// Registered on the addon's exports by kn_register_batchnorm.
#include <node_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "call.h"
#include "thread_pool.h"

namespace {

using kn_call::Arr;
using kn_call::Call;
using kn_call::guarded;

template <class T>
T* at(const Arr& a, int64_t offset) {
  return static_cast<T*>(a.data) + offset;
}

// Channels per task: whole channels, so each channel's loops run as on one thread.
template <class F>
void over_channels(int64_t c, int64_t per_channel, F body) {
  const int64_t grain = per_channel >= (1 << 16) ? 1 : std::max<int64_t>(1, (1 << 16) / std::max<int64_t>(1, per_channel));
  const int64_t tasks = (c + grain - 1) / grain;
  if (tasks <= 1) {
    for (int64_t ch = 0; ch < c; ++ch) body(ch);
    return;
  }
  kn::parallel_for(tasks, [&](int64_t t) {
    const int64_t end = std::min(c, (t + 1) * grain);
    for (int64_t ch = t * grain; ch < end; ++ch) body(ch);
  });
}

inline float fused(float a, float b, float c) { return std::fmaf(a, b, c); }
inline double fused(double a, double b, double c) { return std::fma(a, b, c); }

// AVX2's lanes: 8 float32, 4 float64.
template <class T>
constexpr int kLanes = 32 / sizeof(T);

// The horizontal sum of the lanes: float32's permute/shuffle tree, float64 lane by lane.
inline float horizontal(const float* a) { return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7])); }
inline double horizontal(const double* a) { return ((a[0] + a[1]) + a[2]) + a[3]; }

// vec::reduce_all(+) of a[0, size) in the element type.
template <class T>
T lane_sum(const T* a, int64_t size) {
  constexpr int L = kLanes<T>;
  if (size < L) {
    T acc = size > 0 ? a[0] : T(0);
    for (int64_t i = 1; i < size; ++i) acc = acc + a[i];
    return acc;
  }
  T acc[L];
  for (int l = 0; l < L; ++l) acc[l] = a[l];
  int64_t d = L;
  for (; d < size - (size % L); d += L)
    for (int l = 0; l < L; ++l) acc[l] = acc[l] + a[d + l];
  for (int l = 0; d + l < size; ++l) acc[l] = acc[l] + a[d + l];
  return horizontal(acc);
}

// vec::map2_reduce_all of (a - m) * b: full vectors accumulate by FMA, the first and the tail unfused.
template <class T>
T lane_dot(const T* a, const T* b, int64_t size, T m) {
  constexpr int L = kLanes<T>;
  if (size < L) {
    T acc = size > 0 ? (a[0] - m) * b[0] : T(0);
    for (int64_t i = 1; i < size; ++i) acc = acc + (a[i] - m) * b[i];
    return acc;
  }
  T acc[L];
  for (int l = 0; l < L; ++l) acc[l] = (a[l] - m) * b[l];
  int64_t d = L;
  for (; d < size - (size % L); d += L)
    for (int l = 0; l < L; ++l) acc[l] = fused(a[d + l] - m, b[d + l], acc[l]);
  for (int l = 0; d + l < size; ++l) acc[l] = acc[l] + (a[d + l] - m) * b[d + l];
  return horizontal(acc);
}

// Training statistics: the sum in double, the mean rounded to T, the squared deviations (each
// rounded to T) summed in double and the total rounded to T.
template <class T>
void stats(const T* x, int64_t n, int64_t c, int64_t s, double* mean, double* var_sum) {
  const double count = static_cast<double>(n * s);
  over_channels(c, n * s, [&](int64_t ch) {
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) {
      const T* p = x + (i * c + ch) * s;
      for (int64_t j = 0; j < s; ++j) sum += p[j];
    }
    const T m = static_cast<T>(sum / count);
    double vs = 0;
    for (int64_t i = 0; i < n; ++i) {
      const T* p = x + (i * c + ch) * s;
      for (int64_t j = 0; j < s; ++j) {
        const T d = p[j] - m;
        vs += static_cast<T>(d * d);
      }
    }
    mean[ch] = m;
    var_sum[ch] = static_cast<T>(vs);
  });
}

// y = x * alpha + beta per channel, one rounding (PyTorch's build contracts it into an FMA).
template <class T>
void apply(const T* x, T* y, int64_t n, int64_t c, int64_t s, const double* alpha, const double* beta) {
  over_channels(c, n * s, [&](int64_t ch) {
    const T a = static_cast<T>(alpha[ch]), b = static_cast<T>(beta[ch]);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t base = (i * c + ch) * s;
      for (int64_t j = 0; j < s; ++j) y[base + j] = fused(x[base + j], a, b);
    }
  });
}

// Per channel: the sum of dy and of (x - mean) * dy, each plane's in the element type, the planes'
// in double.
template <class T>
void backward_reduce(const T* x, const T* dy, int64_t n, int64_t c, int64_t s, const double* mean, double* sum, double* dotp) {
  over_channels(c, n * s, [&](int64_t ch) {
    const T m = static_cast<T>(mean[ch]);
    double sm = 0, dp = 0;
    for (int64_t i = 0; i < n; ++i) {
      const int64_t base = (i * c + ch) * s;
      sm += lane_sum(dy + base, s);
      dp += lane_dot(x + base, dy + base, s, m);
    }
    sum[ch] = sm;
    dotp[ch] = dp;
  });
}

// Training's input gradient: (dy - grad_mean - (x - mean) * k) * invstd * w, the subtraction of
// the product fused.
template <class T>
void backward_apply(const T* x, const T* dy, T* dx, int64_t n, int64_t c, int64_t s, const double* mean, const double* k, const double* grad_mean,
                    const double* invstd, const double* w) {
  over_channels(c, n * s, [&](int64_t ch) {
    const T m = static_cast<T>(mean[ch]), kc = static_cast<T>(k[ch]), g = static_cast<T>(grad_mean[ch]);
    const T is = static_cast<T>(invstd[ch]), wc = static_cast<T>(w[ch]);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t base = (i * c + ch) * s;
      for (int64_t j = 0; j < s; ++j) dx[base + j] = (fused(-(x[base + j] - m), kc, dy[base + j] - g) * is) * wc;
    }
  });
}

// batchNormStats(x, xOffset, n, c, s, mean, varSum)
napi_value BatchNormStats(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call a(env, info, "batchNormStats", 7);
    const int64_t off = a.size(1, "xOffset"), n = a.size(2, "n"), c = a.size(3, "c"), s = a.size(4, "s");
    Arr x = a.array(0, "x", off, n * c * s);
    Arr mean = a.float64s(5, "mean", 0, c), vs = a.float64s(6, "varSum", 0, c);
    if (a.single())
      stats(at<float>(x, off), n, c, s, at<double>(mean, 0), at<double>(vs, 0));
    else
      stats(at<double>(x, off), n, c, s, at<double>(mean, 0), at<double>(vs, 0));
  });
}

// batchNormApply(x, xOffset, y, n, c, s, alpha, beta)
napi_value BatchNormApply(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call a(env, info, "batchNormApply", 8);
    const int64_t off = a.size(1, "xOffset"), n = a.size(3, "n"), c = a.size(4, "c"), s = a.size(5, "s");
    Arr x = a.array(0, "x", off, n * c * s), y = a.array(2, "y", 0, n * c * s);
    Arr alpha = a.float64s(6, "alpha", 0, c), beta = a.float64s(7, "beta", 0, c);
    if (a.single())
      apply(at<float>(x, off), at<float>(y, 0), n, c, s, at<double>(alpha, 0), at<double>(beta, 0));
    else
      apply(at<double>(x, off), at<double>(y, 0), n, c, s, at<double>(alpha, 0), at<double>(beta, 0));
  });
}

// batchNormBackwardReduce(x, xOffset, dy, dyOffset, n, c, s, mean, sum, dotp)
napi_value BatchNormBackwardReduce(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call a(env, info, "batchNormBackwardReduce", 10);
    const int64_t ox = a.size(1, "xOffset"), od = a.size(3, "dyOffset"), n = a.size(4, "n"), c = a.size(5, "c"), s = a.size(6, "s");
    Arr x = a.array(0, "x", ox, n * c * s), dy = a.array(2, "dy", od, n * c * s);
    Arr mean = a.float64s(7, "mean", 0, c), sum = a.float64s(8, "sum", 0, c), dotp = a.float64s(9, "dotp", 0, c);
    if (a.single())
      backward_reduce(at<float>(x, ox), at<float>(dy, od), n, c, s, at<double>(mean, 0), at<double>(sum, 0), at<double>(dotp, 0));
    else
      backward_reduce(at<double>(x, ox), at<double>(dy, od), n, c, s, at<double>(mean, 0), at<double>(sum, 0), at<double>(dotp, 0));
  });
}

// batchNormBackwardApply(x, xOffset, dy, dyOffset, dx, n, c, s, mean, k, gradMean, invstd, w)
napi_value BatchNormBackwardApply(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call a(env, info, "batchNormBackwardApply", 13);
    const int64_t ox = a.size(1, "xOffset"), od = a.size(3, "dyOffset"), n = a.size(5, "n"), c = a.size(6, "c"), s = a.size(7, "s");
    Arr x = a.array(0, "x", ox, n * c * s), dy = a.array(2, "dy", od, n * c * s), dx = a.array(4, "dx", 0, n * c * s);
    Arr mean = a.float64s(8, "mean", 0, c), k = a.float64s(9, "k", 0, c), g = a.float64s(10, "gradMean", 0, c);
    Arr is = a.float64s(11, "invstd", 0, c), w = a.float64s(12, "w", 0, c);
    if (a.single())
      backward_apply(at<float>(x, ox), at<float>(dy, od), at<float>(dx, 0), n, c, s, at<double>(mean, 0), at<double>(k, 0), at<double>(g, 0), at<double>(is, 0), at<double>(w, 0));
    else
      backward_apply(at<double>(x, ox), at<double>(dy, od), at<double>(dx, 0), n, c, s, at<double>(mean, 0), at<double>(k, 0), at<double>(g, 0), at<double>(is, 0), at<double>(w, 0));
  });
}

}  // namespace

void kn_register_batchnorm(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"batchNormStats", nullptr, BatchNormStats, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormApply", nullptr, BatchNormApply, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormBackwardReduce", nullptr, BatchNormBackwardReduce, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormBackwardApply", nullptr, BatchNormBackwardApply, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
