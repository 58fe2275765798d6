// Gather/scatter/index_select/index_add on contiguous copies: each reads as
// (outer, dim, inner) blocks, the layout PyTorch's own kernels use.
import { allocArray } from "../../tensor/alloc.js";
import { contiguousStrides, formatShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";

function blocks(shape: readonly number[], dim: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d];
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d];
  return [outer, shape.length ? shape[dim] : 1, inner];
}

/** A valid index along dim (negative ones wrap); PyTorch's wording, with the shapes involved. */
function checkIndex(i: number, size: number, op: string, dim: number, x: Tensor, index: Tensor): number {
  if (i < -size || i >= size) {
    const shapes = `(input shape ${formatShape(x.shape)}, index shape ${formatShape(index.shape)})`;
    if (op === "index_select" || op === "index_add") {
      throw new RangeError(`${op}(): index out of range in self: index ${i} is out of bounds for dimension ${dim} with size ${size} ${shapes}`);
    }
    throw new RangeError(`${op}(): index ${i} is out of bounds for dimension ${dim} with size ${size} ${shapes}`);
  }
  return i < 0 ? i + size : i;
}

export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const xs = x.values();
  const idx = index.values();
  const out = allocArray(x.dtype, idx.length);
  const shape = index.shape;
  if (shape.length !== x.shape.length && x.shape.length > 0) {
    throw new RangeError(`gather: Index tensor must have the same number of dimensions as input tensor (got ${formatShape(shape)} and ${formatShape(x.shape)})`);
  }
  const xsize = x.shape.length ? x.shape[dim] : 1;
  const xStrides = x.shape.length ? contiguousStrides(x.shape) : [];
  const iStrides = contiguousStrides(shape);
  for (let d = 0; d < shape.length; d++) {
    if (d !== dim && shape[d] > x.shape[d]) {
      throw new RangeError(`gather: Size does not match at dimension ${d} expected index ${formatShape(shape)} to be smaller than self ${formatShape(x.shape)} apart from dimension ${dim}`);
    }
  }
  // Index position -> x position: same coordinates except along dim.
  const nd = shape.length;
  const coord = new Array<number>(nd).fill(0);
  for (let p = 0; p < idx.length; p++) {
    let rem = p;
    let q = 0;
    for (let d = 0; d < nd; d++) {
      coord[d] = Math.floor(rem / iStrides[d]);
      rem -= coord[d] * iStrides[d];
    }
    for (let d = 0; d < nd; d++) q += (d === dim ? checkIndex(idx[p], xsize, "gather", dim, x, index) : coord[d]) * xStrides[d];
    out[p] = xs[q];
  }
  return Tensor.make(shape.slice(), x.dtype, out, x.device);
}

export function scatter(base: Tensor, dim: number, index: Tensor, src: Tensor | number, accumulate: boolean): Tensor {
  const out = base.values().slice();
  const idx = index.values();
  const shape = index.shape;
  const nd = shape.length;
  const bStrides = contiguousStrides(base.shape);
  const iStrides = contiguousStrides(shape);
  const srcVals = typeof src === "number" ? null : src.values();
  const srcStrides = typeof src === "number" ? null : contiguousStrides(src.shape);
  const size = base.shape.length ? base.shape[dim] : 1;
  const coord = new Array<number>(nd).fill(0);
  for (let p = 0; p < idx.length; p++) {
    let rem = p;
    for (let d = 0; d < nd; d++) {
      coord[d] = Math.floor(rem / iStrides[d]);
      rem -= coord[d] * iStrides[d];
    }
    let q = 0;
    let s = 0;
    for (let d = 0; d < nd; d++) {
      q += (d === dim ? checkIndex(idx[p], size, "scatter", dim, base, index) : coord[d]) * bStrides[d];
      if (srcStrides) s += coord[d] * srcStrides[d];
    }
    const v = srcVals ? srcVals[s] : (src as number);
    out[q] = accumulate ? out[q] + v : v;
  }
  return Tensor.make(base.shape.slice(), base.dtype, out, base.device);
}

export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const xs = x.values();
  const idx = index.values();
  const [outer, size, inner] = blocks(x.shape, dim);
  const k = idx.length;
  const out = allocArray(x.dtype, outer * k * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < k; j++) {
      const i = checkIndex(idx[j], size, "index_select", dim, x, index);
      const from = (o * size + i) * inner;
      const to = (o * k + j) * inner;
      for (let t = 0; t < inner; t++) out[to + t] = xs[from + t];
    }
  }
  const shape = x.shape.slice();
  if (shape.length) shape[dim] = k;
  return Tensor.make(shape, x.dtype, out, x.device);
}

export function indexAdd(base: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const out = base.values().slice();
  const ss = src.values();
  const idx = index.values();
  const [outer, size, inner] = blocks(base.shape, dim);
  const k = idx.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < k; j++) {
      const i = checkIndex(idx[j], size, "index_add", dim, base, index);
      const to = (o * size + i) * inner;
      const from = (o * k + j) * inner;
      for (let t = 0; t < inner; t++) out[to + t] += ss[from + t];
    }
  }
  return Tensor.make(base.shape.slice(), base.dtype, out, base.device);
}

