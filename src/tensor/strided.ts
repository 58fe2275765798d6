// Walking strided memory in row-major order: the one loop every generic (non-contiguous) path uses.
import type { TypedArray } from "./dtype.js";
import type { Shape } from "./shape.js";

/**
 * Copies the elements a strided view addresses into `out` (row-major), starting at out[0].
 * Innermost dimension unrolled so the common 1-D and 2-D cases pay no odometer per element.
 */
export function gatherStrided(
  src: ArrayLike<number>,
  shape: Shape,
  strides: readonly number[],
  offset: number,
  out: TypedArray | number[],
): void {
  const nd = shape.length;
  if (nd === 0) {
    out[0] = src[offset];
    return;
  }
  const n = shape[nd - 1];
  const s = strides[nd - 1];
  if (nd === 1) {
    for (let i = 0, p = offset; i < n; i++, p += s) out[i] = src[p];
    return;
  }
  const index = new Array<number>(nd - 1).fill(0);
  let outer = 1;
  for (let d = 0; d < nd - 1; d++) outer *= shape[d];
  let base = offset;
  let o = 0;
  for (let k = 0; k < outer; k++) {
    for (let i = 0, p = base; i < n; i++, p += s) out[o++] = src[p];
    // advance the odometer over the outer dimensions
    for (let d = nd - 2; d >= 0; d--) {
      index[d]++;
      base += strides[d];
      if (index[d] < shape[d]) break;
      base -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
}

/** The storage offsets a strided view addresses, in row-major order. */
export function stridedOffsets(shape: Shape, strides: readonly number[], offset: number): Int32Array | Float64Array {
  let n = 1;
  for (const s of shape) n *= s;
  const out = n < 2 ** 31 ? new Int32Array(n) : new Float64Array(n);
  const nd = shape.length;
  if (nd === 0) {
    out[0] = offset;
    return out;
  }
  const index = new Array<number>(nd).fill(0);
  let p = offset;
  for (let k = 0; k < n; k++) {
    out[k] = p;
    for (let d = nd - 1; d >= 0; d--) {
      index[d]++;
      p += strides[d];
      if (index[d] < shape[d]) break;
      p -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}
