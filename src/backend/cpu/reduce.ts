// Reductions over any set of dimensions. The reduced dimensions are moved last and read as one
// contiguous run per output element, so one simple loop serves every case.
import { allocArray } from "../../tensor/alloc.js";
import { float32, float64, int64 } from "../../tensor/dtype.js";
import { gatherStrided } from "../../tensor/strided.js";
import { Tensor } from "../../tensor/tensor.js";
import type { ReduceKind } from "../backend.js";
import { cascadeSum } from "./sum.js";

export function reduce(x: Tensor, dims: number[], kind: ReduceKind, withIndices: boolean) {
  // Float sums follow PyTorch's order of additions (sum.ts); integer sums are exact in any order.
  if (kind === "sum" && (x.dtype === float32 || x.dtype === float64)) return { values: cascadeSum(x, dims), indices: null };
  const nd = x.shape.length;
  // The kept dimensions first, then the reduced ones; plain loops, as small reductions are all
  // bookkeeping (a bias gradient, a loss's mean).
  const order = new Array<number>(nd);
  const outShape = x.shape.slice();
  let outer = 1;
  let inner = 1;
  let at = 0;
  for (let d = 0; d < nd; d++) {
    if (dims.includes(d)) continue;
    order[at++] = d;
    outer *= x.shape[d];
  }
  for (const d of dims) {
    order[at++] = d;
    inner *= x.shape[d];
    outShape[d] = 1;
  }
  let identity = true;
  for (let i = 0; i < nd; i++) if (order[i] !== i) identity = false;
  // Read x in (kept..., reduced...) order: the identity order needs no copy when contiguous.
  let src: ArrayLike<number>;
  let base = 0;
  // Output o reads `inner` elements from its start, `step` apart. One reduced dim of a contiguous
  // x (a bias gradient: a sum over the batch) is read in place rather than gathered first: the
  // same elements in the same order, `after` (the size of the dims behind it) apart.
  let step = 1;
  let after = 0;
  if (identity && x.isContiguous()) {
    src = x.storage.data;
    base = x.offset;
  } else if (dims.length === 1 && x.isContiguous()) {
    src = x.storage.data;
    base = x.offset;
    after = 1;
    for (let d = dims[0] + 1; d < nd; d++) after *= x.shape[d];
    step = after;
  } else {
    const buf = allocArray(x.dtype, outer * inner);
    const shape = new Array<number>(nd);
    const strides = new Array<number>(nd);
    for (let i = 0; i < nd; i++) {
      shape[i] = x.shape[order[i]];
      strides[i] = x.strides[order[i]];
    }
    gatherStrided(x.storage.data, shape, strides, x.offset, buf);
    src = buf;
  }
  const out = allocArray(x.dtype, outer);
  const idx = withIndices ? allocArray(int64, outer) : null;
  for (let o = 0; o < outer; o++) {
    const start = after === 0 ? base + o * inner : base + Math.floor(o / after) * inner * after + (o % after);
    switch (kind) {
      case "sum": {
        let acc = 0;
        for (let i = 0; i < inner; i++) acc += src[start + i * step];
        out[o] = acc;
        break;
      }
      case "prod": {
        let acc = 1;
        for (let i = 0; i < inner; i++) acc *= src[start + i * step];
        out[o] = acc;
        break;
      }
      case "max":
      case "min": {
        if (inner === 0) throw new RangeError(`${kind}(): Expected reduction dim to have non-zero size.`);
        let best = src[start];
        let at = 0;
        const isMax = kind === "max";
        if (!Number.isNaN(best)) {
          for (let i = 1; i < inner; i++) {
            const v = src[start + i * step];
            if (Number.isNaN(v)) {
              best = v;
              at = i;
              break;
            }
            if (isMax ? v > best : v < best) {
              best = v;
              at = i;
            }
          }
        }
        out[o] = best;
        if (idx) idx[o] = at;
        break;
      }
    }
  }
  return {
    values: Tensor.make(outShape, x.dtype, out, x.device),
    indices: idx ? Tensor.make(outShape.slice(), int64, idx, x.device) : null,
  };
}
