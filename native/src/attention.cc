// Fused attention, the native side of src/backend/cpu/attention.ts: softmax(Q K^T * scale + mask) V
// flash-attention style. For each head and block of query rows the keys are walked a block at a
// time: one block of scores (kBr x kBc) from a matrix product, an online softmax (running row
// maximum and sum, the accumulated output rescaled when the maximum grows), and the block's
// weights times V added onto the output. The backward (FlashAttention-2) recomputes each block of
// weights from the saved log-sum-exp and forms dV, dQ and dK with four more products per block.
//
// The products and the softmax passes are the selected instruction set's serial kernels (the
// packed FMA GEMM, and the row maximum and exp-and-sum the softmax kernel is made of); work is split over the thread pool by
// head (and by query block in the forward), each task owning the rows it writes, so results do
// not depend on the thread count. Registered on the addon's exports by kn_register_attention.
#include <node_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "call.h"
#include "kernels.h"
#include "thread_pool.h"

namespace {

using kn_call::Arr;
using kn_call::Call;
using kn_call::guarded;
using kn_call::ptr;

// Query rows and keys per block: a float32 block of scores is 64 KiB, and the backward's two (P
// and dS) with the panels of Q, K and V they meet stay within a 1 MiB L2. Measured on the
// bench's [8, 8, 256, 64] (2 cores, AVX-512): 64x64 blocks took ~20% longer (the products' packing
// is paid per block), 128x256 no faster than 128x128.
constexpr int64_t kBr = 128;
constexpr int64_t kBc = 128;

template <class T>
const kn::TypedKernels<T>& kernels();
template <>
const kn::TypedKernels<float>& kernels<float>() {
  return kn::isa().f32;
}
template <>
const kn::TypedKernels<double>& kernels<double>() {
  return kn::isa().f64;
}

// Mask element (n, i, j) is data[n * sN + i * sL + j * sS]; strides are 0 where it broadcasts.
template <class T>
struct Mask {
  const T* data;
  int64_t sN, sL, sS;
};

// Per-thread scratch, grown on demand and kept: the pool's threads live as long as the process.
template <class T>
T* scratch(size_t n) {
  static thread_local std::vector<T> buf;
  if (buf.size() < n) buf.resize(n);
  return buf.data();
}

// s[c] = scores of row i against keys j0 .. j0 + cols: the mask added and, causally, keys past i
// set to -inf.
template <class T>
inline void mask_row(T* s, int64_t cols, const Mask<T>& m, int64_t n, int64_t i, int64_t j0, bool causal) {
  if (m.data) {
    const T* row = m.data + n * m.sN + i * m.sL + j0 * m.sS;
    if (m.sS == 1)
      for (int64_t c = 0; c < cols; ++c) s[c] += row[c];
    else
      for (int64_t c = 0; c < cols; ++c) s[c] += row[c * m.sS];
  }
  if (causal)
    for (int64_t c = std::max<int64_t>(0, i + 1 - j0); c < cols; ++c) s[c] = -std::numeric_limits<T>::infinity();
}

template <class T>
void forward(const T* q, const T* k, const T* v, const Mask<T>& mask, T* out, T* lse, int64_t N, int64_t L, int64_t S,
             int64_t E, int64_t Ev, bool causal, T scale) {
  const int64_t row_blocks = (L + kBr - 1) / kBr;
  constexpr T kNegInf = -std::numeric_limits<T>::infinity();
  kn::parallel_for(N * row_blocks, [&](int64_t task) {
    const kn::TypedKernels<T>& kern = kernels<T>();
    const int64_t n = task / row_blocks, i0 = (task % row_blocks) * kBr;
    const int64_t rows = std::min(kBr, L - i0);
    T* sc = scratch<T>(kBr * kBc + kBr * Ev + 2 * kBr);
    T* acc = sc + kBr * kBc;
    T* mx = acc + kBr * Ev;
    T* sum = mx + kBr;
    std::fill(acc, acc + rows * Ev, T(0));
    std::fill(mx, mx + rows, kNegInf);
    std::fill(sum, sum + rows, T(0));
    const T* qi = q + (n * L + i0) * E;
    // causal: no row of this block sees a key past its last row
    const int64_t end = causal ? std::min(S, i0 + rows) : S;
    for (int64_t j0 = 0; j0 < end; j0 += kBc) {
      const int64_t cols = std::min(kBc, end - j0);
      kern.gemm({rows, cols, E, scale, qi, E, 1, k + (n * S + j0) * E, 1, E, T(0), sc, kBc, 1});
      for (int64_t r = 0; r < rows; ++r) {
        T* s = sc + r * kBc;
        mask_row(s, cols, mask, n, i0 + r, j0, causal);
        const T bm = kern.row_max(s, cols);
        const T m = bm > mx[r] || bm != bm ? bm : mx[r];
        if (m == kNegInf) {
          // nothing attended yet: this block adds no weight
          std::fill(s, s + cols, T(0));
          continue;
        }
        // the running sums were taken against the old maximum: rescale them to the new one
        const T alpha = std::exp(mx[r] - m);
        mx[r] = m;
        if (alpha != T(1)) {
          sum[r] *= alpha;
          T* a = acc + r * Ev;
          for (int64_t e = 0; e < Ev; ++e) a[e] *= alpha;
        }
        sum[r] += kern.exp_shift_sum(s, s, cols, m);
      }
      kern.gemm({rows, Ev, cols, T(1), sc, kBc, 1, v + (n * S + j0) * Ev, Ev, 1, T(1), acc, Ev, 1});
    }
    for (int64_t r = 0; r < rows; ++r) {
      T* o = out + (n * L + i0 + r) * Ev;
      const T* a = acc + r * Ev;
      // every key masked: NaN, as the composed softmax over all -inf gives (and the backward)
      if (sum[r] == T(0)) {
        std::fill(o, o + Ev, std::numeric_limits<T>::quiet_NaN());
        lse[n * L + i0 + r] = std::numeric_limits<T>::quiet_NaN();
        continue;
      }
      const T inv = T(1) / sum[r];
      for (int64_t e = 0; e < Ev; ++e) o[e] = a[e] * inv;
      lse[n * L + i0 + r] = mx[r] + std::log(sum[r]);
    }
  });
}

template <class T>
void backward(const T* dout, const T* q, const T* k, const T* v, const T* out, const T* lse, const Mask<T>& mask, T* dq,
              T* dk, T* dv, int64_t N, int64_t L, int64_t S, int64_t E, int64_t Ev, bool causal, T scale) {
  // One task per head: it accumulates dQ over every key block, so splitting a head would need a
  // reduction of partial dQs.
  kn::parallel_for(N, [&](int64_t n) {
    const kn::TypedKernels<T>& kern = kernels<T>();
    T* p = scratch<T>(2 * kBr * kBc + L);
    T* ds = p + kBr * kBc;
    T* delta = ds + kBr * kBc;
    const T* go = dout + n * L * Ev;
    const T* oo = out + n * L * Ev;
    for (int64_t i = 0; i < L; ++i) {
      T d = T(0);
      for (int64_t e = 0; e < Ev; ++e) d += go[i * Ev + e] * oo[i * Ev + e];
      delta[i] = d;
    }
    T* dqn = dq + n * L * E;
    std::fill(dqn, dqn + L * E, T(0));
    std::fill(dk + n * S * E, dk + (n + 1) * S * E, T(0));
    std::fill(dv + n * S * Ev, dv + (n + 1) * S * Ev, T(0));
    for (int64_t j0 = 0; j0 < S; j0 += kBc) {
      const int64_t cols = std::min(kBc, S - j0);
      const T* kj = k + (n * S + j0) * E;
      const T* vj = v + (n * S + j0) * Ev;
      T* dkj = dk + (n * S + j0) * E;
      T* dvj = dv + (n * S + j0) * Ev;
      // causal: query blocks ending before j0 see none of these keys
      for (int64_t i0 = causal ? j0 / kBr * kBr : 0; i0 < L; i0 += kBr) {
        const int64_t rows = std::min(kBr, L - i0);
        const T* qi = q + (n * L + i0) * E;
        const T* gi = go + i0 * Ev;
        kern.gemm({rows, cols, E, scale, qi, E, 1, kj, 1, E, T(0), p, kBc, 1});
        for (int64_t r = 0; r < rows; ++r) {
          T* s = p + r * kBc;
          mask_row(s, cols, mask, n, i0 + r, j0, causal);
          kern.exp_shift_sum(s, s, cols, lse[n * L + i0 + r]);
        }
        // dV_j += P^T dO_i
        kern.gemm({cols, Ev, rows, T(1), p, 1, kBc, gi, Ev, 1, T(1), dvj, Ev, 1});
        // dP = dO_i V_j^T, then dS = P * (dP - delta)
        kern.gemm({rows, cols, Ev, T(1), gi, Ev, 1, vj, 1, Ev, T(0), ds, kBc, 1});
        for (int64_t r = 0; r < rows; ++r) {
          const T d = delta[i0 + r];
          T* x = ds + r * kBc;
          const T* w = p + r * kBc;
          for (int64_t c = 0; c < cols; ++c) x[c] = w[c] * (x[c] - d);
        }
        // dQ_i += scale * dS K_j; dK_j += scale * dS^T Q_i
        kern.gemm({rows, E, cols, scale, ds, kBc, 1, kj, E, 1, T(1), dqn + i0 * E, E, 1});
        kern.gemm({cols, E, rows, scale, ds, 1, kBc, qi, E, 1, T(1), dkj, E, 1});
      }
    }
  });
}

struct Dims {
  int64_t N, L, S, E, Ev;
};

// The arrays' lengths: q (and dq) [N, L, E], k (dk) [N, S, E], v (dv) [N, S, Ev], out (dout)
// [N, L, Ev], lse [N, L], and the elements the mask's strides reach over [N, L, S] from its
// offset; refused when too large to index (Call::elements, Call::span).
struct Sizes {
  int64_t q, k, v, out, lse, mask;
};
Sizes sizes(Call& c, const Dims& d, int64_t sN, int64_t sL, int64_t sS) {
  return Sizes{c.elements("q", {d.N, d.L, d.E}),   c.elements("k", {d.N, d.S, d.E}), c.elements("v", {d.N, d.S, d.Ev}),
               c.elements("out", {d.N, d.L, d.Ev}), c.elements("lse", {d.N, d.L}),    c.span("mask", {d.N, d.L, d.S}, {sN, sL, sS})};
}

// attention(q, qOff, k, kOff, v, vOff, mask?, maskOff, msN, msL, msS, out, lse, N, L, S, E, Ev, isCausal, scale)
napi_value Attention(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call c(env, info, "attention", 20);
    const Dims d{c.size(13, "N"), c.size(14, "L"), c.size(15, "S"), c.size(16, "E"), c.size(17, "Ev")};
    if (d.N == 0 || d.L == 0 || d.S == 0) c.fail(true, "N, L and S", "must be positive");
    const int64_t oq = c.size(1, "qOffset"), ok = c.size(3, "kOffset"), ov = c.size(5, "vOffset");
    const int64_t om = c.size(7, "maskOffset"), sN = c.size(8, "maskStrideN"), sL = c.size(9, "maskStrideL"), sS = c.size(10, "maskStrideS");
    const bool causal = c.boolean(18, "isCausal");
    const double scale = c.number(19, "scale");
    const Sizes n = sizes(c, d, sN, sL, sS);
    Arr q = c.array(0, "q", oq, n.q), k = c.array(2, "k", ok, n.k), v = c.array(4, "v", ov, n.v);
    Arr m = c.array(6, "mask", om, n.mask, true);
    Arr out = c.array(11, "out", 0, n.out), lse = c.array(12, "lse", 0, n.lse);
    if (c.single())
      forward(ptr<float>(q, oq), ptr<float>(k, ok), ptr<float>(v, ov), Mask<float>{ptr<float>(m, om), sN, sL, sS}, ptr<float>(out, 0),
              ptr<float>(lse, 0), d.N, d.L, d.S, d.E, d.Ev, causal, static_cast<float>(scale));
    else
      forward(ptr<double>(q, oq), ptr<double>(k, ok), ptr<double>(v, ov), Mask<double>{ptr<double>(m, om), sN, sL, sS},
              ptr<double>(out, 0), ptr<double>(lse, 0), d.N, d.L, d.S, d.E, d.Ev, causal, scale);
  });
}

