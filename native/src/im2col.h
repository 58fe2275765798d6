// im2col / col2im for the convolutions (src/ops/convolution.ts): the gather of an image's patches
// into a matrix [C*kh*kw, N, outH*outW] and its adjoint, split across the thread pool.
#pragma once

#include <cstdint>

namespace kn {

struct ConvGeom {
  int64_t n, c, h, w;      // image: batch, channels, height, width
  int64_t kh, kw, sh, sw;  // kernel size and stride
  int64_t ph, pw, dh, dw;  // padding before (top, left) and dilation
  int64_t oh, ow;          // output positions
};

// cols[(c*kh + i)*kw + j][b][oh*ow] = x[b, c, oh*sh - ph + i*dh, ow*sw - pw + j*dw] (0 outside);
// x read through its strides (sn, sc, sh, sw), cols contiguous.
template <class T>
void im2col(const ConvGeom& g, const T* x, int64_t sn, int64_t sc, int64_t sy, int64_t sx, T* cols);

// img (contiguous [n, c, h, w], overwritten) = the sum of cols's entries onto the pixels im2col read
// them from; cols read through its strides (row, batch, position).
template <class T>
void col2im(const ConvGeom& g, const T* cols, int64_t sr, int64_t sb, int64_t sl, T* img);

}  // namespace kn
