// Elementwise kernels. Contiguous inputs run one flat loop; the four arithmetic ops get loops of
// their own so the hot paths call no function per element; everything else maps `fn`.
import { type DType, float32, type TypedArray } from "../../tensor/dtype.js";
import { broadcastStrides, numelOf, shapeEquals } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import type { BinaryKernel, UnaryKernel } from "../backend.js";

/** x's elements as a flat row-major array, without copying when x is contiguous. */
function flat(x: Tensor): TypedArray {
  return x.values();
}

export function unary(x: Tensor, k: UnaryKernel, outDtype: DType): Tensor {
  const src = flat(x);
  const n = src.length;
  const out = new outDtype.ArrayType(n);
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
    case "exp":
      for (let i = 0; i < n; i++) out[i] = Math.exp(src[i]);
      break;
    default:
      for (let i = 0; i < n; i++) out[i] = f(src[i]);
  }
  return Tensor.make(x.shape.slice(), outDtype, out, x.device);
}

export function binary(a: Tensor, b: Tensor | number, k: BinaryKernel, outDtype: DType, outShape: number[]): Tensor {
  const n = numelOf(outShape);
  const out = new outDtype.ArrayType(n);
  if (typeof b === "number") {
    const x = flat(a);
    scalarLoop(k, x, b, out, n);
  } else if (shapeEquals(a.shape, outShape) && shapeEquals(b.shape, outShape) && a.isContiguous() && b.isContiguous()) {
    sameShapeLoop(k, a.storage.data, a.offset, b.storage.data, b.offset, out, n);
  } else if (b.numel() === 1 && shapeEquals(a.shape, outShape)) {
    scalarLoop(k, flat(a), b.storage.data[b.offset], out, n);
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
    default: {
      const f = k.fn;
      for (let i = 0; i < n; i++) out[i] = f(x[xo + i], y[yo + i]);
    }
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