// attentionBackward(dout, dOff, q, qOff, k, kOff, v, vOff, out, oOff, lse, lseOff, mask?, maskOff, msN, msL, msS,
//                   dq, dk, dv, N, L, S, E, Ev, isCausal, scale)
napi_value AttentionBackward(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call c(env, info, "attentionBackward", 27);
    const Dims d{c.size(20, "N"), c.size(21, "L"), c.size(22, "S"), c.size(23, "E"), c.size(24, "Ev")};
    if (d.N == 0 || d.L == 0 || d.S == 0) c.fail(true, "N, L and S", "must be positive");
    const int64_t og = c.size(1, "doutOffset"), oq = c.size(3, "qOffset"), ok = c.size(5, "kOffset"), ov = c.size(7, "vOffset");
    const int64_t oo = c.size(9, "outOffset"), ol = c.size(11, "lseOffset");
    const int64_t om = c.size(13, "maskOffset"), sN = c.size(14, "maskStrideN"), sL = c.size(15, "maskStrideL"), sS = c.size(16, "maskStrideS");
    const bool causal = c.boolean(25, "isCausal");
    const double scale = c.number(26, "scale");
    const Sizes n = sizes(c, d, sN, sL, sS);
    Arr g = c.array(0, "dout", og, n.out), q = c.array(2, "q", oq, n.q), k = c.array(4, "k", ok, n.k);
    Arr v = c.array(6, "v", ov, n.v), o = c.array(8, "out", oo, n.out), l = c.array(10, "lse", ol, n.lse);
    Arr m = c.array(12, "mask", om, n.mask, true);
    Arr dq = c.array(17, "dq", 0, n.q), dk = c.array(18, "dk", 0, n.k), dv = c.array(19, "dv", 0, n.v);
    if (c.single())
      backward(ptr<float>(g, og), ptr<float>(q, oq), ptr<float>(k, ok), ptr<float>(v, ov), ptr<float>(o, oo), ptr<float>(l, ol),
               Mask<float>{ptr<float>(m, om), sN, sL, sS}, ptr<float>(dq, 0), ptr<float>(dk, 0), ptr<float>(dv, 0), d.N, d.L, d.S,
               d.E, d.Ev, causal, static_cast<float>(scale));
    else
      backward(ptr<double>(g, og), ptr<double>(q, oq), ptr<double>(k, ok), ptr<double>(v, ov), ptr<double>(o, oo),
               ptr<double>(l, ol), Mask<double>{ptr<double>(m, om), sN, sL, sS}, ptr<double>(dq, 0), ptr<double>(dk, 0),
               ptr<double>(dv, 0), d.N, d.L, d.S, d.E, d.Ev, causal, scale);
  });
}

}  // namespace

void kn_register_attention(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"attention", nullptr, Attention, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"attentionBackward", nullptr, AttentionBackward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
