// Elementwise kernels. Contiguous inputs run one flat loop; the four arithmetic ops get loops of
// their own so the hot paths call no function per element; everything else maps `fn`.
import { allocUninit } from "../../tensor/alloc.js";
import { type DType, float32, type TypedArray } from "../../tensor/dtype.js";
import { broadcastStrides, numelOf, shapeEquals } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import type { BinaryKernel, UnaryKernel } from "../backend.js";
import { expf } from "./expf.js";

/** x's elements as a flat row-major array, without copying when x is contiguous. */
function flat(x: Tensor): TypedArray {
  return x.values();
}

const fround = Math.fround;
/** The logistic sigmoid 1 / (1 + exp(-x)) in double. */
export function sigmoid64(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
/** The sigmoid with each step rounded to float32, as PyTorch's float kernel rounds it. */
export function sigmoid32(x: number): number {
  return fround(1 / fround(1 + expf(-x)));
}

/** sigmoid's derivative from its output y, g * (1 - y) * y, as PyTorch's sigmoid_backward kernel (double). */
export function sigmoidBackward64(g: number, y: number): number {
  return g * (1 - y) * y;
}
/** sigmoidBackward64 with each step rounded to float32, as PyTorch's float kernel. */
export function sigmoidBackward32(g: number, y: number): number {
  return fround(fround(g * fround(1 - y)) * y);
}

export function unary(x: Tensor, k: UnaryKernel, outDtype: DType): Tensor {
  const src = flat(x);
  const n = src.length;
  const out = allocUninit(outDtype, n);
  const f = outDtype === float32 && k.f32 ? k.f32 : k.fn;
  switch (k.name) {
    case "neg":
      for (let i = 0; i < n; i++) out[i] = -src[i];
      break;
    case "relu":
      for (let i = 0; i < n; i++) {
        const v = src[i];
        out[i] = v > 0 || Number.isNaN(v) ? v : 0;
      }
      break;
    // float32 from float32: expf is fround(Math.exp), faster.
    case "exp":
      if (out instanceof Float32Array && src instanceof Float32Array) for (let i = 0; i < n; i++) out[i] = expf(src[i]);
      else for (let i = 0; i < n; i++) out[i] = Math.exp(src[i]);
      break;
    // The kernel's own function called from this loop, not through `f`: a call site every unary
    // kernel shares cannot inline any of them, and sigmoid runs in every small network.
    case "sigmoid":
      if (f === sigmoid32) for (let i = 0; i < n; i++) out[i] = sigmoid32(src[i]);
      else if (f === sigmoid64) for (let i = 0; i < n; i++) out[i] = sigmoid64(src[i]);
      else for (let i = 0; i < n; i++) out[i] = f(src[i]);
      break;
    default:
      for (let i = 0; i < n; i++) out[i] = f(src[i]);
  }
  return Tensor.make(x.shape.slice(), outDtype, out, x.device);
}

export function binary(a: Tensor, b: Tensor | number, k: BinaryKernel, outDtype: DType, outShape: number[]): Tensor {
  const n = numelOf(outShape);
  const out = allocUninit(outDtype, n);
  if (typeof b === "number") {
    const x = flat(a);
    scalarLoop(k, x, b, out, n);
  } else if (shapeEquals(a.shape, outShape) && shapeEquals(b.shape, outShape) && a.isContiguous() && b.isContiguous()) {
    sameShapeLoop(k, a.storage.data, a.offset, b.storage.data, b.offset, out, n);
  } else if (b.numel() === 1 && shapeEquals(a.shape, outShape)) {
    scalarLoop(k, flat(a), b.storage.data[b.offset], out, n);
  } else if (isTrailingRow(b, outShape) && shapeEquals(a.shape, outShape) && a.isContiguous()) {
    rowLoop(k, a.storage.data, a.offset, b.storage.data, b.offset, b.numel(), out, n);
  } else {
    broadcastLoop(k, a, b, out, outShape);
  }
  return Tensor.make(outShape, outDtype, out, a.device);
}

function scalarLoop(k: BinaryKernel, x: TypedArray, b: number, out: TypedArray, n: number): void {
  switch (k.name) {
    case "add":
      for (let i = 0; i < n; i++) out[i] = x[i] + b;
      return;
    case "sub":
      for (let i = 0; i < n; i++) out[i] = x[i] - b;
      return;
    case "mul":
      for (let i = 0; i < n; i++) out[i] = x[i] * b;
      return;
    case "div":
      for (let i = 0; i < n; i++) out[i] = x[i] / b;
      return;
    default: {
      const f = k.fn;
      for (let i = 0; i < n; i++) out[i] = f(x[i], b);
    }
  }
}

function sameShapeLoop(k: BinaryKernel, x: TypedArray, xo: number, y: TypedArray, yo: number, out: TypedArray, n: number): void {
  switch (k.name) {
    case "add":
      for (let i = 0; i < n; i++) out[i] = x[xo + i] + y[yo + i];
      return;
    case "sub":
      for (let i = 0; i < n; i++) out[i] = x[xo + i] - y[yo + i];
      return;
    case "mul":
      for (let i = 0; i < n; i++) out[i] = x[xo + i] * y[yo + i];
      return;
    case "div":
      for (let i = 0; i < n; i++) out[i] = x[xo + i] / y[yo + i];
      return;
    case "sigmoid_backward": {
      // As unary's sigmoid: the function itself, inlined, not a call through a shared site.
      const f = k.fn;
      if (f === sigmoidBackward32) for (let i = 0; i < n; i++) out[i] = sigmoidBackward32(x[xo + i], y[yo + i]);
      else if (f === sigmoidBackward64) for (let i = 0; i < n; i++) out[i] = sigmoidBackward64(x[xo + i], y[yo + i]);
      else for (let i = 0; i < n; i++) out[i] = f(x[xo + i], y[yo + i]);
      return;
    }
    default: {
      const f = k.fn;
      for (let i = 0; i < n; i++) out[i] = f(x[xo + i], y[yo + i]);
    }
  }
}

/**
 * Whether b is contiguous and its shape is the trailing part of outShape (leading 1s aside), so
 * that it repeats whole every b.numel() elements of the output: a bias added to every row.
 */
function isTrailingRow(b: Tensor, outShape: number[]): boolean {
  const lead = outShape.length - b.shape.length;
  if (lead < 0 || !b.isContiguous()) return false;
  let d = 0;
  while (d < b.shape.length && b.shape[d] === 1 && outShape[lead + d] !== 1) d++;
  for (; d < b.shape.length; d++) if (b.shape[d] !== outShape[lead + d]) return false;
  return true;
}

// a (contiguous, the output's shape) with b repeated every m elements: no odometer per row.
function rowLoop(k: BinaryKernel, x: TypedArray, xo: number, y: TypedArray, yo: number, m: number, out: TypedArray, n: number): void {
  const name = k.name;
  const f = k.fn;
  for (let r = 0; r < n; r += m) {
    const xr = xo + r;
    if (name === "add") for (let j = 0; j < m; j++) out[r + j] = x[xr + j] + y[yo + j];
    else if (name === "mul") for (let j = 0; j < m; j++) out[r + j] = x[xr + j] * y[yo + j];
    else if (name === "sub") for (let j = 0; j < m; j++) out[r + j] = x[xr + j] - y[yo + j];
    else for (let j = 0; j < m; j++) out[r + j] = f(x[xr + j], y[yo + j]);
  }
}

// General broadcasting: an odometer over the outer dimensions, a strided inner loop.
function broadcastLoop(k: BinaryKernel, a: Tensor, b: Tensor, out: TypedArray, shape: number[]): void {
  const nd = shape.length;
  const as = broadcastStrides(a.shape, a.strides, shape);
  const bs = broadcastStrides(b.shape, b.strides, shape);
  const x = a.storage.data;
  const y = b.storage.data;
  const f = k.fn;
  if (nd === 0) {
    out[0] = f(x[a.offset], y[b.offset]);
    return;
  }
  const inner = shape[nd - 1];
  const ai = as[nd - 1];
  const bi = bs[nd - 1];
  const index = new Array<number>(nd).fill(0);
  const n = out.length;
  let pa = a.offset;
  let pb = b.offset;
  const name = k.name;
  for (let o = 0; o < n; o += inner) {
    if (name === "add") for (let i = 0, p = pa, q = pb; i < inner; i++, p += ai, q += bi) out[o + i] = x[p] + y[q];
    else if (name === "mul") for (let i = 0, p = pa, q = pb; i < inner; i++, p += ai, q += bi) out[o + i] = x[p] * y[q];
    else if (name === "sub") for (let i = 0, p = pa, q = pb; i < inner; i++, p += ai, q += bi) out[o + i] = x[p] - y[q];
    else for (let i = 0, p = pa, q = pb; i < inner; i++, p += ai, q += bi) out[o + i] = f(x[p], y[q]);
    for (let d = nd - 2; d >= 0; d--) {
      index[d]++;
      pa += as[d];
      pb += bs[d];
      if (index[d] < shape[d]) break;
      pa -= as[d] * shape[d];
      pb -= bs[d] * shape[d];
      index[d] = 0;
    }
  }
}
