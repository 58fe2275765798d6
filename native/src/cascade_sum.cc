// cascadeSum: float32/float64 sums in PyTorch 1.13's exact order of additions, the C++ twin of
// src/backend/cpu/sum.ts (which explains the algorithm: TensorIterator's layout, done in
// TypeScript and passed in here, and SumKernel.cpp's cascade sum with AVX2 lanes and four-way
// interleaving, done here). Every addition rounds to the element type, as PyTorch's float32
// accumulators do; the build has no -ffast-math, so the compiler keeps the order (it may only
// vectorise across the independent columns).
//
// Speed without a different sum: the cascades over contiguous columns run in the instruction set's
// vector kernel (kernels.inc's cascade_cols, each lane one column's scalar additions); the outputs
// of a block are independent, so large blocks split them over the thread pool; and a single
// output (a full sum) splits its rows at the top level of the cascade, where PyTorch's lower
// levels restart from zero, so the chunks' sums are added in order exactly as the serial loop
// adds them. Results are the same on every thread count and instruction set (the tests check).
//
// cascadeSum(x, xOffset, out, shape, inStrides, outStrides): x and out typed arrays of one float
// type, out zero-filled; shape/inStrides/outStrides (arrays of numbers, elements, fastest dim
// first) the coalesced iteration layout, outStrides 0 on reduced dims. Adds the sums into out.
#include "cascade_sum.h"

#include "kernels.h"
#include "thread_pool.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace {

inline int64_t CeilLog2(int64_t x) {
  if (x <= 2) return 1;
  return 64 - __builtin_clzll(static_cast<uint64_t>(x - 1));
}

// multi_row_sum: `size` rows `rowStride` apart, each NV groups of L adjacent elements (group k
// at k * colStride), i.e. NV * L column sums carried through four levels.
template <typename T, int NV, int L>
void MultiRowSum(const T* base, int64_t rowStride, int64_t colStride, int64_t size, T* ret) {
  constexpr int C = NV * L;
  T acc[4][C];
  for (int j = 0; j < 4; ++j)
    for (int c = 0; c < C; ++c) acc[j][c] = T(0);
  const int64_t levelPower = std::max<int64_t>(4, CeilLog2(size) / 4);
  const int64_t levelStep = int64_t(1) << levelPower;
  const int64_t levelMask = levelStep - 1;
  int64_t i = 0;
  while (i + levelStep <= size) {
    for (int64_t j = 0; j < levelStep; ++j, ++i) {
      const T* row = base + i * rowStride;
      for (int k = 0; k < NV; ++k)
        for (int l = 0; l < L; ++l) acc[0][k * L + l] += row[k * colStride + l];
    }
    for (int j = 1; j < 4; ++j) {
      for (int c = 0; c < C; ++c) {
        acc[j][c] += acc[j - 1][c];
        acc[j - 1][c] = T(0);
      }
      if ((i & (levelMask << (j * levelPower))) != 0) break;
    }
  }
  for (; i < size; ++i) {
    const T* row = base + i * rowStride;
    for (int k = 0; k < NV; ++k)
      for (int l = 0; l < L; ++l) acc[0][k * L + l] += row[k * colStride + l];
  }
  for (int j = 1; j < 4; ++j)
    for (int c = 0; c < C; ++c) acc[0][c] += acc[j][c];
  for (int c = 0; c < C; ++c) ret[c] = acc[0][c];
}

// row_sum: `size` vectors of L lanes `stride` apart as four interleaved sums, added at the end.
template <typename T, int L>
void RowSum(const T* base, int64_t stride, int64_t size, T* ret) {
  constexpr int kIlp = 4;
  const int64_t sizeIlp = size / kIlp;
  T part[kIlp * L];
  MultiRowSum<T, kIlp, L>(base, stride * kIlp, stride, sizeIlp, part);
  for (int64_t i = sizeIlp * kIlp; i < size; ++i)
    for (int l = 0; l < L; ++l) part[l] += base[i * stride + l];
  for (int k = 1; k < kIlp; ++k)
    for (int l = 0; l < L; ++l) part[l] += part[k * L + l];
  for (int l = 0; l < L; ++l) ret[l] = part[l];
}

template <typename T>
const kn::TypedKernels<T>& Kernels();
template <>
const kn::TypedKernels<float>& Kernels<float>() {
  return kn::isa().f32;
}
template <>
const kn::TypedKernels<double>& Kernels<double>() {
  return kn::isa().f64;
}

inline int LevelPower(int64_t size) { return static_cast<int>(std::max<int64_t>(4, CeilLog2(size) / 4)); }

// Elements below which a block is summed on the calling thread (the pool's hand-off costs a few
// microseconds).
constexpr int64_t kParallelElements = int64_t(1) << 15;

// Runs body(begin, end) over [0, n) in pieces that are multiples of `align` (but the last), in
// parallel when the block is large. Each output is computed whole by one piece, so the split
// changes no sum.
template <class F>
void Pieces(int64_t n, int64_t align, int64_t elementsPerItem, F body) {
  const int threads = kn::num_threads();
  if (threads <= 1 || n * elementsPerItem < kParallelElements || n <= align) {
    body(int64_t(0), n);
    return;
  }
  // A few pieces per thread, so an unevenly loaded machine still finishes together.
  int64_t per = std::max<int64_t>(1, n / (4 * threads));
  per = std::max<int64_t>(per, kParallelElements / 4 / std::max<int64_t>(elementsPerItem, 1));
  per = (per + align - 1) / align * align;
  const int64_t pieces = (n + per - 1) / per;
  kn::parallel_for(pieces, [&](int64_t p) { body(p * per, std::min(n, (p + 1) * per)); });
}

// MultiRowSum<T, C / L, L> with the groups end to end (colStride = L, so C contiguous columns),
// through the instruction set's vector kernel. When there are several top-level chunks of rows
// (2^(3 lp) rows: the rows after which the levels below the last are all zero again, see
// MultiRowSum), and `parallel`, the chunks are summed on the pool and their sums added into the
// last level in order, then the remaining rows on top: PyTorch's additions exactly. (A chunk's
// kernel result is its level-2 sum plus zeros; it differs only in the sign of a zero, which cannot
// reach the result because the last level starts at +0 and so is never -0.)
template <typename T>
void MultiRowSumContig(const T* base, int64_t rowStride, int64_t cols, int64_t size, T* ret, bool parallel) {
  const auto& k = Kernels<T>();
  const int lp = LevelPower(size);
  const int64_t chunk = int64_t(1) << (3 * lp);
  const int64_t chunks = size / chunk;
  if (!parallel || chunks < 2 || kn::num_threads() <= 1) {
    k.cascade_cols(base, 0, 1, rowStride, size, lp, cols, ret);
    return;
  }
  std::vector<T> sums(chunks * cols);
  kn::parallel_for(chunks, [&](int64_t c) {
    k.cascade_cols(base + c * chunk * rowStride, 0, 1, rowStride, chunk, lp, cols, sums.data() + c * cols);
  });
  std::vector<T> top(cols, T(0));
  for (int64_t c = 0; c < chunks; ++c)
    for (int64_t l = 0; l < cols; ++l) top[l] += sums[c * cols + l];
  k.cascade_cols(base + chunks * chunk * rowStride, 0, 1, rowStride, size - chunks * chunk, lp, cols, ret);
  for (int64_t l = 0; l < cols; ++l) ret[l] += top[l];
}

// RowSum<T, L> over L-lane vectors laid end to end (stride = L), the vector kernel's case, for
// `count` rows of `size` vectors `rowStride` elements apart: their L lanes into ret[r * L ...].
template <typename T, int L>
void RowSumsContig(const T* base, int64_t rowStride, int64_t count, int64_t size, T* ret, bool parallel) {
  constexpr int kIlp = 4;
  constexpr int C = kIlp * L;
  // Rows go through the kernel a chunk at a time, so that their partial sums are still in L1
  // when the loop below folds them (a whole block's, 128 KB for 1,024 rows, was not).
  constexpr int64_t kChunk = 64;
  const int64_t sizeIlp = size / kIlp;
  const int lp = LevelPower(sizeIlp);
  alignas(64) T parts[kChunk * C];
  for (int64_t r0 = 0; r0 < count; r0 += kChunk) {
    const int64_t rows = std::min(kChunk, count - r0);
    if (count == 1)
      MultiRowSumContig<T>(base, C, C, sizeIlp, parts, parallel);
    else
      Kernels<T>().cascade_cols(base + r0 * rowStride, rowStride, rows, C, sizeIlp, lp, C, parts);
    for (int64_t r = 0; r < rows; ++r) {
      const T* row = base + (r0 + r) * rowStride;
      T* part = parts + r * C;
      for (int64_t i = sizeIlp * kIlp; i < size; ++i)
        for (int l = 0; l < L; ++l) part[l] += row[i * L + l];
      for (int k = 1; k < kIlp; ++k)
        for (int l = 0; l < L; ++l) part[l] += part[k * L + l];
      for (int l = 0; l < L; ++l) ret[(r0 + r) * L + l] = part[l];
    }
  }
}

