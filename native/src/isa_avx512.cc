// AVX-512 kernels (Skylake-X, Ice Lake, Zen 4 and later). Compiled for that ISA through a target
// region, not a compiler flag, so the rest of the addon stays runnable on any x86-64.
#include "isa_prelude.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KN_HAVE_AVX512 1
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma"))), \
                             apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")
#endif

namespace kn::avx512 {

#define KN_ISA_NAME "avx512"
#define KN_VBYTES 64
#define KN_SGEMM_MR 12
#define KN_SGEMM_NV 2
#define KN_DGEMM_MR 12
#define KN_DGEMM_NV 2
#define KN_HAS_FMA 1

static inline __m512 vfma(__m512 a, __m512 b, __m512 c) { return _mm512_fmadd_ps(a, b, c); }
static inline __m512d vfma(__m512d a, __m512d b, __m512d c) { return _mm512_fmadd_pd(a, b, c); }

#include "kernels.inc"

}  // namespace kn::avx512

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif
