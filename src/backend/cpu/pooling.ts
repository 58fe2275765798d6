// Max pooling in TypeScript (Backend.maxPool2d): the loops src/ops/pooling.ts ran before the
// addon had them, unchanged, so both kernel paths give PyTorch's values and indices. The native
// kernel (native/src/kernels.inc, max_pool_plane) visits the taps in the same order.
import { int64 } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import type { MaxPool2dKernels, PoolGeometry } from "../backend.js";

function forward(x: Tensor, g: PoolGeometry, withIndices: boolean): { values: Tensor; indices: Tensor | null } {
  const { height: H, width: W, kernelH, kernelW, strideH, strideW, padH, padW, dilationH: dH, dilationW: dW, outH: oH, outW: oW } = g;
  const inPlane = H * W;
  const outPlane = oH * oW;
  const n = inPlane === 0 ? 0 : x.numel() / inPlane;
  const src = x.detach().contiguous().values();
  const out = new x.dtype.ArrayType(n * outPlane);
  const idx = withIndices ? new Float64Array(n * outPlane) : null;
  for (let b = 0; b < n; b++) {
    const base = b * inPlane;
    let o = b * outPlane;
    for (let oh = 0; oh < oH; oh++) {
      let h0 = oh * strideH - padH;
      const h1 = Math.min(h0 + (kernelH - 1) * dH + 1, H);
      while (h0 < 0) h0 += dH;
      for (let ow = 0; ow < oW; ow++, o++) {
        let w0 = ow * strideW - padW;
        const w1 = Math.min(w0 + (kernelW - 1) * dW + 1, W);
        while (w0 < 0) w0 += dW;
        let best = Number.NEGATIVE_INFINITY;
        let bestIdx = h0 * W + w0;
        for (let ih = h0; ih < h1; ih += dH) {
          const row = ih * W;
          for (let iw = w0; iw < w1; iw += dW) {
            const v = src[base + row + iw];
            if (v > best || Number.isNaN(v)) {
              best = v;
              bestIdx = row + iw;
            }
          }
        }
        out[o] = best;
        if (idx !== null) idx[o] = bestIdx;
      }
    }
  }
  const shape = [...x.shape.slice(0, -2), oH, oW];
  const values = Tensor.make(shape, x.dtype, out, x.device);
  return { values, indices: idx === null ? null : Tensor.make(shape.slice(), int64, idx, x.device) };
}

function backward(gy: Tensor, indices: Tensor, inputShape: number[]): Tensor {
  const nd = inputShape.length;
  const inPlane = inputShape[nd - 2] * inputShape[nd - 1];
  const outPlane = gy.shape[nd - 2] * gy.shape[nd - 1];
  const g = gy.detach().contiguous().values();
  const ix = indices.values();
  const gx = new gy.dtype.ArrayType(inputShape.reduce((p, q) => p * q, 1));
  const n = outPlane === 0 ? 0 : ix.length / outPlane;
  for (let b = 0, i = 0; b < n; b++) {
    const base = b * inPlane;
    for (let o = 0; o < outPlane; o++, i++) gx[base + ix[i]] += g[i];
  }
  return Tensor.make(inputShape.slice(), gy.dtype, gx, gy.device);
}

export const maxPool2d: MaxPool2dKernels = { forward, backward };
