// kindling_native: the N-API surface. Every function works in place on the memory of the typed
// arrays it is given (no copies); the element type (float32 or float64) follows the arrays, which
// must all be of the same type. Arguments are checked here, before any kernel runs: sizes are
// non-negative integers, every element touched lies inside its array, and outputs do not partly
// overlap inputs. A violation throws a TypeError or RangeError naming the argument.
// src/backend/native/addon.ts documents the signatures for TypeScript.
#include <node_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "call.h"
#include "cascade_sum.h"
#include "kernels.h"
#include "im2col.h"
#include "ops.h"
#include "thread_pool.h"

namespace {

using kn_call::Fail;
using kn_call::guarded;

struct Array {
  napi_typedarray_type type;
  void* data;
  size_t length;
};

class Args {
 public:
  Args(napi_env env, napi_callback_info info, const char* fn, size_t expected) : env_(env), fn_(fn) {
    argc_ = kMax;
    napi_get_cb_info(env, info, &argc_, argv_, nullptr, nullptr);
    if (argc_ < expected)
      throw Fail{false, std::string(fn) + ": expected " + std::to_string(expected) + " arguments, got " +
                             std::to_string(argc_)};
  }

  const char* fn() const { return fn_; }

  // Whether optional argument i was given (and is not undefined).
  bool given(size_t i) const {
    if (i >= argc_) return false;
    napi_valuetype t;
    return napi_typeof(env_, argv_[i], &t) == napi_ok && t != napi_undefined;
  }

  double number(size_t i, const char* name) {
    double v;
    if (napi_get_value_double(env_, argv_[i], &v) != napi_ok) fail(false, name, "must be a number");
    return v;
  }

  int64_t size(size_t i, const char* name) {
    double v = number(i, name);
    if (!(v >= 0 && v <= 9007199254740991.0 && v == std::floor(v)))
      fail(true, name, "must be a non-negative integer");
    return static_cast<int64_t>(v);
  }

  int op(size_t i, const char* name, int count) {
    int64_t v = size(i, name);
    if (v >= count) fail(true, name, "is not a known operation code");
    return static_cast<int>(v);
  }

  bool boolean(size_t i, const char* name) {
    bool v;
    if (napi_get_value_bool(env_, argv_[i], &v) != napi_ok) fail(false, name, "must be a boolean");
    return v;
  }

  std::string string(size_t i, const char* name) {
    char buf[64];
    size_t len;
    if (napi_get_value_string_utf8(env_, argv_[i], buf, sizeof buf, &len) != napi_ok)
      fail(false, name, "must be a string");
    return std::string(buf, len);
  }

  napi_value arg(size_t i) const { return argv_[i]; }

  Array array(size_t i, const char* name) {
    // napi_get_typedarray_info refuses anything but a typed array (napi_invalid_arg), so it is the
    // type test too; the array's buffer and byte offset are not asked for (data already counts it).
    Array a;
    if (napi_get_typedarray_info(env_, argv_[i], &a.type, &a.length, &a.data, nullptr, nullptr) != napi_ok ||
        (a.type != napi_float32_array && a.type != napi_float64_array))
      fail(false, name, "must be a Float32Array or Float64Array");
    return a;
  }

  [[noreturn]] void fail(bool range, const char* name, const char* what) {
    throw Fail{range, std::string(fn_) + ": " + name + " " + what};
  }

 private:
  static constexpr size_t kMax = 24;
  napi_env env_;
  const char* fn_;
  size_t argc_;
  napi_value argv_[kMax];
};

using u128 = unsigned __int128;

// Elements [offset, offset + span) of an array: span = 1 + sum of (extent - 1) * stride, or 0 when
// any extent is 0.
struct Region {
  const Array* array;
  int64_t offset;
  u128 span;
};

Region region(Args& args, const Array& a, const char* name, int64_t offset, const int64_t* extents,
              const int64_t* strides, int dims) {
  u128 span = 1;
  for (int d = 0; d < dims; ++d) {
    if (extents[d] == 0) return Region{&a, offset, 0};
    span += u128(extents[d] - 1) * u128(strides[d]);
  }
  if (u128(offset) + span > u128(a.length)) args.fail(true, name, "is too short for the offset, sizes and strides given");
  return Region{&a, offset, span};
}

size_t element_size(const Array& a) { return a.type == napi_float32_array ? 4 : 8; }

bool overlap(const Region& x, const Region& y) {
  const char* xb = static_cast<const char*>(x.array->data) + x.offset * element_size(*x.array);
  const char* yb = static_cast<const char*>(y.array->data) + y.offset * element_size(*y.array);
  return kn_call::ranges_overlap(xb, uint64_t(x.span) * element_size(*x.array), yb, uint64_t(y.span) * element_size(*y.array));
}

// Elementwise kernels may write over an input only element for element (y is x), never shifted.
void check_in_place(Args& args, const Region& out, const Region& in, const char* out_name) {
  if (!overlap(out, in)) return;
  const char* ob = static_cast<const char*>(out.array->data) + out.offset * element_size(*out.array);
  const char* ib = static_cast<const char*>(in.array->data) + in.offset * element_size(*in.array);
  if (ob != ib) args.fail(true, out_name, "partly overlaps an input (only exact in-place use is allowed)");
}

void same_type(Args& args, const Array& a, const Array& b, const char* name) {
  if (a.type != b.type) args.fail(false, name, "must have the same element type as the first array");
}

napi_value undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

napi_value number_value(napi_env env, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  return v;
}

template <class T>
T* at(const Array& a, int64_t offset) {
  return static_cast<T*>(a.data) + offset;
}

// C's elements must be distinct (it is written from several threads): one of its dimensions must
// nest inside the other, and the batch outside both.
bool distinct_layout(int64_t m, int64_t n, int64_t rs, int64_t cs, int64_t batch, int64_t bs) {
  if (m == 0 || n == 0 || batch == 0) return true;
  u128 rspan = u128(m - 1) * rs, cspan = u128(n - 1) * cs;
  bool rows_ok = m == 1 || rs >= 1, cols_ok = n == 1 || cs >= 1;
  if (!rows_ok || !cols_ok) return false;
  bool nested = m == 1 || n == 1 || u128(cs) > rspan || u128(rs) > cspan;
  if (!nested) return false;
  return batch == 1 || u128(bs) > rspan + cspan;
}

const int64_t kUnit[1] = {1};

struct GemmCall {
  int64_t m, n, k;
  double alpha, beta;
  Array a, b, c;
  int64_t off_a, rsa, csa, off_b, rsb, csb, off_c, rsc, csc;
  int64_t batch, sa, sb, sc;
  bool has_bias;
  Array bias;
  int64_t off_bias;
};

template <class T>
void run_gemm(const GemmCall& q) {
  kn::GemmArgs<T> g{q.m,   q.n,   q.k,        T(q.alpha),          at<T>(q.a, q.off_a), q.rsa,
                    q.csa, at<T>(q.b, q.off_b), q.rsb, q.csb, T(q.beta), at<T>(q.c, q.off_c), q.rsc, q.csc};
  kn::gemm<T>(g, q.batch, q.sa, q.sb, q.sc, q.has_bias ? at<T>(q.bias, q.off_bias) : nullptr);
}

void check_and_run_gemm(Args& args, GemmCall& q) {
  same_type(args, q.a, q.b, "B");
  same_type(args, q.a, q.c, "C");
  // A: [batch][m][k], B: [batch][k][n], C: [batch][m][n].
  int64_t ea[3] = {q.batch, q.m, q.k}, sa[3] = {q.sa, q.rsa, q.csa};
  int64_t eb[3] = {q.batch, q.k, q.n}, sb[3] = {q.sb, q.rsb, q.csb};
  int64_t ec[3] = {q.batch, q.m, q.n}, sc[3] = {q.sc, q.rsc, q.csc};
  bool reads = q.k > 0 && q.alpha != 0;
  // With K == 0 or alpha == 0, A and B are not read (BLAS semantics), so not checked either.
  Region ra = reads ? region(args, q.a, "A", q.off_a, ea, sa, 3) : Region{&q.a, q.off_a, 0};
  Region rb = reads ? region(args, q.b, "B", q.off_b, eb, sb, 3) : Region{&q.b, q.off_b, 0};
  Region rc = region(args, q.c, "C", q.off_c, ec, sc, 3);
  if (overlap(rc, ra) || overlap(rc, rb)) args.fail(true, "C", "must not overlap A or B");
  if (q.has_bias) {
    same_type(args, q.a, q.bias, "bias");
    if (q.beta != 0) args.fail(true, "beta", "must be 0 with a bias (C starts as the bias)");
    Region rbias = region(args, q.bias, "bias", q.off_bias, &q.n, kUnit, 1);
    if (overlap(rc, rbias)) args.fail(true, "C", "must not overlap the bias");
  }
  if (!distinct_layout(q.m, q.n, q.rsc, q.csc, q.batch, q.sc))
    args.fail(true, "C", "strides must give every element its own place");
  if (q.a.type == napi_float32_array)
    run_gemm<float>(q);
  else
    run_gemm<double>(q);
}

// gemm(transA, transB, M, N, K, alpha, A, aOffset, lda, B, bOffset, ldb, beta, C, cOffset, ldc
//      [, bias, biasOffset])
napi_value Gemm(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args args(env, info, "gemm", 16);
    bool ta = args.boolean(0, "transA"), tb = args.boolean(1, "transB");
    GemmCall q{};
    q.m = args.size(2, "M");
    q.n = args.size(3, "N");
    q.k = args.size(4, "K");
    q.alpha = args.number(5, "alpha");
    q.a = args.array(6, "A");
    q.off_a = args.size(7, "aOffset");
    int64_t lda = args.size(8, "lda");
    q.b = args.array(9, "B");
    q.off_b = args.size(10, "bOffset");
    int64_t ldb = args.size(11, "ldb");
    q.beta = args.number(12, "beta");
    q.c = args.array(13, "C");
    q.off_c = args.size(14, "cOffset");
    int64_t ldc = args.size(15, "ldc");
    // Row-major: op(A) is M x K; A itself is M x K (lda >= K) or, transposed, K x M (lda >= M).
    if (lda < std::max<int64_t>(1, ta ? q.m : q.k)) args.fail(true, "lda", "is smaller than a row of A");
    if (ldb < std::max<int64_t>(1, tb ? q.k : q.n)) args.fail(true, "ldb", "is smaller than a row of B");
    if (ldc < std::max<int64_t>(1, q.n)) args.fail(true, "ldc", "is smaller than a row of C");
    q.rsa = ta ? 1 : lda;
    q.csa = ta ? lda : 1;
    q.rsb = tb ? 1 : ldb;
    q.csb = tb ? ldb : 1;
    q.rsc = ldc;
    q.csc = 1;
    q.batch = 1;
    q.has_bias = args.given(16);
    if (q.has_bias) {
      q.bias = args.array(16, "bias");
      q.off_bias = args.size(17, "biasOffset");
    }
    check_and_run_gemm(args, q);
    return undefined(env);
  });
}

// gemmStrided(M, N, K, alpha, A, aOffset, aRowStride, aColStride, B, bOffset, bRowStride,
//             bColStride, beta, C, cOffset, cRowStride, cColStride, batch, aBatchStride,
//             bBatchStride, cBatchStride)
napi_value GemmStrided(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args args(env, info, "gemmStrided", 21);
    GemmCall q{};
    q.m = args.size(0, "M");
    q.n = args.size(1, "N");
    q.k = args.size(2, "K");
    q.alpha = args.number(3, "alpha");
    q.a = args.array(4, "A");
    q.off_a = args.size(5, "aOffset");
    q.rsa = args.size(6, "aRowStride");
    q.csa = args.size(7, "aColStride");
    q.b = args.array(8, "B");
    q.off_b = args.size(9, "bOffset");
    q.rsb = args.size(10, "bRowStride");
    q.csb = args.size(11, "bColStride");
    q.beta = args.number(12, "beta");
    q.c = args.array(13, "C");
    q.off_c = args.size(14, "cOffset");
    q.rsc = args.size(15, "cRowStride");
    q.csc = args.size(16, "cColStride");
    q.batch = args.size(17, "batch");
    q.sa = args.size(18, "aBatchStride");
    q.sb = args.size(19, "bBatchStride");
    q.sc = args.size(20, "cBatchStride");
    check_and_run_gemm(args, q);
    return undefined(env);
  });
}

// rows * cols, refused when it would not fit the index type.
int64_t elements(Args& args, int64_t rows, int64_t cols) {
  if (cols != 0 && rows > INT64_MAX / cols) args.fail(true, "rows", "times cols is too large");
  return rows * cols;
}

Region vector_region(Args& args, const Array& a, const char* name, int64_t offset, int64_t n) {
  return region(args, a, name, offset, &n, kUnit, 1);
}

// unary(op, x, xOffset, y, yOffset, n)
napi_value Unary(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args args(env, info, "unary", 6);
    int op = args.op(0, "op", kn::kUnaryCount);
    Array x = args.array(1, "x"), y = args.array(3, "y");
    same_type(args, x, y, "y");
    int64_t ox = args.size(2, "xOffset"), oy = args.size(4, "yOffset"), n = args.size(5, "n");
    Region rx = vector_region(args, x, "x", ox, n), ry = vector_region(args, y, "y", oy, n);
    check_in_place(args, ry, rx, "y");
    if (x.type == napi_float32_array)
      kn::unary(op, at<float>(x, ox), at<float>(y, oy), n);
    else
      kn::unary(op, at<double>(x, ox), at<double>(y, oy), n);
    return undefined(env);
  });
}

// binary(op, a, aOffset, b, bOffset, y, yOffset, n)
napi_value BinaryFn(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args args(env, info, "binary", 8);
    int op = args.op(0, "op", kn::kBinaryCount);
    Array a = args.array(1, "a"), b = args.array(3, "b"), y = args.array(5, "y");
    same_type(args, a, b, "b");
    same_type(args, a, y, "y");
    int64_t oa = args.size(2, "aOffset"), ob = args.size(4, "bOffset"), oy = args.size(6, "yOffset");
    int64_t n = args.size(7, "n");
    Region ra = vector_region(args, a, "a", oa, n), rb = vector_region(args, b, "b", ob, n);
    Region ry = vector_region(args, y, "y", oy, n);
    check_in_place(args, ry, ra, "y");
    check_in_place(args, ry, rb, "y");
    if (a.type == napi_float32_array)
      kn::binary(op, at<float>(a, oa), at<float>(b, ob), at<float>(y, oy), n);
    else
      kn::binary(op, at<double>(a, oa), at<double>(b, ob), at<double>(y, oy), n);
    return undefined(env);
  });
}

// binaryScalar(op, a, aOffset, s, y, yOffset, n)
napi_value BinaryScalar(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args args(env, info, "binaryScalar", 7);
    int op = args.op(0, "op", kn::kBinaryCount);
    Array a = args.array(1, "a"), y = args.array(4, "y");
    same_type(args, a, y, "y");
    int64_t oa = args.size(2, "aOffset"), oy = args.size(5, "yOffset"), n = args.size(6, "n");
    double s = args.number(3, "s");
    Region ra = vector_region(args, a, "a", oa, n), ry = vector_region(args, y, "y", oy, n);
    check_in_place(args, ry, ra, "y");
    if (a.type == napi_float32_array)
      kn::binary_scalar(op, at<float>(a, oa), float(s), at<float>(y, oy), n);
    else
      kn::binary_scalar(op, at<double>(a, oa), s, at<double>(y, oy), n);
    return undefined(env);
  });
}

// binaryRow(op, a, aOffset, b, bOffset, y, yOffset, rows, cols)
napi_value BinaryRow(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args args(env, info, "binaryRow", 9);
    int op = args.op(0, "op", kn::kBinaryCount);
    Array a = args.array(1, "a"), b = args.array(3, "b"), y = args.array(5, "y");
    same_type(args, a, b, "b");
    same_type(args, a, y, "y");
    int64_t oa = args.size(2, "aOffset"), ob = args.size(4, "bOffset"), oy = args.size(6, "yOffset");
    int64_t rows = args.size(7, "rows"), cols = args.size(8, "cols");
    int64_t total = elements(args, rows, cols);
    Region ra = vector_region(args, a, "a", oa, total), ry = vector_region(args, y, "y", oy, total);
    Region rb = vector_region(args, b, "b", ob, rows == 0 ? 0 : cols);
    check_in_place(args, ry, ra, "y");
    if (overlap(ry, rb)) args.fail(true, "y", "must not overlap b");
    if (a.type == napi_float32_array)
      kn::binary_row(op, at<float>(a, oa), at<float>(b, ob), at<float>(y, oy), rows, cols);
    else
      kn::binary_row(op, at<double>(a, oa), at<double>(b, ob), at<double>(y, oy), rows, cols);
    return undefined(env);
  });
}

// backward(op, gy, gyOffset, y, yOffset, gx, gxOffset, n)
napi_value Backward(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args args(env, info, "backward", 8);
    int op = args.op(0, "op", kn::kBackwardCount);
    Array gy = args.array(1, "gy"), y = args.array(3, "y"), gx = args.array(5, "gx");
    same_type(args, gy, y, "y");
    same_type(args, gy, gx, "gx");
    int64_t ogy = args.size(2, "gyOffset"), oy = args.size(4, "yOffset"), ogx = args.size(6, "gxOffset");
    int64_t n = args.size(7, "n");
    Region rgy = vector_region(args, gy, "gy", ogy, n), ry = vector_region(args, y, "y", oy, n);
    Region rgx = vector_region(args, gx, "gx", ogx, n);
    check_in_place(args, rgx, rgy, "gx");
    check_in_place(args, rgx, ry, "gx");
    if (gy.type == napi_float32_array)
      kn::backward(op, at<float>(gy, ogy), at<float>(y, oy), at<float>(gx, ogx), n);
    else
      kn::backward(op, at<double>(gy, ogy), at<double>(y, oy), at<double>(gx, ogx), n);
    return undefined(env);
  });
}

// softmax(x, xOffset, y, yOffset, rows, cols, log)
napi_value Softmax(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args args(env, info, "softmax", 7);
    Array x = args.array(0, "x"), y = args.array(2, "y");
    same_type(args, x, y, "y");
    int64_t ox = args.size(1, "xOffset"), oy = args.size(3, "yOffset");
    int64_t rows = args.size(4, "rows"), cols = args.size(5, "cols");
    bool log = args.boolean(6, "log");
    const int64_t total = elements(args, rows, cols);
    Region rx = vector_region(args, x, "x", ox, total), ry = vector_region(args, y, "y", oy, total);
    check_in_place(args, ry, rx, "y");
    if (x.type == napi_float32_array)
      kn::softmax(at<float>(x, ox), at<float>(y, oy), rows, cols, log);
    else
      kn::softmax(at<double>(x, ox), at<double>(y, oy), rows, cols, log);
    return undefined(env);
  });
}

// addScaledInPlace(c, cOffset, a, aOffset, s, n): c[i] += a[i] * s, rounded once
napi_value AddScaledInPlace(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args args(env, info, "addScaledInPlace", 6);
    Array c = args.array(0, "c"), a = args.array(2, "a");
    same_type(args, c, a, "a");
    int64_t oc = args.size(1, "cOffset"), oa = args.size(3, "aOffset"), n = args.size(5, "n");
    double s = args.number(4, "s");
    Region rc = vector_region(args, c, "c", oc, n), ra = vector_region(args, a, "a", oa, n);
    check_in_place(args, rc, ra, "c");
    if (c.type == napi_float32_array)
      kn::fma_inplace(at<float>(c, oc), at<float>(a, oa), static_cast<const float*>(nullptr), float(s), n);
    else
      kn::fma_inplace(at<double>(c, oc), at<double>(a, oa), static_cast<const double*>(nullptr), s, n);
    return undefined(env);
  });
}

// addProductInPlace(c, cOffset, a, aOffset, b, bOffset, n): c[i] += a[i] * b[i], rounded once
napi_value AddProductInPlace(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args args(env, info, "addProductInPlace", 7);
    Array c = args.array(0, "c"), a = args.array(2, "a"), b = args.array(4, "b");
    same_type(args, c, a, "a");
    same_type(args, c, b, "b");
    int64_t oc = args.size(1, "cOffset"), oa = args.size(3, "aOffset"), ob = args.size(5, "bOffset");
    int64_t n = args.size(6, "n");
    Region rc = vector_region(args, c, "c", oc, n), ra = vector_region(args, a, "a", oa, n);
    Region rb = vector_region(args, b, "b", ob, n);
    check_in_place(args, rc, ra, "c");
    check_in_place(args, rc, rb, "c");
    if (c.type == napi_float32_array)
      kn::fma_inplace(at<float>(c, oc), at<float>(a, oa), at<float>(b, ob), 0.0f, n);
    else
      kn::fma_inplace(at<double>(c, oc), at<double>(a, oa), at<double>(b, ob), 0.0, n);
    return undefined(env);
  });
}

// The convolution geometry shared by im2col and col2im: n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw,
// oh, ow from argument `first` on. Padding may exceed the image (those taps read zeros).
kn::ConvGeom conv_geom(Args& args, size_t first) {
  static const char* names[14] = {"n", "c", "h", "w", "kh", "kw", "sh", "sw", "ph", "pw", "dh", "dw", "oh", "ow"};
  int64_t v[14];
  for (size_t i = 0; i < 14; ++i) {
    v[i] = args.size(first + i, names[i]);
    if (v[i] > (int64_t(1) << 40)) args.fail(true, names[i], "is too large");
  }
  for (size_t i = 6; i <= 7; ++i)
    if (v[i] == 0) args.fail(true, names[i], "must be positive");
  for (size_t i = 10; i <= 11; ++i)
    if (v[i] == 0) args.fail(true, names[i], "must be positive");
  return kn::ConvGeom{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13]};
}

// im2col(x, xOffset, sN, sC, sH, sW, n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cols, colsOffset)
napi_value Im2col(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args args(env, info, "im2col", 22);
    Array x = args.array(0, "x");
    int64_t off = args.size(1, "xOffset");
    int64_t st[4] = {args.size(2, "sN"), args.size(3, "sC"), args.size(4, "sH"), args.size(5, "sW")};
    kn::ConvGeom g = conv_geom(args, 6);
    Array cols = args.array(20, "cols");
    int64_t coff = args.size(21, "colsOffset");
    same_type(args, x, cols, "cols");
    int64_t ex[4] = {g.n, g.c, g.h, g.w};
    Region rx = region(args, x, "x", off, ex, st, 4);
    int64_t ec[3] = {g.c * g.kh * g.kw, g.n, g.oh * g.ow};
    int64_t sc[3] = {g.n * g.oh * g.ow, g.oh * g.ow, 1};
    Region rc = region(args, cols, "cols", coff, ec, sc, 3);
    if (overlap(rc, rx)) args.fail(true, "cols", "must not overlap x");
    if (x.type == napi_float32_array)
      kn::im2col<float>(g, at<float>(x, off), st[0], st[1], st[2], st[3], at<float>(cols, coff));
    else
      kn::im2col<double>(g, at<double>(x, off), st[0], st[1], st[2], st[3], at<double>(cols, coff));
    return undefined(env);
  });
}

// col2im(cols, colsOffset, sRow, sN, sL, n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, img, imgOffset)
napi_value Col2im(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args args(env, info, "col2im", 21);
    Array cols = args.array(0, "cols");
    int64_t coff = args.size(1, "colsOffset");
    int64_t st[3] = {args.size(2, "sRow"), args.size(3, "sN"), args.size(4, "sL")};
    kn::ConvGeom g = conv_geom(args, 5);
    Array img = args.array(19, "img");
    int64_t ioff = args.size(20, "imgOffset");
    same_type(args, cols, img, "img");
    int64_t ec[3] = {g.c * g.kh * g.kw, g.n, g.oh * g.ow};
    Region rc = region(args, cols, "cols", coff, ec, st, 3);
    int64_t ei[4] = {g.n, g.c, g.h, g.w};
    int64_t si[4] = {g.c * g.h * g.w, g.h * g.w, g.w, 1};
    Region ri = region(args, img, "img", ioff, ei, si, 4);
    if (overlap(ri, rc)) args.fail(true, "img", "must not overlap cols");
    if (cols.type == napi_float32_array)
      kn::col2im<float>(g, at<float>(cols, coff), st[0], st[1], st[2], at<float>(img, ioff));
    else
      kn::col2im<double>(g, at<double>(cols, coff), st[0], st[1], st[2], at<double>(img, ioff));
    return undefined(env);
  });
}

napi_value NumThreads(napi_env env, napi_callback_info) { return number_value(env, kn::num_threads()); }

napi_value SetNumThreads(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args args(env, info, "setNumThreads", 1);
    int64_t n = args.size(0, "n");
    if (n < 1 || n > 1024) args.fail(true, "n", "must be between 1 and 1024");
    kn::set_num_threads(int(n));
    return undefined(env);
  });
}

// streamMinBytes([bytes]): the output size from which elementwise kernels stream their stores
// (ops.cc), set when given; returns the value in force. For benchmarks and tests.
napi_value StreamMinBytes(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args args(env, info, "streamMinBytes", 0);
    if (args.given(0)) kn::set_stream_min_bytes(args.size(0, "bytes"));
    napi_value v;
    napi_create_double(env, double(kn::stream_min_bytes()), &v);
    return v;
  });
}

// Where a typed array's first element lies in memory, as a number (user-space addresses fit in
// 2^53). For tests: it lets them prove that no memory handed out for a new array is still viewed
// by a live one (test/tensor/no-alias.test.ts).
napi_value DataAddress(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args args(env, info, "dataAddress", 1);
    napi_value arg = args.arg(0);
    bool is = false;
    if (napi_is_typedarray(env, arg, &is) != napi_ok || !is) args.fail(false, "array", "must be a typed array");
    napi_typedarray_type type;
    size_t length, byte_offset;
    void* data;
    napi_value buffer;
    napi_get_typedarray_info(env, arg, &type, &length, &data, &buffer, &byte_offset);
    napi_value v;
    napi_create_double(env, double(reinterpret_cast<uintptr_t>(data)), &v);
    return v;
  });
}

napi_value IsaName(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_string_utf8(env, kn::isa().name, NAPI_AUTO_LENGTH, &v);
  return v;
}

napi_value Isas(napi_env env, napi_callback_info) {
  const kn::Isa* list[4];
  int n = kn::supported_isas(list, 4);
  napi_value arr;
  napi_create_array_with_length(env, n, &arr);
  for (int i = 0; i < n; ++i) {
    napi_value s;
    napi_create_string_utf8(env, list[i]->name, NAPI_AUTO_LENGTH, &s);
    napi_set_element(env, arr, i, s);
  }
  return arr;
}

napi_value SetIsa(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    Args args(env, info, "setIsa", 1);
    napi_value v;
    napi_get_boolean(env, kn::select_isa(args.string(0, "name").c_str()), &v);
    return v;
  });
}

// Keeps large freed blocks mapped. glibc hands out big blocks with mmap (or shrinks its heaps
// with madvise) and maps them afresh on the next request, so every new multi-megabyte tensor
// array (node allocates typed arrays with calloc) is faulted in by the kernel page by page: for a
// 1M-element float32 op that cost several times the arithmetic. Serving them from the heap and
// trimming only past kTrimBytes of free memory lets a freed array's pages be reused, as
// a caching allocator would. (A pool of our own cannot do it: node runs the finalizers of
// external ArrayBuffers from the event loop, so a synchronous training loop never gets blocks
// back.) This tunes the C library for the whole process; it changes where memory comes from,
// never what is in it (calloc still zeroes), and a process keeps at most kTrimBytes more.
void keep_large_blocks_mapped() {
#if defined(__GLIBC__)
  constexpr int kMmapBytes = 32 << 20;   // glibc's largest heap-served request (HEAP_MAX_SIZE / 2)
  constexpr int kTrimBytes = 256 << 20;  // free memory a heap keeps before returning it
  mallopt(M_MMAP_THRESHOLD, kMmapBytes);
  mallopt(M_TRIM_THRESHOLD, kTrimBytes);
#endif
}

}  // namespace

// native/src/recurrent.cc: the recurrent cells' fused kernels.
void kn_register_recurrent(napi_env env, napi_value exports);
// native/src/batchnorm.cc: batch norm's per-channel loops.
void kn_register_batchnorm(napi_env env, napi_value exports);
// native/src/attention.cc: fused (flash-style) attention and its backward.
void kn_register_attention(napi_env env, napi_value exports);
// native/src/pooling.cc: max pooling and its backward.
void kn_register_pooling(napi_env env, napi_value exports);
// native/src/peak.cc: the float32 FMA peak probe the benchmark measures products against.
void kn_register_peak(napi_env env, napi_value exports);
// native/src/linear.cc: linear's backward (both products and the bias sum) in one call.
void kn_register_linear(napi_env env, napi_value exports);

NAPI_MODULE_INIT() {
  keep_large_blocks_mapped();
  const napi_property_descriptor props[] = {
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gemmStrided", nullptr, GemmStrided, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"binary", nullptr, BinaryFn, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"binaryScalar", nullptr, BinaryScalar, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"binaryRow", nullptr, BinaryRow, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"backward", nullptr, Backward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"cascadeSum", nullptr, CascadeSumNapi, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"softmax", nullptr, Softmax, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"addScaledInPlace", nullptr, AddScaledInPlace, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"addProductInPlace", nullptr, AddProductInPlace, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"im2col", nullptr, Im2col, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"col2im", nullptr, Col2im, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"numThreads", nullptr, NumThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setNumThreads", nullptr, SetNumThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"isa", nullptr, IsaName, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"isas", nullptr, Isas, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setIsa", nullptr, SetIsa, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"dataAddress", nullptr, DataAddress, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"streamMinBytes", nullptr, StreamMinBytes, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  kn_register_recurrent(env, exports);
  kn_register_batchnorm(env, exports);
  kn_register_attention(env, exports);
  kn_register_pooling(env, exports);
  kn_register_peak(env, exports);
  kn_register_linear(env, exports);
  return exports;
}