// n elements of scratch: on the stack up to N (the small problems, where a heap block costs more
// than the sums it holds), on the heap beyond.
template <typename T, int64_t N>
class Scratch {
 public:
  explicit Scratch(int64_t n) {
    if (n > N) large_.resize(n);
    data_ = n > N ? large_.data() : small_;
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  T* data() { return data_; }

 private:
  T small_[N];
  std::vector<T> large_;
  T* data_;
};

// cascade_sum's 2-D loop; strides in elements, an output stride of 0 marks a reduced dim. Each
// output's sum is computed whole (on the pool for large blocks: outputs are independent), then
// added into out in order on this thread, since outputs may coincide (both dims reduced: os = 0).
template <typename T>
void SumBlock(const T* in, T* out, int64_t in0, int64_t in1, int64_t o0, int64_t o1, int64_t n0, int64_t n1) {
  constexpr int L = 32 / sizeof(T);  // AVX2 lanes
  if (o0 != 0 && o1 == 0) {
    std::swap(in0, in1);
    std::swap(o0, o1);
    std::swap(n0, n1);
  }
  if (o0 != 0 && o1 != 0) {
    for (int64_t j = 0; j < n1; ++j)
      for (int64_t i = 0; i < n0; ++i) out[i * o0 + j * o1] += in[i * in0 + j * in1];
    return;
  }
  const int64_t os = o1;
  // On the stack when small: a reduction over a middle dim runs this once per outer position.
  Scratch<T, 256> sums(n1);
  T* s = sums.data();
  if (in0 == 1 && n0 >= L) {
    const int64_t vecSize = n0 / L;
    // One output: its rows' chunks go to the pool instead.
    const bool inner = n1 == 1;
    Pieces(n1, 1, n0, [&](int64_t j0, int64_t j1) {
      // On the stack for a few rows (a bias gradient's one): a heap block costs more than its sum.
      Scratch<T, 8 * L> laneSums((j1 - j0) * L);
      T* lanes = laneSums.data();
      RowSumsContig<T, L>(in + j0 * in1, in1, j1 - j0, vecSize, lanes, inner);
      for (int64_t j = j0; j < j1; ++j) {
        const T* row = in + j * in1;
        const T* res = lanes + (j - j0) * L;
        T final = T(0);
        for (int64_t k = vecSize * L; k < n0; ++k) final += row[k];
        for (int l = 0; l < L; ++l) final += res[l];
        s[j] = final;
      }
    });
  } else if (in1 == 1 && n1 >= L) {
    // Blocks of 4 vectors of columns are plain cascades, whatever their width: the vector kernel
    // takes as many at once as it likes. The last < 4 vectors and single columns interleave rows.
    const int64_t full = n1 / (4 * L) * (4 * L);
    Pieces(full, 4 * L, n0, [&](int64_t j0, int64_t j1) {
      Kernels<T>().cascade_cols(in + j0, 0, 1, in0, n0, LevelPower(n0), j1 - j0, s + j0);
    });
    int64_t j = full;
    T res[L];
    for (; j + L <= n1; j += L) {
      RowSum<T, L>(in + j, in0, n0, res);
      for (int c = 0; c < L; ++c) s[j + c] = res[c];
    }
    for (; j < n1; ++j) {
      RowSum<T, 1>(in + j, in0, n0, res);
      s[j] = res[0];
    }
  } else if (in0 < in1) {
    Pieces(n1, 1, n0, [&](int64_t j0, int64_t j1) {
      T res[1];
      for (int64_t j = j0; j < j1; ++j) {
        RowSum<T, 1>(in + j * in1, in0, n0, res);
        s[j] = res[0];
      }
    });
  } else {
    // Groups of 4 columns (then single ones) as PyTorch takes them: pieces aligned to 4.
    const int64_t quads = n1 / 4 * 4;
    Pieces(quads, 4, n0, [&](int64_t j0, int64_t j1) {
      for (int64_t j = j0; j < j1; j += 4) MultiRowSum<T, 4, 1>(in + j * in1, in0, in1, n0, s + j);
    });
    T res[1];
    for (int64_t j = quads; j < n1; ++j) {
      RowSum<T, 1>(in + j * in1, in0, n0, res);
      s[j] = res[0];
    }
  }
  for (int64_t j = 0; j < n1; ++j) out[j * os] += s[j];
}

template <typename T>
void Run(const T* x, T* out, const std::vector<int64_t>& shape, const std::vector<int64_t>& is,
         const std::vector<int64_t>& os) {
  const size_t nd = shape.size();
  if (nd <= 1) {
    SumBlock<T>(x, out, nd ? is[0] : 0, 0, nd ? os[0] : 0, 0, nd ? shape[0] : 1, 1);
    return;
  }
  std::vector<int64_t> at(nd, 0);
  for (;;) {
    int64_t inAt = 0, outAt = 0;
    for (size_t d = 2; d < nd; ++d) {
      inAt += at[d] * is[d];
      outAt += at[d] * os[d];
    }
    SumBlock<T>(x + inAt, out + outAt, is[0], is[1], os[0], os[1], shape[0], shape[1]);
    size_t d = 2;
    while (d < nd && ++at[d] == shape[d]) at[d++] = 0;
    if (d == nd) break;
  }
}

struct Fail {
  bool range;
  std::string message;
};

napi_value Throw(napi_env env, const Fail& f) {
  const std::string m = "cascadeSum: " + f.message;
  if (f.range)
    napi_throw_range_error(env, nullptr, m.c_str());
  else
    napi_throw_type_error(env, nullptr, m.c_str());
  return nullptr;
}

struct Typed {
  napi_typedarray_type type;
  void* data;
  size_t length;
};

Typed TypedArg(napi_env env, napi_value v, const char* name) {
  bool ok = false;
  napi_is_typedarray(env, v, &ok);
  if (!ok) throw Fail{false, std::string(name) + " must be a Float32Array or Float64Array"};
  Typed t;
  napi_value buffer;
  size_t byteOffset;
  napi_get_typedarray_info(env, v, &t.type, &t.length, &t.data, &buffer, &byteOffset);
  if (t.type != napi_float32_array && t.type != napi_float64_array)
    throw Fail{false, std::string(name) + " must be a Float32Array or Float64Array"};
  return t;
}

int64_t IntArg(napi_env env, napi_value v, const char* name) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) throw Fail{false, std::string(name) + " must be a number"};
  if (!(d >= 0 && d <= 9007199254740991.0 && d == std::floor(d)))
    throw Fail{true, std::string(name) + " must be a non-negative integer"};
  return static_cast<int64_t>(d);
}

