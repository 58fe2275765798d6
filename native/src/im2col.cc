#include "im2col.h"

#include <algorithm>
#include <cstring>

#include "thread_pool.h"

namespace kn {

namespace {

// Elements per parallel piece: the copies are memory bound, so a piece must move enough data to
// pay for the pool's hand-off.
constexpr int64_t kGrain = 1 << 15;

// Output columns [lo, hi) of a row whose input column is ow*sw + x0 lie inside [0, w).
void valid_range(int64_t ow, int64_t sw, int64_t x0, int64_t w, int64_t* lo, int64_t* hi) {
  // smallest o with o*sw + x0 >= 0, and smallest o with o*sw + x0 >= w
  int64_t a = x0 >= 0 ? 0 : (-x0 + sw - 1) / sw;
  int64_t b = w - x0 <= 0 ? 0 : (w - x0 + sw - 1) / sw;
  *lo = std::min(a, ow);
  *hi = std::max(*lo, std::min(b, ow));
}

}  // namespace

template <class T>
void im2col(const ConvGeom& g, const T* x, int64_t sn, int64_t sc, int64_t sy, int64_t sx, T* cols) {
  const int64_t rows = g.c * g.kh * g.kw;
  const int64_t l = g.oh * g.ow;
  const int64_t per_row = g.n * l;
  auto row = [&](int64_t r) {
    const int64_t ch = r / (g.kh * g.kw);
    const int64_t i = (r / g.kw) % g.kh;
    const int64_t j = r % g.kw;
    const int64_t x0 = j * g.dw - g.pw;
    int64_t lo, hi;
    valid_range(g.ow, g.sw, x0, g.w, &lo, &hi);
    T* out = cols + r * per_row;
    for (int64_t b = 0; b < g.n; ++b) {
      const T* base = x + b * sn + ch * sc;
      for (int64_t oy = 0; oy < g.oh; ++oy, out += g.ow) {
        const int64_t y = oy * g.sh - g.ph + i * g.dh;
        if (y < 0 || y >= g.h) {
          std::fill(out, out + g.ow, T(0));
          continue;
        }
        const T* src = base + y * sy + x0 * sx;
        std::fill(out, out + lo, T(0));
        const int64_t step = g.sw * sx;
        if (step == 1) {
          std::memcpy(out + lo, src + lo, size_t(hi - lo) * sizeof(T));
        } else {
          for (int64_t o = lo; o < hi; ++o) out[o] = src[o * step];
        }
        std::fill(out + hi, out + g.ow, T(0));
      }
    }
  };
  const int64_t rows_per_piece = std::max<int64_t>(1, kGrain / std::max<int64_t>(per_row, 1));
  const int64_t pieces = (rows + rows_per_piece - 1) / rows_per_piece;
  auto piece = [&](int64_t p) {
    const int64_t end = std::min(rows, (p + 1) * rows_per_piece);
    for (int64_t r = p * rows_per_piece; r < end; ++r) row(r);
  };
  if (pieces <= 1) {
    for (int64_t p = 0; p < pieces; ++p) piece(p);
  } else {
    parallel_for(pieces, piece);
  }
}

template <class T>
void col2im(const ConvGeom& g, const T* cols, int64_t sr, int64_t sb, int64_t sl, T* img) {
  const int64_t plane = g.h * g.w;
  const int64_t l = g.oh * g.ow;
  // One task per channel: a channel's pixels receive only from that channel's rows, so tasks
  // never write the same memory, and each pixel sums its contributions in the same order
  // whatever the thread count.
  auto channel = [&](int64_t ch) {
    for (int64_t b = 0; b < g.n; ++b) std::fill(img + (b * g.c + ch) * plane, img + (b * g.c + ch + 1) * plane, T(0));
    for (int64_t i = 0; i < g.kh; ++i) {
      for (int64_t j = 0; j < g.kw; ++j) {
        const int64_t r = (ch * g.kh + i) * g.kw + j;
        const int64_t x0 = j * g.dw - g.pw;
        int64_t lo, hi;
        valid_range(g.ow, g.sw, x0, g.w, &lo, &hi);
        for (int64_t b = 0; b < g.n; ++b) {
          T* dst_plane = img + (b * g.c + ch) * plane;
          const T* src_row = cols + r * sr + b * sb;
          for (int64_t oy = 0; oy < g.oh; ++oy) {
            const int64_t y = oy * g.sh - g.ph + i * g.dh;
            if (y < 0 || y >= g.h) continue;
            T* dst = dst_plane + y * g.w + x0;
            const T* src = src_row + oy * g.ow * sl;
            if (sl == 1 && g.sw == 1) {
              for (int64_t o = lo; o < hi; ++o) dst[o] += src[o];
            } else {
              for (int64_t o = lo; o < hi; ++o) dst[o * g.sw] += src[o * sl];
            }
          }
        }
      }
    }
  };
  const int64_t work = g.n * g.kh * g.kw * l;
  if (g.c < 2 || work * g.c < kGrain) {
    for (int64_t ch = 0; ch < g.c; ++ch) channel(ch);
  } else {
    parallel_for(g.c, channel);
  }
}

template void im2col<float>(const ConvGeom&, const float*, int64_t, int64_t, int64_t, int64_t, float*);
template void im2col<double>(const ConvGeom&, const double*, int64_t, int64_t, int64_t, int64_t, double*);
template void col2im<float>(const ConvGeom&, const float*, int64_t, int64_t, int64_t, float*);
template void col2im<double>(const ConvGeom&, const double*, int64_t, int64_t, int64_t, double*);

}  // namespace kn
