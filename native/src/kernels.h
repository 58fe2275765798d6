// The table of kernels that one instruction set provides. isa_avx512.cc, isa_avx2.cc and
// isa_generic.cc each compile kernels.inc for their instruction set; dispatch.cc picks one at run
// time from the CPU's features (the addon itself is built for the baseline x86-64, so it loads on
// any CPU).
#pragma once

#include <cstdint>

namespace kn {

enum Unary : int { kNeg = 0, kExp = 1, kLog = 2, kTanh = 3, kSigmoid = 4, kRelu = 5, kUnaryCount = 6 };
// kRSub and kRDiv swap the operands: y = b - a, y = b / a (b the scalar or the broadcast row).
enum Binary : int { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3, kRSub = 4, kRDiv = 5, kBinaryCount = 6 };
// Gradients from the forward output y: sigmoid gy*(1-y)*y, tanh gy*(1-y*y), relu y<=0 ? 0 : gy.
enum Backward : int { kSigmoidBackward = 0, kTanhBackward = 1, kReluBackward = 2, kBackwardCount = 3 };

// C = alpha * A @ B + beta * C for one matrix; element (i, j) of X is x[i * rsx + j * csx].
// beta == 0 overwrites C without reading it (as BLAS does).
template <class T>
struct GemmArgs {
  int64_t m, n, k;
  T alpha;
  const T* a;
  int64_t rsa, csa;
  const T* b;
  int64_t rsb, csb;
  T beta;
  T* c;
  int64_t rsc, csc;
};

// Max pooling's window geometry over one plane [h, w] (src/backend/backend.ts's PoolGeometry):
// output (oy, ox) takes rows oy*sh - ph + i*dh and columns ox*sw - pw + j*dw inside the plane.
struct PoolGeom {
  int64_t h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow;
};

template <class T>
struct TypedKernels {
  int gemm_mr, gemm_nr;                         // register tile, to split work on tile borders
  void (*gemm)(const GemmArgs<T>&);             // serial
  // The elementwise kernels write y with non-temporal stores when `stream` is set (ops.cc decides).
  void (*unary)(int op, const T* x, T* y, int64_t n, bool stream);
  void (*binary)(int op, const T* a, const T* b, T* y, int64_t n, bool stream);
  void (*binary_scalar)(int op, const T* a, T s, T* y, int64_t n, bool stream);
  // y[i, j] = a[i, j] op b[j] for `rows` rows of `cols` contiguous elements.
  void (*binary_row)(int op, const T* a, const T* b, T* y, int64_t rows, int64_t cols, bool stream);
  void (*backward)(int op, const T* gy, const T* y, T* gx, int64_t n, bool stream);
  // Softmax (or log-softmax) of each of `rows` contiguous rows of `cols` elements.
  void (*softmax)(const T* x, T* y, int64_t rows, int64_t cols, bool log);
  // c[i] = c[i] + a[i] * (b ? b[i] : s), the multiply-add rounded once (see kernels.inc).
  void (*fma_inplace)(T* c, const T* a, const T* b, T s, int64_t n);
  // Maximum of n contiguous elements, NaN winning (-inf for none): the softmax's first pass.
  T (*row_max)(const T* x, int64_t n);
  // y = exp(x - shift) for n contiguous elements (y may be x, or null to only sum); returns the
  // sum of the exponentials: the softmax's second pass, for attention's online softmax.
  T (*exp_shift_sum)(const T* x, T* y, int64_t n, T shift);
  // Max pooling of one contiguous plane x into y [oh, ow], and (unless idx is null) each
  // maximum's flat index within the plane, as int64 values in doubles; see kernels.inc.
  void (*max_pool_plane)(const PoolGeom& g, const T* x, T* y, double* idx);
  // PyTorch's multi_row_sum over `cols` contiguous columns of `rows` rows `rs` apart, levels of
  // 2^lp rows, for `count` such blocks `bs` apart: block b's column sums into ret[b * cols, ...)
  // (cascade_sum.cc).
  void (*cascade_cols)(const T* in, int64_t bs, int64_t count, int64_t rs, int64_t rows, int lp, int64_t cols, T* ret);
};

struct Isa {
  const char* name;
  TypedKernels<float> f32;
  TypedKernels<double> f64;
};

namespace avx512 { extern const Isa isa; }
namespace avx2 { extern const Isa isa; }
namespace generic { extern const Isa isa; }

// The instruction set in use (the best the CPU supports unless overridden).
const Isa& isa();
// Instruction sets this CPU can run, best first.
int supported_isas(const Isa** out, int capacity);
// Switches to the named instruction set; false if unknown or unsupported here.
bool select_isa(const char* name);

}  // namespace kn
