// Max pooling over contiguous planes [planes, h, w], the native side of src/backend/cpu/pooling.ts:
// the forward (kn::isa()'s max_pool_plane, indices only when asked for) and the backward's
// scatter-add of the output gradient onto each maximum's position. Planes are independent, so
// they are split over the thread pool without changing any result: the backward adds into a
// plane in output order on one thread, as the TypeScript loop does. Registered on the addon's
// exports by kn_register_pooling.
#include <node_api.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "call.h"
#include "kernels.h"
#include "thread_pool.h"

namespace {

using kn_call::Arr;
using kn_call::Call;
using kn_call::guarded;
using kn_call::ptr;

// Elements per parallel piece: below this a hand-off to the pool costs more than the loop.
constexpr int64_t kGrain = 1 << 14;

template <class F>
void over_planes(int64_t planes, int64_t work_per_plane, F body) {
  const int64_t per = std::max<int64_t>(1, kGrain / std::max<int64_t>(work_per_plane, 1));
  const int64_t pieces = (planes + per - 1) / per;
  auto piece = [&](int64_t p) {
    const int64_t end = std::min(planes, (p + 1) * per);
    for (int64_t i = p * per; i < end; ++i) body(i);
  };
  if (pieces <= 1) {
    for (int64_t p = 0; p < pieces; ++p) piece(p);
  } else {
    kn::parallel_for(pieces, piece);
  }
}

kn::PoolGeom pool_geom(Call& a, size_t first) {
  static const char* names[12] = {"h", "w", "kh", "kw", "sh", "sw", "ph", "pw", "dh", "dw", "oh", "ow"};
  int64_t v[12];
  for (size_t i = 0; i < 12; ++i) {
    v[i] = a.size(first + i, names[i]);
    if (v[i] > (int64_t(1) << 31)) a.fail(true, names[i], "is too large");
  }
  for (size_t i : {2, 3, 4, 5, 8, 9})
    if (v[i] == 0) a.fail(true, names[i], "must be positive");
  // Every window must start inside the plane's padding, as PyTorch's output size guarantees.
  if (v[10] > 0 && (v[10] - 1) * v[4] - v[6] >= v[0]) a.fail(true, "oh", "reaches past the plane");
  if (v[11] > 0 && (v[11] - 1) * v[5] - v[7] >= v[1]) a.fail(true, "ow", "reaches past the plane");
  if (v[6] * 2 > v[2] || v[7] * 2 > v[3]) a.fail(true, "ph", "must be at most half the kernel");
  // The kernel keeps indices in integers the width of a float32.
  if (v[0] * v[1] >= (int64_t(1) << 31)) a.fail(true, "h", "times w must be below 2^31");
  return kn::PoolGeom{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]};
}

template <class T>
void forward(const kn::TypedKernels<T>& k, const kn::PoolGeom& g, int64_t planes, const T* x, T* y, double* idx) {
  const int64_t in = g.h * g.w, out = g.oh * g.ow;
  over_planes(planes, out * g.kh * g.kw, [&](int64_t p) { k.max_pool_plane(g, x + p * in, y + p * out, idx ? idx + p * out : nullptr); });
}

template <class T>
void backward(int64_t planes, int64_t in, int64_t out, const T* gy, const double* idx, T* gx) {
  over_planes(planes, in + out, [&](int64_t p) {
    T* dst = gx + p * in;
    std::fill(dst, dst + in, T(0));
    const T* g = gy + p * out;
    const double* ix = idx + p * out;
    for (int64_t o = 0; o < out; ++o) dst[static_cast<int64_t>(ix[o])] += g[o];
  });
}

// maxPool2d(x, xOffset, planes, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, y, idx | null)
napi_value MaxPool2d(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call a(env, info, "maxPool2d", 17);
    const int64_t off = a.size(1, "xOffset"), planes = a.size(2, "planes");
    const kn::PoolGeom g = pool_geom(a, 3);
    Arr x = a.array(0, "x", off, planes * g.h * g.w);
    Arr y = a.array(15, "y", 0, planes * g.oh * g.ow);
    Arr idx = a.int64s(16, "idx", 0, planes * g.oh * g.ow, true);
    if (x.data == y.data) a.fail(true, "y", "must not be x");
    double* ip = ptr<double>(idx, 0);
    if (a.single())
      forward(kn::isa().f32, g, planes, ptr<float>(x, off), ptr<float>(y, 0), ip);
    else
      forward(kn::isa().f64, g, planes, ptr<double>(x, off), ptr<double>(y, 0), ip);
  });
}

// maxPool2dBackward(gy, gyOffset, idx, idxOffset, planes, inPlane, outPlane, gx)
napi_value MaxPool2dBackward(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call a(env, info, "maxPool2dBackward", 8);
    const int64_t og = a.size(1, "gyOffset"), oi = a.size(3, "idxOffset");
    const int64_t planes = a.size(4, "planes"), in = a.size(5, "inPlane"), out = a.size(6, "outPlane");
    Arr gy = a.array(0, "gy", og, planes * out);
    Arr idx = a.int64s(2, "idx", oi, planes * out);
    Arr gx = a.array(7, "gx", 0, planes * in);
    if (gx.data == gy.data) a.fail(true, "gx", "must not be gy");
    const double* ip = ptr<double>(idx, oi);
    for (int64_t i = 0; i < planes * out; ++i)
      if (!(ip[i] >= 0 && ip[i] < double(in))) a.fail(true, "idx", "holds an index outside the plane");
    if (a.single())
      backward(planes, in, out, ptr<float>(gy, og), ip, ptr<float>(gx, 0));
    else
      backward(planes, in, out, ptr<double>(gy, og), ip, ptr<double>(gx, 0));
  });
}

}  // namespace

void kn_register_pooling(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"maxPool2d", nullptr, MaxPool2d, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"maxPool2dBackward", nullptr, MaxPool2dBackward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
