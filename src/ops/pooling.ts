// Pooling: max, average, adaptive average/max pooling and max unpooling over the last two dims
// (1-D forms go through the 2-D kernels on an unsqueezed input, as PyTorch 1.13 does). Each
// forward and its backward sit together; the loops run plane by plane over contiguous memory.
import type { PoolGeometry } from "../backend/backend.js";
import { int64 } from "../tensor/dtype.js";
import { formatShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { needsGrad, record } from "./node.js";
import { mean } from "./reduction.js";
import { backendOf } from "./util.js";
import { squeeze, unsqueeze } from "./view.js";

export type Pair = [number, number];

/** pooling_output_shape: the output length of a pooling window over inputSize (PyTorch's rounding). */
export function poolingOutputShape(inputSize: number, kernel: number, pad: number, stride: number, dilation: number, ceilMode: boolean): number {
  if (stride === 0) throw new RangeError("stride should not be zero");
  if (pad < 0) throw new RangeError(`pad must be non-negative, but got pad: ${pad}`);
  if (pad > Math.floor(kernel / 2)) throw new RangeError(`pad should be at most half of kernel size, but got pad=${pad} and kernel_size=${kernel}`);
  let out = Math.floor((inputSize + 2 * pad - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (out - 1) * stride >= inputSize + pad) out--;
  return out;
}

/** pool2d_shape_check: the checks PyTorch runs once the output size is known. */
function pool2dShapeCheck(x: Tensor, k: Pair, s: Pair, p: Pair, d: Pair, oH: number, oW: number): void {
  if (!(k[0] > 0 && k[1] > 0)) throw new RangeError(`kernel size should be greater than zero, but got kH: ${k[0]} kW: ${k[1]}`);
  if (!(s[0] > 0 && s[1] > 0)) throw new RangeError(`stride should be greater than zero, but got dH: ${s[0]} dW: ${s[1]}`);
  if (!(d[0] > 0 && d[1] > 0)) throw new RangeError(`dilation should be greater than zero, but got dilationH: ${d[0]} dilationW: ${d[1]}`);
  const nd = x.dim();
  const sh = x.shape;
  const valid = (nd === 3 && sh[0] !== 0 && sh[1] !== 0 && sh[2] !== 0) || (nd === 4 && sh[1] !== 0 && sh[2] !== 0 && sh[3] !== 0);
  if (!valid) throw new RangeError(`Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:${formatShape(sh)}`);
  if (!(k[1] / 2 >= p[1] && k[0] / 2 >= p[0])) {
    throw new RangeError(`pad should be smaller than or equal to half of kernel size, but got padW = ${p[1]}, padH = ${p[0]}, kW = ${k[1]}, kH = ${k[0]}`);
  }
  const c = sh[nd - 3];
  const h = sh[nd - 2];
  const w = sh[nd - 1];
  if (oW < 1 || oH < 1) throw new RangeError(`Given input size: (${c}x${h}x${w}). Calculated output size: (${c}x${oH}x${oW}). Output size is too small`);
}

/** The planes of a 3-D or 4-D input: count, height, width and its contiguous values. */
function planes(x: Tensor): { n: number; h: number; w: number; src: ArrayLike<number> } {
  const nd = x.dim();
  const h = x.shape[nd - 2];
  const w = x.shape[nd - 1];
  return { n: h * w === 0 ? 0 : x.numel() / (h * w), h, w, src: x.detach().contiguous().values() };
}

function outShape(x: Tensor, oH: number, oW: number): number[] {
  return [...x.shape.slice(0, -2), oH, oW];
}

// ---------------------------------------------------------------- max pooling

export interface MaxPool2dArgs {
  kernel: Pair;
  stride: Pair;
  padding: Pair;
  dilation: Pair;
  ceilMode: boolean;
}

/** max_pool2d_with_indices: the max of each window and its flat index (h * W + w) within the input plane. */
export function maxPool2dWithIndices(x: Tensor, a: MaxPool2dArgs): [Tensor, Tensor] {
  const [values, indices] = maxPool2dImpl(x, a, true);
  return [values, indices as Tensor];
}

/** max_pool2d: the values alone; the indices are computed only where the backward needs them. */
export function maxPool2d(x: Tensor, a: MaxPool2dArgs): Tensor {
  return maxPool2dImpl(x, a, false)[0];
}

function maxPool2dImpl(x: Tensor, a: MaxPool2dArgs, wantIndices: boolean): [Tensor, Tensor | null] {
  const nd = x.dim();
  if (nd !== 3 && nd !== 4) throw new RangeError("non-empty 3D or 4D (batch mode) tensor expected for input");
  const { kernel: k, stride: s, padding: p, dilation: d, ceilMode } = a;
  const H = x.shape[nd - 2];
  const W = x.shape[nd - 1];
  const oH = poolingOutputShape(H, k[0], p[0], s[0], d[0], ceilMode);
  const oW = poolingOutputShape(W, k[1], p[1], s[1], d[1], ceilMode);
  pool2dShapeCheck(x, k, s, p, d, oH, oW);
  const grad = needsGrad(x);
  const g: PoolGeometry = {
    height: H,
    width: W,
    kernelH: k[0],
    kernelW: k[1],
    strideH: s[0],
    strideW: s[1],
    padH: p[0],
    padW: p[1],
    dilationH: d[0],
    dilationW: d[1],
    outH: oH,
    outW: oW,
  };
  const { values, indices } = backendOf(x).maxPool2d.forward(x, g, wantIndices || grad);
  if (grad && indices !== null) {
    record("MaxPool2DWithIndicesBackward0", [x], values, (gy) => [scatterAddPlanes(gy, indices, x.shape, H * W, oH * oW)], [indices]);
  }
  return [values, indices];
}

/**
 * A backward formula's result, itself differentiable when the backward runs under createGraph:
 * the formula is linear in gy, so its gradient is the adjoint map applied to the incoming gradient.
 */
export function linearInGrad(name: string, gy: Tensor, gx: Tensor, adjoint: (gg: Tensor) => Tensor): Tensor {
  return needsGrad(gy) ? record(name, [gy], gx, (gg) => [adjoint(gg)]) : gx;
}

/** out[plane, o] = g[plane, indices[plane, o]]: reading values back at their pooled indices. */
function gatherPlanes(g: Tensor, indices: Tensor, outShape: number[], inPlane: number, outPlane: number): Tensor {
  const src = g.contiguous().values();
  const ix = indices.values();
  const out = new g.dtype.ArrayType(ix.length);
  const n = outPlane === 0 ? 0 : ix.length / outPlane;
  for (let b = 0, i = 0; b < n; b++) for (let o = 0; o < outPlane; o++, i++) out[i] = src[b * inPlane + ix[i]];
  const y = Tensor.make(outShape.slice(), g.dtype, out, g.device);
  return linearInGrad("GatherBackward0", g, y, (gg) => scatterAddPlanes(gg, indices, g.shape, inPlane, outPlane));
}

/** grad_input[plane, idx] += gy: the backward of every index-selecting pool. */
function scatterAddPlanes(gy: Tensor, indices: Tensor, inputShape: number[], inPlane: number, outPlane: number): Tensor {
  const out = backendOf(gy).maxPool2d.backward(gy, indices, inputShape);
  return linearInGrad("MaxPool2DWithIndicesBackwardBackward0", gy, out, (gg) => gatherPlanes(gg, indices, gy.shape, inPlane, outPlane));
}

export interface MaxPool1dArgs {
  kernel: number;
  stride: number;
  padding: number;
  dilation: number;
  ceilMode: boolean;
}

function check1d(x: Tensor, op: string, batchWord = "batch mode"): void {
  if (x.dim() !== 2 && x.dim() !== 3) {
    throw new RangeError(`${op}: Expected 2D or 3D (${batchWord}) tensor with optional 0 dim batch size for input, but got:${formatShape(x.shape)}`);
  }
}

/** max_pool1d_with_indices: the 2-D kernel on x.unsqueeze(-2), squeezed back (SqueezeBackward1, as PyTorch). */
export function maxPool1dWithIndices(x: Tensor, a: MaxPool1dArgs): [Tensor, Tensor] {
  check1d(x, "max_pool1d");
  check1dArgs(a);
  const [o, i] = maxPool2dWithIndices(unsqueeze(x, -2), args1d(a));
  return [squeeze(o, -2), squeeze(i, -2)];
}

function args1d(a: MaxPool1dArgs): MaxPool2dArgs {
  return { kernel: [1, a.kernel], stride: [1, a.stride], padding: [0, a.padding], dilation: [1, a.dilation], ceilMode: a.ceilMode };
}

function check1dArgs(a: MaxPool1dArgs): void {
  if (a.stride <= 0) throw new RangeError(`max_pool1d() stride must be greater than zero, but got ${a.stride}`);
  if (a.kernel <= 0) throw new RangeError(`max_pool1d() kernel_size must be greater than zero, but got ${a.kernel}`);
  if (a.padding < 0) throw new RangeError(`max_pool1d() padding must be non-negative, but got ${a.padding}`);
  if (a.padding > a.kernel / 2) throw new RangeError(`max_pool1d() padding should be at most half of kernel size, but got padding=${a.padding} and kernel_size=${a.kernel}`);
  if (a.dilation <= 0) throw new RangeError(`max_pool1d() dilation must be greater than zero, but got ${a.dilation}`);
}

/** max_pool1d without indices: an input with no gradient may pool to an empty output, as PyTorch's own 1-D kernel allows. */
export function maxPool1d(x: Tensor, a: MaxPool1dArgs): Tensor {
  check1d(x, "max_pool1d");
  if (!needsGrad(x) && a.stride > 0 && a.kernel > 0 && a.padding >= 0 && a.padding <= a.kernel / 2 && a.dilation > 0) {
    const L = x.shape[x.dim() - 1];
    const oL = poolingOutputShape(L, a.kernel, a.padding, a.stride, a.dilation, a.ceilMode);
    if (oL === 0) return Tensor.make([...x.shape.slice(0, -1), 0], x.dtype, undefined, x.device);
  }
  check1dArgs(a);
  return squeeze(maxPool2d(unsqueeze(x, -2), args1d(a)), -2);
}

// ---------------------------------------------------------------- average pooling

export interface AvgPool2dArgs {
  kernel: Pair;
  stride: Pair;
  padding: Pair;
  ceilMode: boolean;
  countIncludePad: boolean;
  divisorOverride: number | null;
}

/** avg_pool2d: window sums (accumulated in the element type) divided by the window size PyTorch uses. */
export function avgPool2d(x: Tensor, a: AvgPool2dArgs): Tensor {
  const { kernel: k, stride: s, padding: p, ceilMode, countIncludePad, divisorOverride } = a;
  if (divisorOverride !== null && divisorOverride === 0) throw new RangeError("divisor must be not zero");
  const nd = x.dim();
  if (nd < 3) throw new RangeError(`Dimension out of range (expected to be in range of [${-nd}, ${nd - 1}], but got -3)`);
  const H = x.shape[nd - 2];
  const W = x.shape[nd - 1];
  const oH = poolingOutputShape(H, k[0], p[0], s[0], 1, ceilMode);
  const oW = poolingOutputShape(W, k[1], p[1], s[1], 1, ceilMode);
  if (nd !== 3 && nd !== 4) throw new RangeError(`Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:${formatShape(x.shape)}`);
  pool2dShapeCheck(x, k, s, p, [1, 1], oH, oW);
  const { n, src } = planes(x);
  const f32 = x.dtype.name === "float32";
  const out = new x.dtype.ArrayType(n * oH * oW);
  const inPlane = H * W;
  const outPlane = oH * oW;
  // The divisor of each output cell is the same for every plane.
  const divisors = new Float64Array(outPlane);
  const hs = new Int32Array(outPlane * 2);
  const ws = new Int32Array(outPlane * 2);
  for (let oh = 0, o = 0; oh < oH; oh++) {
    for (let ow = 0; ow < oW; ow++, o++) {
      let h0 = oh * s[0] - p[0];
      let w0 = ow * s[1] - p[1];
      let h1 = Math.min(h0 + k[0], H + p[0]);
      let w1 = Math.min(w0 + k[1], W + p[1]);
      const poolSize = (h1 - h0) * (w1 - w0);
      h0 = Math.max(h0, 0);
      w0 = Math.max(w0, 0);
      h1 = Math.min(h1, H);
      w1 = Math.min(w1, W);
      hs[2 * o] = h0;
      hs[2 * o + 1] = h1;
      ws[2 * o] = w0;
      ws[2 * o + 1] = w1;
      divisors[o] = h0 >= h1 || w0 >= w1 ? 0 : divisorOverride !== null ? divisorOverride : countIncludePad ? poolSize : (h1 - h0) * (w1 - w0);
    }
  }
  for (let b = 0; b < n; b++) {
    const base = b * inPlane;
    const ob = b * outPlane;
    for (let o = 0; o < outPlane; o++) {
      const div = divisors[o];
      if (div === 0) continue;
      const h1 = hs[2 * o + 1];
      const w0 = ws[2 * o];
      const w1 = ws[2 * o + 1];
      let sum = 0;
      if (f32) {
        for (let ih = hs[2 * o]; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) sum = Math.fround(sum + src[base + ih * W + iw]);
      } else {
        for (let ih = hs[2 * o]; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) sum += src[base + ih * W + iw];
      }
      out[ob + o] = sum / div;
    }
  }
  const y = Tensor.make(outShape(x, oH, oW), x.dtype, out, x.device);
  if (needsGrad(x)) {
    record("AvgPool2DBackward0", [x], y, (gy) => {
      const g = gy.contiguous().values();
      const gx = new gy.dtype.ArrayType(x.numel());
      for (let b = 0; b < n; b++) {
        const base = b * inPlane;
        const ob = b * outPlane;
        for (let o = 0; o < outPlane; o++) {
          const div = divisors[o];
          if (div === 0) continue;
          const v = g[ob + o] / div;
          const h1 = hs[2 * o + 1];
          const w0 = ws[2 * o];
          const w1 = ws[2 * o + 1];
          for (let ih = hs[2 * o]; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) gx[base + ih * W + iw] += v;
        }
      }
      return [linearInGrad("AvgPool2DBackwardBackward0", gy, Tensor.make(x.shape.slice(), gy.dtype, gx, gy.device), (gg) => avgPool2d(gg, a))];
    });
  }
  return y;
}

export interface AvgPool1dArgs {
  kernel: number;
  stride: number;
  padding: number;
  ceilMode: boolean;
  countIncludePad: boolean;
}

/** avg_pool1d: avg_pool2d on x.unsqueeze(-2), squeezed back. */
export function avgPool1d(x: Tensor, a: AvgPool1dArgs): Tensor {
  const y = avgPool2d(unsqueeze(x, -2), {
    kernel: [1, a.kernel],
    stride: [1, a.stride],
    padding: [0, a.padding],
    ceilMode: a.ceilMode,
    countIncludePad: a.countIncludePad,
    divisorOverride: null,
  });
  return squeeze(y, -2);
}

// ---------------------------------------------------------------- adaptive pooling

/** The window [start, end) of adaptive output cell o: floor(o * I / O) to ceil((o + 1) * I / O). */
function adaptiveWindows(inSize: number, outSize: number): Int32Array {
  const r = new Int32Array(outSize * 2);
  for (let o = 0; o < outSize; o++) {
    r[2 * o] = Math.floor((o * inSize) / outSize);
    r[2 * o + 1] = Math.ceil(((o + 1) * inSize) / outSize);
  }
  return r;
}

function checkAdaptive(x: Tensor, size: Pair, op: string, sep: string): void {
  if (x.dim() !== 3 && x.dim() !== 4) throw new RangeError(`${op}(): Expected 3D or 4D tensor, but got${sep}${formatShape(x.shape)}`);
  for (let i = 1; i < x.dim(); i++) {
    if (x.shape[i] === 0 && !(i === 1 && x.dim() === 4)) {
      throw new RangeError(`${op}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ${formatShape(x.shape)} with dimension ${i} being empty`);
    }
  }
  if (size[0] < 0 || size[1] < 0) {
    throw new RangeError(`${op}: elements of output_size must be greater than or equal to 0 but received {${size[0]}, ${size[1]}}`);
  }
}

/** adaptive_avg_pool2d: a mean over each adaptive window; output size 1x1 is a mean over the last two dims (MeanBackward1). */
export function adaptiveAvgPool2d(x: Tensor, size: Pair): Tensor {
  checkAdaptive(x, size, "adaptive_avg_pool2d", " ");
  if (size[0] === 1 && size[1] === 1) return mean(x, [-1, -2], { keepdim: true });
  const nd = x.dim();
  const H = x.shape[nd - 2];
  const W = x.shape[nd - 1];
  const [oH, oW] = size;
  const { n, src } = planes(x);
  const hw = adaptiveWindows(H, oH);
  const ww = adaptiveWindows(W, oW);
  const f32 = x.dtype.name === "float32";
  const out = new x.dtype.ArrayType(n * oH * oW);
  const inPlane = H * W;
  for (let b = 0, o = 0; b < n; b++) {
    const base = b * inPlane;
    for (let oh = 0; oh < oH; oh++) {
      const h0 = hw[2 * oh];
      const h1 = hw[2 * oh + 1];
      for (let ow = 0; ow < oW; ow++, o++) {
        const w0 = ww[2 * ow];
        const w1 = ww[2 * ow + 1];
        let sum = 0;
        if (f32) {
          for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) sum = Math.fround(sum + src[base + ih * W + iw]);
          out[o] = Math.fround(sum / (h1 - h0)) / (w1 - w0);
        } else {
          for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) sum += src[base + ih * W + iw];
          out[o] = sum / (h1 - h0) / (w1 - w0);
        }
      }
    }
  }
  const y = Tensor.make(outShape(x, oH, oW), x.dtype, out, x.device);
  if (needsGrad(x)) {
    record("AdaptiveAvgPool2DBackward0", [x], y, (gy) => {
      const g = gy.contiguous().values();
      const gx = new gy.dtype.ArrayType(x.numel());
      for (let b = 0, o = 0; b < n; b++) {
        const base = b * inPlane;
        for (let oh = 0; oh < oH; oh++) {
          const h0 = hw[2 * oh];
          const h1 = hw[2 * oh + 1];
          for (let ow = 0; ow < oW; ow++, o++) {
            const w0 = ww[2 * ow];
            const w1 = ww[2 * ow + 1];
            const v = g[o] / (h1 - h0) / (w1 - w0);
            for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) gx[base + ih * W + iw] += v;
          }
        }
      }
      const out = Tensor.make(x.shape.slice(), gy.dtype, gx, gy.device);
      return [linearInGrad("AdaptiveAvgPool2DBackwardBackward0", gy, out, (gg) => adaptiveAvgPool2d(gg, size))];
    });
  }
  return y;
}

