// The recurrent cells' pointwise kernels (PyTorch's _thnn_fused_lstm_cell / _thnn_fused_gru_cell
// and their backwards), the native side of src/backend/cpu/recurrent.ts: the same formulas,
// operation for operation in the element type, with sigmoid and tanh from the vectorised unary
// kernels (kn::unary). Registered on the addon's exports by kn_register_recurrent.
#include <node_api.h>

#include <cstdint>
#include <string>

#include "call.h"
#include "ops.h"

namespace {

using kn_call::Arr;
using kn_call::Call;
using kn_call::guarded;
using kn_call::ptr;

constexpr int kTanh = 3;     // UnaryOp.tanh
constexpr int kSigmoid = 4;  // UnaryOp.sigmoid

// gates = hg + ig; i, f, o = sigmoid, g = tanh (into ws); cy = f * cx + i * g; hy = o * tanh(cy).
template <class T>
void lstm_cell(const T* ig, const T* hg, const T* cx, T* hy, T* cy, T* ws, int64_t B, int64_t H) {
  const int64_t G = 4 * H;
  for (int64_t k = 0; k < B * G; ++k) ws[k] = hg[k] + ig[k];
  for (int64_t b = 0; b < B; ++b) {
    T* w = ws + b * G;
    kn::unary(kSigmoid, w, w, 2 * H);
    kn::unary(kTanh, w + 2 * H, w + 2 * H, H);
    kn::unary(kSigmoid, w + 3 * H, w + 3 * H, H);
    for (int64_t j = 0; j < H; ++j) {
      T fc = w[H + j] * cx[b * H + j];
      T ig_ = w[j] * w[2 * H + j];
      cy[b * H + j] = fc + ig_;
    }
  }
  kn::unary(kTanh, cy, hy, B * H);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t j = 0; j < H; ++j) hy[b * H + j] = ws[b * G + 3 * H + j] * hy[b * H + j];
}

template <class T>
void lstm_cell_backward(const T* dhy, const T* dcy, const T* cx, const T* cy, const T* ws, T* dgates, T* dcx, int64_t B, int64_t H) {
  const int64_t G = 4 * H;
  kn::unary(kTanh, cy, dcx, B * H);  // tanh(cy), read below before dcx is written
  for (int64_t b = 0; b < B; ++b) {
    const T* w = ws + b * G;
    T* d = dgates + b * G;
    for (int64_t j = 0; j < H; ++j) {
      const int64_t e = b * H + j;
      const T dh = dhy ? dhy[e] : T(0);
      const T dc0 = dcy ? dcy[e] : T(0);
      const T i = w[j], f = w[H + j], g = w[2 * H + j], o = w[3 * H + j];
      const T tc = dcx[e];
      const T dout = dh * tc;
      const T dho = dh * o;
      const T one_tc = T(1) - tc * tc;
      const T dc = dc0 + dho * one_tc;
      dcx[e] = dc * f;
      const T dcg = dc * g, dcc = dc * cx[e], dci = dc * i;
      d[j] = (dcg * (T(1) - i)) * i;
      d[H + j] = (dcc * (T(1) - f)) * f;
      d[2 * H + j] = dci * (T(1) - g * g);
      d[3 * H + j] = (dout * (T(1) - o)) * o;
    }
  }
}

// r, z = sigmoid(hg + ig); n = tanh(ig_n + hn * r); hy = (hx - n) * z + n; ws = [r, z, n, hn, hx].
template <class T>
void gru_cell(const T* ig, const T* hg, const T* hx, T* hy, T* ws, int64_t B, int64_t H) {
  for (int64_t b = 0; b < B; ++b) {
    const T* i = ig + b * 3 * H;
    const T* h = hg + b * 3 * H;
    T* w = ws + b * 5 * H;
    for (int64_t k = 0; k < 2 * H; ++k) w[k] = h[k] + i[k];
    kn::unary(kSigmoid, w, w, 2 * H);
    for (int64_t j = 0; j < H; ++j) {
      const T hn = h[2 * H + j];
      const T rh = hn * w[j];
      w[2 * H + j] = i[2 * H + j] + rh;
      w[3 * H + j] = hn;
      w[4 * H + j] = hx[b * H + j];
    }
    kn::unary(kTanh, w + 2 * H, w + 2 * H, H);
    for (int64_t j = 0; j < H; ++j) {
      const T n = w[2 * H + j];
      const T diff = hx[b * H + j] - n;
      const T dz = diff * w[H + j];
      hy[b * H + j] = dz + n;
    }
  }
}

template <class T>
void gru_cell_backward(const T* dhy, const T* ws, T* dig, T* dhg, T* dhx, int64_t B, int64_t H) {
  for (int64_t b = 0; b < B; ++b) {
    const T* w = ws + b * 5 * H;
    T* di = dig + b * 3 * H;
    T* dg = dhg + b * 3 * H;
    for (int64_t j = 0; j < H; ++j) {
      const T dh = dhy[b * H + j];
      const T r = w[j], z = w[H + j], n = w[2 * H + j], hn = w[3 * H + j], h0 = w[4 * H + j];
      dhx[b * H + j] = dh * z;
      const T dn1 = dh * (T(1) - z);
      const T dn = dn1 * (T(1) - n * n);
      const T dz1 = dh * (h0 - n);
      const T dz = (dz1 * (T(1) - z)) * z;
      const T dr1 = dn * hn;
      const T dr = (dr1 * (T(1) - r)) * r;
      di[j] = dr;
      di[H + j] = dz;
      di[2 * H + j] = dn;
      dg[j] = dr;
      dg[H + j] = dz;
      dg[2 * H + j] = dn * r;
    }
  }
}

// fusedLstmCell(ig, igOffset, hg, hgOffset, cx, cxOffset, hy, cy, workspace, B, H)
napi_value FusedLstmCell(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call c(env, info, "fusedLstmCell", 11);
    const int64_t B = c.size(9, "B"), H = c.size(10, "H");
    const int64_t oi = c.size(1, "igOffset"), oh = c.size(3, "hgOffset"), ox = c.size(5, "cxOffset");
    Arr ig = c.array(0, "ig", oi, B * 4 * H), hg = c.array(2, "hg", oh, B * 4 * H), cx = c.array(4, "cx", ox, B * H);
    Arr hy = c.array(6, "hy", 0, B * H), cy = c.array(7, "cy", 0, B * H), ws = c.array(8, "workspace", 0, B * 4 * H);
    if (c.single())
      lstm_cell(ptr<float>(ig, oi), ptr<float>(hg, oh), ptr<float>(cx, ox), ptr<float>(hy, 0), ptr<float>(cy, 0), ptr<float>(ws, 0), B, H);
    else
      lstm_cell(ptr<double>(ig, oi), ptr<double>(hg, oh), ptr<double>(cx, ox), ptr<double>(hy, 0), ptr<double>(cy, 0), ptr<double>(ws, 0), B, H);
  });
}

// fusedLstmCellBackward(dhy?, dhyOffset, dcy?, dcyOffset, cx, cxOffset, cy, cyOffset, workspace, wsOffset, dgates, dcx, B, H)
napi_value FusedLstmCellBackward(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call c(env, info, "fusedLstmCellBackward", 14);
    const int64_t B = c.size(12, "B"), H = c.size(13, "H");
    const int64_t oh = c.size(1, "dhyOffset"), oc = c.size(3, "dcyOffset"), ox = c.size(5, "cxOffset"), oy = c.size(7, "cyOffset"), ow = c.size(9, "wsOffset");
    Arr cx = c.array(4, "cx", ox, B * H);
    Arr dhy = c.array(0, "dhy", oh, B * H, true), dcy = c.array(2, "dcy", oc, B * H, true);
    Arr cy = c.array(6, "cy", oy, B * H), ws = c.array(8, "workspace", ow, B * 4 * H);
    Arr dg = c.array(10, "dgates", 0, B * 4 * H), dcx = c.array(11, "dcx", 0, B * H);
    if (c.single())
      lstm_cell_backward(ptr<float>(dhy, oh), ptr<float>(dcy, oc), ptr<float>(cx, ox), ptr<float>(cy, oy), ptr<float>(ws, ow), ptr<float>(dg, 0), ptr<float>(dcx, 0), B, H);
    else
      lstm_cell_backward(ptr<double>(dhy, oh), ptr<double>(dcy, oc), ptr<double>(cx, ox), ptr<double>(cy, oy), ptr<double>(ws, ow), ptr<double>(dg, 0), ptr<double>(dcx, 0), B, H);
  });
}

// fusedGruCell(ig, igOffset, hg, hgOffset, hx, hxOffset, hy, workspace, B, H)
napi_value FusedGruCell(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call c(env, info, "fusedGruCell", 10);
    const int64_t B = c.size(8, "B"), H = c.size(9, "H");
    const int64_t oi = c.size(1, "igOffset"), oh = c.size(3, "hgOffset"), ox = c.size(5, "hxOffset");
    Arr ig = c.array(0, "ig", oi, B * 3 * H), hg = c.array(2, "hg", oh, B * 3 * H), hx = c.array(4, "hx", ox, B * H);
    Arr hy = c.array(6, "hy", 0, B * H), ws = c.array(7, "workspace", 0, B * 5 * H);
    if (c.single())
      gru_cell(ptr<float>(ig, oi), ptr<float>(hg, oh), ptr<float>(hx, ox), ptr<float>(hy, 0), ptr<float>(ws, 0), B, H);
    else
      gru_cell(ptr<double>(ig, oi), ptr<double>(hg, oh), ptr<double>(hx, ox), ptr<double>(hy, 0), ptr<double>(ws, 0), B, H);
  });
}

// fusedGruCellBackward(dhy, dhyOffset, workspace, wsOffset, dig, dhg, dhx, B, H)
napi_value FusedGruCellBackward(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call c(env, info, "fusedGruCellBackward", 9);
    const int64_t B = c.size(7, "B"), H = c.size(8, "H");
    const int64_t oh = c.size(1, "dhyOffset"), ow = c.size(3, "wsOffset");
    Arr dhy = c.array(0, "dhy", oh, B * H), ws = c.array(2, "workspace", ow, B * 5 * H);
    Arr di = c.array(4, "dig", 0, B * 3 * H), dg = c.array(5, "dhg", 0, B * 3 * H), dx = c.array(6, "dhx", 0, B * H);
    if (c.single())
      gru_cell_backward(ptr<float>(dhy, oh), ptr<float>(ws, ow), ptr<float>(di, 0), ptr<float>(dg, 0), ptr<float>(dx, 0), B, H);
    else
      gru_cell_backward(ptr<double>(dhy, oh), ptr<double>(ws, ow), ptr<double>(di, 0), ptr<double>(dg, 0), ptr<double>(dx, 0), B, H);
  });
}

}  // namespace

void kn_register_recurrent(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"fusedLstmCell", nullptr, FusedLstmCell, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"fusedLstmCellBackward", nullptr, FusedLstmCellBackward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"fusedGruCell", nullptr, FusedGruCell, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"fusedGruCellBackward", nullptr, FusedGruCellBackward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
