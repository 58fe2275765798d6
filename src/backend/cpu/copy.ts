// Strided copies with broadcasting and dtype casts: contiguous(), to(dtype), copy_, cat, stack.
import { allocUninit } from "../../tensor/alloc.js";
import { bool, type DType, type TypedArray } from "../../tensor/dtype.js";
import { broadcastStrides, formatShape, numelOf, shapeEquals } from "../../tensor/shape.js";
import { gatherStrided } from "../../tensor/strided.js";
import { Tensor } from "../../tensor/tensor.js";

/** A fresh contiguous copy of x in dtype, cast as PyTorch casts (truncation to integers, != 0 to bool). */
export function copy(x: Tensor, dtype: DType): Tensor {
  const n = numelOf(x.shape);
  const src = x.storage.data;
  const conv = converter(x.dtype, dtype);
  let out: TypedArray;
  if (!conv && dtype.ArrayType === x.dtype.ArrayType && x.isContiguous()) {
    out = allocUninit(dtype, n);
    (out as Float64Array).set(src.subarray(x.offset, x.offset + n) as Float64Array);
  } else {
    out = allocUninit(dtype, n);
    const vals = x.isContiguous() ? src.subarray(x.offset, x.offset + n) : (() => {
      const tmp = allocUninit(x.dtype, n);
      gatherStrided(src, x.shape, x.strides, x.offset, tmp);
      return tmp;
    })();
    if (conv) for (let i = 0; i < n; i++) out[i] = conv(vals[i]);
    else out.set(vals as Float64Array);
  }
  return Tensor.make(x.shape.slice(), dtype, out, x.device);
}

export function assign(dst: Tensor, src: Tensor | number): void {
  const shape = dst.shape;
  const n = numelOf(shape);
  if (n === 0) return;
  const out = dst.storage.data;
  if (typeof src === "number") {
    const v = dst.dtype === bool ? (src !== 0 ? 1 : 0) : dst.dtype.isFloatingPoint ? src : Math.trunc(src);
    if (dst.isContiguous()) {
      // A short run loops: a builtin call costs more than the run itself (zeroGrad's small grads).
      const o = dst.offset;
      if (n <= 64) for (let i = 0; i < n; i++) out[o + i] = v;
      else out.fill(v, o, o + n);
    }
    else walk(shape, dst.strides, dst.offset, null, null, 0, (p) => { out[p] = v; });
    return;
  }
  // The common case (an optimizer's copy_, a gradient accumulated into .grad): same dtype and
  // shape, both contiguous, different memory. Small copies loop; large ones use set().
  if (src.dtype === dst.dtype && src.storage !== dst.storage && shapeEquals(src.shape, shape) && src.isContiguous() && dst.isContiguous()) {
    const sd = src.storage.data;
    const so = src.offset;
    const dOff = dst.offset;
    if (n <= 64) for (let i = 0; i < n; i++) out[dOff + i] = sd[so + i];
    else (out as Float64Array).set(sd.subarray(so, so + n) as Float64Array, dOff);
    return;
  }
  for (let d = 0; d < src.shape.length; d++) {
    const i = src.shape.length - 1 - d;
    const j = shape.length - 1 - d;
    if (j < 0 || (src.shape[i] !== 1 && src.shape[i] !== shape[j])) {
      throw new RangeError(`copy_: the shape of the source ${formatShape(src.shape)} cannot be broadcast to the destination's ${formatShape(shape)}`);
    }
  }
  const conv = converter(src.dtype, dst.dtype);
  const sdata = src.storage.data;
  // Same memory, overlapping: read everything first so the copy sees the old values.
  const source = src.storage === dst.storage ? Tensor.make(src.shape.slice(), src.dtype, (() => {
    const t = new src.dtype.ArrayType(numelOf(src.shape));
    gatherStrided(sdata, src.shape, src.strides, src.offset, t);
    return t;
  })()) : src;
  const sStrides = broadcastStrides(source.shape, source.strides, shape);
  const sd = source.storage.data;
  if (dst.isContiguous() && source.isContiguous() && numelOf(source.shape) === n && !conv) {
    if (dst.dtype.ArrayType === source.dtype.ArrayType) {
      (out as Float64Array).set(sd.subarray(source.offset, source.offset + n) as Float64Array, dst.offset);
      return;
    }
  }
  walk(shape, dst.strides, dst.offset, sStrides, sd, source.offset, conv
    ? (p, v) => { out[p] = conv(v); }
    : (p, v) => { out[p] = v; });
}

function converter(from: DType, to: DType): ((v: number) => number) | null {
  if (to === bool && from !== bool) return (v) => (v !== 0 ? 1 : 0);
  if (!to.isFloatingPoint && from.isFloatingPoint) return (v) => (Number.isNaN(v) ? 0 : Math.trunc(v));
  return null;
}

/** Visits each element of a strided destination, with the matching source value where one is given. */
function walk(
  shape: readonly number[],
  dStrides: readonly number[],
  dOffset: number,
  sStrides: readonly number[] | null,
  sData: TypedArray | null,
  sOffset: number,
  visit: (p: number, v: number) => void,
): void {
  const nd = shape.length;
  if (nd === 0) {
    visit(dOffset, sData ? sData[sOffset] : 0);
    return;
  }
  const index = new Array<number>(nd).fill(0);
  const n = numelOf(shape);
  let p = dOffset;
  let q = sOffset;
  const last = nd - 1;
  const inner = shape[last];
  const ds = dStrides[last];
  const ss = sStrides ? sStrides[last] : 0;
  for (let k = 0; k < n; k += inner) {
    if (sData) for (let i = 0, pp = p, qq = q; i < inner; i++, pp += ds, qq += ss) visit(pp, sData[qq]);
    else for (let i = 0, pp = p; i < inner; i++, pp += ds) visit(pp, 0);
    for (let d = last - 1; d >= 0; d--) {
      index[d]++;
      p += dStrides[d];
      if (sStrides) q += sStrides[d];
      if (index[d] < shape[d]) break;
      p -= dStrides[d] * shape[d];
      if (sStrides) q -= sStrides[d] * shape[d];
      index[d] = 0;
    }
  }
}

