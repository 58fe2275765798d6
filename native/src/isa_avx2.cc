// AVX2 + FMA kernels (Haswell, Zen 1-3 and later).
#include "isa_prelude.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif

namespace kn::avx2 {

#define KN_ISA_NAME "avx2"
#define KN_VBYTES 32
#define KN_SGEMM_MR 6
#define KN_SGEMM_NV 2
#define KN_DGEMM_MR 6
#define KN_DGEMM_NV 2
#define KN_HAS_FMA 1

static inline __m256 vfma(__m256 a, __m256 b, __m256 c) { return _mm256_fmadd_ps(a, b, c); }
static inline __m256d vfma(__m256d a, __m256d b, __m256d c) { return _mm256_fmadd_pd(a, b, c); }

#include "kernels.inc"

}  // namespace kn::avx2

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif
