// Linear's backward (PyTorch's AddmmBackward0 for a 2-D input) in one call: the input gradient
// gy @ w, the weight gradient gy^T @ x and the bias gradient gy.sum(0), each exactly as its own
// kernel computes it (kn::gemm for the products, as the addon's gemm and gemmStrided run them;
// the cascade sum for the bias, as cascadeSum runs it). On a small network's layer the three
// separate calls cost more in crossing from JavaScript and in the TypeScript sum's bookkeeping
// than in arithmetic. Registered on the addon's exports by kn_register_linear.
#include <node_api.h>

#include <cstdint>

#include "call.h"
#include "cascade_sum.h"
#include "ops.h"

namespace {

using kn_call::Arr;
using kn_call::Call;
using kn_call::guarded;
using kn_call::ptr;

// Whether output `out` (n elements from its start) shares memory with n_in elements of `in` from
// in_offset.
bool overlaps(const Arr& out, int64_t n, const Arr& in, int64_t in_offset, int64_t n_in, size_t itemsize) {
  if (!out.present || !in.present) return false;
  return kn_call::ranges_overlap(out.data, uint64_t(n) * itemsize, static_cast<const char*>(in.data) + in_offset * itemsize,
                                 uint64_t(n_in) * itemsize);
}

template <class T>
void run(const T* gy, int64_t gy_rs, int64_t gy_cs, const T* x, int64_t x_rs, int64_t x_cs, const T* w, int64_t w_rs,
         int64_t w_cs, int64_t m, int64_t n, int64_t k, T* dx, T* dw, T* db) {
  if (dx) {
    // [M, N] @ [N, K]
    kn::GemmArgs<T> g{m, k, n, T(1), gy, gy_rs, gy_cs, w, w_rs, w_cs, T(0), dx, k, 1};
    kn::gemm<T>(g, 1, 0, 0, 0);
  }
  if (dw) {
    // [N, M] (gy read transposed) @ [M, K]
    kn::GemmArgs<T> g{n, k, m, T(1), gy, gy_cs, gy_rs, x, x_rs, x_cs, T(0), dw, k, 1};
    kn::gemm<T>(g, 1, 0, 0, 0);
  }
  if (db) {
    // gy.sum(0) of a row-major gy laid out as TensorIterator lays it out: [M] summed whole when
    // N is 1 (the size-1 dim drops out), else M rows reduced onto N columns.
    for (int64_t j = 0; j < n; ++j) db[j] = T(0);
    if (n == 1)
      kn::cascade_sum_block<T>(gy, db, 1, 0, 0, 0, m, 1);
    else
      kn::cascade_sum_block<T>(gy, db, n, 1, 0, 1, m, n);
  }
}

// linearBackward(gy, gyOffset, gyRowStride, gyColStride, x, xOffset, xRowStride, xColStride,
//                w, wOffset, wRowStride, wColStride, M, N, K, dX, dW, dB)
// For y [M, N] = x [M, K] @ w [N, K]^T + b: writes dX [M, K] = gy @ w, dW [N, K] = gy^T @ x and
// dB [N] = gy.sum(0), each contiguous from element 0, for the ones given (null: not wanted; x is
// not read without dW, nor w without dX). dB needs gy row-major (rows N apart, columns adjacent)
// and M >= 2 (the layout above).
napi_value LinearBackward(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call a(env, info, "linearBackward", 18);
    const int64_t m = a.size(12, "M"), n = a.size(13, "N"), k = a.size(14, "K");
    const int64_t gy_off = a.size(1, "gyOffset"), gy_rs = a.size(2, "gyRowStride"), gy_cs = a.size(3, "gyColStride");
    const int64_t x_off = a.size(5, "xOffset"), x_rs = a.size(6, "xRowStride"), x_cs = a.size(7, "xColStride");
    const int64_t w_off = a.size(9, "wOffset"), w_rs = a.size(10, "wRowStride"), w_cs = a.size(11, "wColStride");
    const int64_t dx_n = a.elements("dX", {m, k}), dw_n = a.elements("dW", {n, k});
    const int64_t gy_n = a.span("gy", {m, n}, {gy_rs, gy_cs});
    Arr gy = a.array(0, "gy", gy_off, gy_n);
    Arr dx = a.array(15, "dX", 0, dx_n, true);
    Arr dw = a.array(16, "dW", 0, dw_n, true);
    Arr db = a.array(17, "dB", 0, n, true);
    const int64_t x_n = dw.present ? a.span("x", {m, k}, {x_rs, x_cs}) : 0;
    const int64_t w_n = dx.present ? a.span("w", {n, k}, {w_rs, w_cs}) : 0;
    Arr x = dw.present ? a.array(4, "x", x_off, x_n) : Arr{};
    Arr w = dx.present ? a.array(8, "w", w_off, w_n) : Arr{};
    // Row-major: rows n apart and columns adjacent (a single column's stride is never used).
    const bool row_major = n == 1 ? gy_rs == 1 : gy_rs == n && gy_cs == 1;
    if (db.present && !(row_major && m >= 2)) a.fail(true, "gy", "must be row-major with at least 2 rows for dB");
    const size_t item = a.single() ? sizeof(float) : sizeof(double);
    const Arr* outs[3] = {&dx, &dw, &db};
    const int64_t out_n[3] = {dx_n, dw_n, n};
    for (int o = 0; o < 3; ++o) {
      if (overlaps(*outs[o], out_n[o], gy, gy_off, gy_n, item) || overlaps(*outs[o], out_n[o], x, x_off, x_n, item) ||
          overlaps(*outs[o], out_n[o], w, w_off, w_n, item))
        a.fail(true, o == 0 ? "dX" : o == 1 ? "dW" : "dB", "must not overlap an input");
      for (int p = 0; p < o; ++p)
        if (overlaps(*outs[o], out_n[o], *outs[p], 0, out_n[p], item))
          a.fail(true, o == 1 ? "dW" : "dB", "must not overlap another output");
    }
    if (a.single())
      run<float>(ptr<float>(gy, gy_off), gy_rs, gy_cs, ptr<float>(x, x_off), x_rs, x_cs, ptr<float>(w, w_off), w_rs, w_cs, m, n, k,
                 ptr<float>(dx, 0), ptr<float>(dw, 0), ptr<float>(db, 0));
    else
      run<double>(ptr<double>(gy, gy_off), gy_rs, gy_cs, ptr<double>(x, x_off), x_rs, x_cs, ptr<double>(w, w_off), w_rs, w_cs, m, n,
                  k, ptr<double>(dx, 0), ptr<double>(dw, 0), ptr<double>(db, 0));
  });
}

}  // namespace

void kn_register_linear(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"linearBackward", nullptr, LinearBackward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
