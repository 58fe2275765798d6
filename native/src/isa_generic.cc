// Portable kernels: 16-byte vectors (SSE2 on x86-64, NEON on arm64) and no fused multiply-add,
// for CPUs without AVX2 and for other architectures.
#include "isa_prelude.h"

namespace kn::generic {

#define KN_ISA_NAME "generic"
#define KN_VBYTES 16
#define KN_SGEMM_MR 6
#define KN_SGEMM_NV 2
#define KN_DGEMM_MR 6
#define KN_DGEMM_NV 2
#define KN_HAS_FMA 0

typedef float vf_ __attribute__((vector_size(16)));
typedef double vd_ __attribute__((vector_size(16)));
static inline vf_ vfma(vf_ a, vf_ b, vf_ c) { return a * b + c; }
static inline vd_ vfma(vd_ a, vd_ b, vd_ c) { return a * b + c; }

#include "kernels.inc"

}  // namespace kn::generic