std::vector<int64_t> IntsArg(napi_env env, napi_value v, const char* name) {
  bool isArray = false;
  napi_is_array(env, v, &isArray);
  if (!isArray) throw Fail{false, std::string(name) + " must be an array of numbers"};
  uint32_t n = 0;
  napi_get_array_length(env, v, &n);
  std::vector<int64_t> out(n);
  for (uint32_t i = 0; i < n; ++i) {
    napi_value e;
    napi_get_element(env, v, i, &e);
    out[i] = IntArg(env, e, name);
  }
  return out;
}

}  // namespace

template <class T>
void kn::cascade_sum_block(const T* x, T* out, int64_t in0, int64_t in1, int64_t o0, int64_t o1, int64_t n0, int64_t n1) {
  SumBlock<T>(x, out, in0, in1, o0, o1, n0, n1);
}
template void kn::cascade_sum_block<float>(const float*, float*, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t);
template void kn::cascade_sum_block<double>(const double*, double*, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t);

napi_value CascadeSumNapi(napi_env env, napi_callback_info info) {
  try {
    size_t argc = 6;
    napi_value argv[6];
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    if (argc < 6) throw Fail{false, "expected 6 arguments, got " + std::to_string(argc)};
    Typed x = TypedArg(env, argv[0], "x");
    int64_t ox = IntArg(env, argv[1], "xOffset");
    Typed out = TypedArg(env, argv[2], "out");
    if (x.type != out.type) throw Fail{false, "out must have the element type of x"};
    std::vector<int64_t> shape = IntsArg(env, argv[3], "shape");
    std::vector<int64_t> is = IntsArg(env, argv[4], "inStrides");
    std::vector<int64_t> os = IntsArg(env, argv[5], "outStrides");
    if (is.size() != shape.size() || os.size() != shape.size())
      throw Fail{true, "shape, inStrides and outStrides must have one entry per dim"};
    // Every element read or written must lie inside its array (strides are non-negative).
    int64_t inLast = ox, outLast = 0;
    for (size_t d = 0; d < shape.size(); ++d) {
      if (shape[d] == 0) return nullptr;
      inLast += (shape[d] - 1) * is[d];
      outLast += (shape[d] - 1) * os[d];
    }
    if (inLast >= static_cast<int64_t>(x.length)) throw Fail{true, "x is too short for the layout"};
    if (outLast >= static_cast<int64_t>(out.length)) throw Fail{true, "out is too short for the layout"};
    if (x.data == out.data) throw Fail{true, "out must not be x"};
    if (x.type == napi_float32_array)
      Run(static_cast<const float*>(x.data) + ox, static_cast<float*>(out.data), shape, is, os);
    else
      Run(static_cast<const double*>(x.data) + ox, static_cast<double*>(out.data), shape, is, os);
  } catch (const Fail& f) {
    return Throw(env, f);
  }
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  return undefined;
}
