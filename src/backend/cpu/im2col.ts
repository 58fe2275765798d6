// im2col / col2im in TypeScript: the gather that turns a convolution into one matrix product,
// and its adjoint (the scatter-add that turns a product back into an image). The geometry is
// 2-D; a 1-D convolution is the same with height 1.
import { allocArray, allocUninit } from "../../tensor/alloc.js";
import { Tensor } from "../../tensor/tensor.js";
import type { ConvGeometry } from "../backend.js";

/**
 * x [N, C, H, W] (any strides) to cols [C*kh*kw, N, outH*outW]: row (c, i, j) holds, for each
 * image n and output position (oh, ow), x[n, c, oh*sh - padH + i*dh, ow*sw - padW + j*dw], or 0
 * outside the image.
 */
export function im2col(x: Tensor, g: ConvGeometry): Tensor {
  const [n, c, h, w] = x.shape;
  const { kernelH: kh, kernelW: kw, strideH: sh, strideW: sw, padH, padW, dilationH: dh, dilationW: dw, outH, outW } = g;
  const rows = c * kh * kw;
  const l = outH * outW;
  const out = allocUninit(x.dtype, rows * n * l);
  const X = x.storage.data;
  const [s0, s1, s2, s3] = x.strides;
  let o = 0;
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        for (let b = 0; b < n; b++) {
          const base = x.offset + b * s0 + ch * s1;
          for (let oh = 0; oh < outH; oh++) {
            const y = oh * sh - padH + i * dh;
            if (y < 0 || y >= h) {
              out.fill(0, o, o + outW);
              o += outW;
              continue;
            }
            const row = base + y * s2;
            let xx = j * dw - padW;
            for (let ow = 0; ow < outW; ow++, xx += sw) out[o++] = xx >= 0 && xx < w ? X[row + xx * s3] : 0;
          }
        }
      }
    }
  }
  return Tensor.make([rows, n, l], x.dtype, out, x.device);
}

/**
 * The adjoint of im2col: cols [C*kh*kw, N, outH*outW] (any strides) summed into a new image
 * [N, C, H, W] (C, H, W = g.channels, g.height, g.width); entries in the padding are dropped.
 */
export function col2im(cols: Tensor, g: ConvGeometry): Tensor {
  const n = cols.shape[1];
  const { channels: c, height: h, width: w, kernelH: kh, kernelW: kw, strideH: sh, strideW: sw, padH, padW, dilationH: dh, dilationW: dw, outH, outW } = g;
  const out = allocArray(cols.dtype, n * c * h * w);
  const C = cols.storage.data;
  const [s0, s1, s2] = cols.strides;
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const r = cols.offset + ((ch * kh + i) * kw + j) * s0;
        for (let b = 0; b < n; b++) {
          const img = (b * c + ch) * h * w;
          let src = r + b * s1;
          for (let oh = 0; oh < outH; oh++) {
            const y = oh * sh - padH + i * dh;
            if (y < 0 || y >= h) {
              src += outW * s2;
              continue;
            }
            const row = img + y * w;
            let xx = j * dw - padW;
            for (let ow = 0; ow < outW; ow++, xx += sw, src += s2) if (xx >= 0 && xx < w) out[row + xx] += C[src];
          }
        }
      }
    }
  }
  return Tensor.make([n, c, h, w], cols.dtype, out, cols.device);
}