/** adaptive_max_pool2d: the max of each adaptive window and its flat index within the plane. */
export function adaptiveMaxPool2d(x: Tensor, size: Pair): [Tensor, Tensor] {
  checkAdaptive(x, size, "adaptive_max_pool2d", ": ");
  const nd = x.dim();
  const H = x.shape[nd - 2];
  const W = x.shape[nd - 1];
  const [oH, oW] = size;
  const { n, src } = planes(x);
  const hw = adaptiveWindows(H, oH);
  const ww = adaptiveWindows(W, oW);
  const out = new x.dtype.ArrayType(n * oH * oW);
  const idx = new Float64Array(n * oH * oW);
  const inPlane = H * W;
  for (let b = 0, o = 0; b < n; b++) {
    const base = b * inPlane;
    for (let oh = 0; oh < oH; oh++) {
      const h0 = hw[2 * oh];
      const h1 = hw[2 * oh + 1];
      for (let ow = 0; ow < oW; ow++, o++) {
        const w0 = ww[2 * ow];
        const w1 = ww[2 * ow + 1];
        let best = Number.NEGATIVE_INFINITY;
        let bestIdx = h0 * W + w0;
        for (let ih = h0; ih < h1; ih++) {
          for (let iw = w0; iw < w1; iw++) {
            const v = src[base + ih * W + iw];
            if (v > best || Number.isNaN(v)) {
              best = v;
              bestIdx = ih * W + iw;
            }
          }
        }
        out[o] = best;
        idx[o] = bestIdx;
      }
    }
  }
  const shape = outShape(x, oH, oW);
  const values = Tensor.make(shape, x.dtype, out, x.device);
  const indices = Tensor.make(shape.slice(), int64, idx, x.device);
  if (needsGrad(x)) {
    record("AdaptiveMaxPool2DBackward0", [x], values, (gy) => [scatterAddPlanes(gy, indices, x.shape, inPlane, oH * oW)], [indices]);
  }
  return [values, indices];
}

function checkAdaptive1d(x: Tensor, op: string): void {
  if (x.dim() !== 2 && x.dim() !== 3) {
    throw new RangeError(`Expected 2 to 3 dimensions, but got ${x.dim()}-dimensional tensor for argument #1 'self' (while checking arguments for ${op})`);
  }
}

export function adaptiveAvgPool1d(x: Tensor, size: number): Tensor {
  checkAdaptive1d(x, "adaptive_avg_pool1d");
  return squeeze(adaptiveAvgPool2d(unsqueeze(x, -2), [1, size]), -2);
}

export function adaptiveMaxPool1d(x: Tensor, size: number): [Tensor, Tensor] {
  checkAdaptive1d(x, "adaptive_max_pool1d");
  const [o, i] = adaptiveMaxPool2d(unsqueeze(x, -2), [1, size]);
  return [squeeze(o, -2), squeeze(i, -2)];
}

// ---------------------------------------------------------------- max unpooling

/** max_unpool2d: zeros of outputSize with each input value written at its index (later writes win). */
export function maxUnpool2d(x: Tensor, indices: Tensor, outputSize: Pair): Tensor {
  if (indices.dtype !== int64) {
    const name = indices.dtype.name === "float32" ? "Float" : indices.dtype.name === "float64" ? "Double" : indices.dtype.name === "int32" ? "Int" : "Bool";
    throw new TypeError(`elements in indices should be type int64 but got: ${name}`);
  }
  if (x.dim() !== 3 && x.dim() !== 4) {
    throw new RangeError(`Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with ${x.dim()} dimensions.`);
  }
  if (x.shape.length !== indices.shape.length || x.shape.some((s, i) => s !== indices.shape[i])) {
    throw new RangeError(
      `Expected shape of indices to be same as that of the input tensor (${formatShape(x.shape)}) but got indices tensor with shape: ${formatShape(indices.shape)}`,
    );
  }
  const [oH, oW] = outputSize;
  const nd = x.dim();
  const inPlane = x.shape[nd - 2] * x.shape[nd - 1];
  const outPlane = oH * oW;
  const n = inPlane === 0 ? 0 : x.numel() / inPlane;
  const src = x.detach().contiguous().values();
  const ix = indices.contiguous().values();
  const out = new x.dtype.ArrayType(n * outPlane);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < inPlane; i++) {
      const j = ix[b * inPlane + i];
      if (j < 0 || j >= outPlane) throw new RangeError(`Found an invalid max index: ${j} (output volumes are of size ${oH}x${oW}`);
      out[b * outPlane + j] = src[b * inPlane + i];
    }
  }
  const y = Tensor.make(outShape(x, oH, oW), x.dtype, out, x.device);
  if (needsGrad(x)) {
    record("MaxUnpool2DBackward0", [x, null], y, (gy) => {
      const g = gy.contiguous().values();
      const gx = new gy.dtype.ArrayType(n * inPlane);
      for (let b = 0; b < n; b++) for (let i = 0; i < inPlane; i++) gx[b * inPlane + i] = g[b * outPlane + ix[b * inPlane + i]];
      const out = Tensor.make(x.shape.slice(), gy.dtype, gx, gy.device);
      return [linearInGrad("MaxUnpool2DBackwardBackward0", gy, out, (gg) => maxUnpool2d(gg, indices, outputSize)), null];
    });
  }
  return y;
}
