// Floating-point sums in the exact order of additions PyTorch 1.13's CPU kernel uses, so that a
// float32 sum (and the mean, the losses and everything built on them) has PyTorch's bits, not
// merely its value to an ulp. The order comes from two places:
//
// 1. TensorIterator lays the reduction out: the dims are sorted with the reduced ones first, then
//    by increasing input stride (an insertion sort whose ties and size-1 dims matter), adjacent
//    dims whose strides chain are merged, and the first two dims of the result form a 2-D loop
//    that runs once per position of the remaining dims, each call adding its partial sums into the
//    output (which starts at +0).
// 2. The cascade sum (ATen/native/cpu/SumKernel.cpp) sums each 2-D block: a running sum per
//    column that, every 16 (or more) rows, is carried into a coarser level, four levels deep; a
//    contiguous reduced dim is read as AVX2 vectors (8 float32 / 4 float64 lanes, the capability
//    the installed PyTorch runs with, `torch.__config__.show()`: "CPU capability usage: AVX2")
//    with four vectors side by side; a contiguous kept dim is summed 4 vectors of columns at a
//    time. Every addition rounds to the tensor's dtype: float32 sums accumulate in float32.
//
// One thread is assumed, the default of PyTorch on this 2-core machine (get_num_threads() = 1):
// with two or more threads PyTorch splits a full sum of 32768+ elements into per-thread partials
// and its result changes in the last bits.
import { allocArray } from "../../tensor/alloc.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { numelOf } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";

/** Lanes of PyTorch's Vectorized<float> / Vectorized<double> under AVX2 (32-byte registers). */
function lanesOf(itemsize: number): number {
  return 32 / itemsize;
}

/** ceil(log2(x)) with PyTorch's floor of 1 (utils::CeilLog2). */
function ceilLog2(x: number): number {
  if (x <= 2) return 1;
  return 32 - Math.clz32(x - 1);
}

// Scratch arrays of the tensor's own type, so that every store rounds as PyTorch's accumulators
// do: the four levels of multi_row_sum (at most 4 levels x 4 vectors x 8 lanes), row_sum's
// partial sums, and a block's results (4 vectors of lanes, plus one running scalar).
interface Scratch {
  levels: TypedArray;
  part: TypedArray;
  res: TypedArray;
}
function makeScratch(Ctor: new (n: number) => TypedArray): Scratch {
  return { levels: new Ctor(4 * 32), part: new Ctor(32), res: new Ctor(33) };
}
const scratch32 = makeScratch(Float32Array);
const scratch64 = makeScratch(Float64Array);

/**
 * multi_row_sum: `size` rows, row i starting at base + i * rowStride; each row holds `nvec`
 * groups of `lanes` adjacent elements, group k at k * colStride, i.e. nvec * lanes independent
 * column sums, written to ret[retAt ..].
 */
function multiRowSum(
  src: TypedArray,
  base: number,
  rowStride: number,
  colStride: number,
  nvec: number,
  lanes: number,
  size: number,
  acc: TypedArray,
  ret: TypedArray,
  retAt: number,
): void {
  const cols = nvec * lanes;
  const levelPower = Math.max(4, Math.floor(ceilLog2(size) / 4));
  const levelStep = 1 << levelPower;
  if (size < levelStep) {
    // No full step of rows: the coarser levels stay 0, so the sums go straight into ret.
    ret.fill(0, retAt, retAt + cols);
    addRows(src, base, rowStride, colStride, nvec, lanes, 0, size, ret, retAt);
    return;
  }
  acc.fill(0, 0, 4 * cols);
  let i = 0;
  while (i + levelStep <= size) {
    addRows(src, base, rowStride, colStride, nvec, lanes, i, i + levelStep, acc, 0);
    i += levelStep;
    for (let j = 1, span = levelStep * levelStep; j < 4; j++, span *= levelStep) {
      const hi = j * cols;
      const lo = hi - cols;
      for (let c = 0; c < cols; c++) {
        acc[hi + c] += acc[lo + c];
        acc[lo + c] = 0;
      }
      // The kernel's i & (levelMask << (j * levelPower)): i is a multiple of levelStep^j here, so
      // that is i % levelStep^(j + 1), an integer remainder (Math.floor and a division of
      // doubles made V8 call fmod, most of a small sum's time).
      if (i % span !== 0) break;
    }
  }
  addRows(src, base, rowStride, colStride, nvec, lanes, i, size, acc, 0);
  for (let j = 1; j < 4; j++) {
    const hi = j * cols;
    for (let c = 0; c < cols; c++) acc[c] += acc[hi + c];
  }
  for (let c = 0; c < cols; c++) ret[retAt + c] = acc[c];
}

/**
 * Adds rows from..to-1 of multiRowSum's layout into the level-0 sums acc[accAt ..][nvec * lanes].
 * Groups laid end to end (colStride = lanes: a contiguous row, the common case) are one run of
 * columns, summed in one loop.
 */
function addRows(src: TypedArray, base: number, rowStride: number, colStride: number, nvec: number, lanes: number, from: number, to: number, acc: TypedArray, accAt: number): void {
  if (colStride === lanes) {
    const cols = nvec * lanes;
    for (let i = from; i < to; i++) {
      const row = base + i * rowStride;
      for (let c = 0; c < cols; c++) acc[accAt + c] += src[row + c];
    }
    return;
  }
  for (let i = from; i < to; i++) {
    const row = base + i * rowStride;
    for (let k = 0; k < nvec; k++) {
      const at = row + k * colStride;
      const c = accAt + k * lanes;
      for (let l = 0; l < lanes; l++) acc[c + l] += src[at + l];
    }
  }
}

/**
 * multiRowSum for 4 single columns (nvec 4, lanes 1) in local variables: the path of narrow
 * column sums (a bias gradient) and of short rows, where the general loops' overhead dominates.
 * Math.fround after each addition is float32 arithmetic (a float sum is exact in double).
 */
function multiRowSum4(src: TypedArray, base: number, rowStride: number, colStride: number, size: number, ret: TypedArray): void {
  const f32 = src instanceof Float32Array;
  const levelPower = Math.max(4, Math.floor(ceilLog2(size) / 4));
  const levelStep = 1 << levelPower;
  // The level tests of multiRowSum as integer remainders (see there).
  const span2 = levelStep * levelStep;
  const span3 = span2 * levelStep;
  const c1 = colStride;
  const c2 = 2 * colStride;
  const c3 = 3 * colStride;
  // Levels 0..3 of the four columns; plain locals (closures over them would box them).
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  let b0 = 0, b1 = 0, b2 = 0, b3 = 0;
  let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
  let e0 = 0, e1 = 0, e2 = 0, e3 = 0;
  let i = 0;
  for (;;) {
    const end = i + levelStep <= size ? i + levelStep : size;
    const full = end - i === levelStep;
    for (; i < end; i++) {
      const r = base + i * rowStride;
      if (f32) {
        a0 = Math.fround(a0 + src[r]);
        a1 = Math.fround(a1 + src[r + c1]);
        a2 = Math.fround(a2 + src[r + c2]);
        a3 = Math.fround(a3 + src[r + c3]);
      } else {
        a0 += src[r];
        a1 += src[r + c1];
        a2 += src[r + c2];
        a3 += src[r + c3];
      }
    }
    if (!full) break;
    if (f32) {
      b0 = Math.fround(b0 + a0); b1 = Math.fround(b1 + a1); b2 = Math.fround(b2 + a2); b3 = Math.fround(b3 + a3);
    } else {
      b0 += a0; b1 += a1; b2 += a2; b3 += a3;
    }
    a0 = a1 = a2 = a3 = 0;
    if (i % span2 !== 0) continue;
    if (f32) {
      d0 = Math.fround(d0 + b0); d1 = Math.fround(d1 + b1); d2 = Math.fround(d2 + b2); d3 = Math.fround(d3 + b3);
    } else {
      d0 += b0; d1 += b1; d2 += b2; d3 += b3;
    }
    b0 = b1 = b2 = b3 = 0;
    if (i % span3 !== 0) continue;
    if (f32) {
      e0 = Math.fround(e0 + d0); e1 = Math.fround(e1 + d1); e2 = Math.fround(e2 + d2); e3 = Math.fround(e3 + d3);
    } else {
      e0 += d0; e1 += d1; e2 += d2; e3 += d3;
    }
    d0 = d1 = d2 = d3 = 0;
  }
  // The typed array rounds each stored sum; the additions round to float32 one by one.
  ret[0] = a0 + b0; ret[0] += d0; ret[0] += e0;
  ret[1] = a1 + b1; ret[1] += d1; ret[1] += e1;
  ret[2] = a2 + b2; ret[2] += d2; ret[2] += e2;
  ret[3] = a3 + b3; ret[3] += d3; ret[3] += e3;
}

/**
 * row_sum: `size` elements (each a vector of `lanes` adjacent values) `stride` apart, summed as
 * four interleaved running sums (the kernel's instruction-level parallelism) added up at the
 * end. Leaves the `lanes` sums in s.res[0 ..].
 */
function rowSum(src: TypedArray, base: number, stride: number, size: number, lanes: number, s: Scratch): void {
  const ilp = 4;
  const sizeIlp = Math.floor(size / ilp);
  const part = s.part;
  if (lanes === 1) multiRowSum4(src, base, stride * ilp, stride, sizeIlp, part);
  else multiRowSum(src, base, stride * ilp, stride, ilp, lanes, sizeIlp, s.levels, part, 0);
  for (let i = sizeIlp * ilp; i < size; i++) {
    const at = base + i * stride;
    for (let l = 0; l < lanes; l++) part[l] += src[at + l];
  }
  for (let k = 1; k < ilp; k++) for (let l = 0; l < lanes; l++) part[l] += part[k * lanes + l];
  for (let l = 0; l < lanes; l++) s.res[l] = part[l];
}

/**
 * The 2-D loop of cascade_sum: size0 x size1 elements of `src`, strides in elements; an output
 * stride of 0 marks a reduced dim. Adds the block's sums into out.
 */
function sumBlock(
  src: TypedArray,
  inAt: number,
  out: TypedArray,
  outAt: number,
  inStride0: number,
  inStride1: number,
  outStride0: number,
  outStride1: number,
  size0: number,
  size1: number,
): void {
  let in0 = inStride0;
  let in1 = inStride1;
  let o0 = outStride0;
  let o1 = outStride1;
  let n0 = size0;
  let n1 = size1;
  // The reduced dim first.
  if (o0 !== 0 && o1 === 0) {
    [in0, in1] = [in1, in0];
    [o0, o1] = [o1, o0];
    [n0, n1] = [n1, n0];
  }
  if (o0 !== 0 && o1 !== 0) {
    // Nothing reduced in this block (the reduced dims were of size 1): out += in.
    for (let j = 0; j < n1; j++) for (let i = 0; i < n0; i++) out[outAt + i * o0 + j * o1] += src[inAt + i * in0 + j * in1];
    return;
  }
  const os = o1;
  const lanes = lanesOf(src.BYTES_PER_ELEMENT);
  const s = src instanceof Float32Array ? scratch32 : scratch64;
  const res = s.res;
  if (in0 === 1 && n0 >= lanes) {
    // Contiguous inner reduction: whole vectors first, then a running sum from 0 over the
    // leftover elements and then the vector's lanes in order.
    const vecSize = Math.floor(n0 / lanes);
    for (let j = 0; j < n1; j++) {
      const row = inAt + j * in1;
      rowSum(src, row, lanes, vecSize, lanes, s);
      res[lanes] = 0;
      for (let k = vecSize * lanes; k < n0; k++) res[lanes] += src[row + k];
      for (let l = 0; l < lanes; l++) res[lanes] += res[l];
      out[outAt + j * os] += res[lanes];
    }
  } else if (in1 === 1 && n1 >= lanes) {
    // Contiguous outer reduction: 4 vectors of columns at a time, then one vector, then columns.
    const block = 4 * lanes;
    let j = 0;
    for (; j + block <= n1; j += block) {
      multiRowSum(src, inAt + j, in0, lanes, 4, lanes, n0, s.levels, res, 0);
      for (let c = 0; c < block; c++) out[outAt + (j + c) * os] += res[c];
    }
    for (; j + lanes <= n1; j += lanes) {
      rowSum(src, inAt + j, in0, n0, lanes, s);
      for (let c = 0; c < lanes; c++) out[outAt + (j + c) * os] += res[c];
    }
    for (; j < n1; j++) {
      rowSum(src, inAt + j, in0, n0, 1, s);
      out[outAt + j * os] += res[0];
    }
  } else if (in0 < in1 && n0 < 4) {
    // Rows shorter than rowSum's four running sums (a softmax or a sum over 2 or 3 classes): all
    // it adds is the elements in order onto +0, then its empty sums of +0, which change nothing
    // that the start from +0 has not (a sum of -0s is +0 either way).
    const f32 = src instanceof Float32Array;
    for (let j = 0; j < n1; j++) {
      const row = inAt + j * in1;
      let acc = 0;
      for (let k = 0; k < n0; k++) acc = f32 ? Math.fround(acc + src[row + k * in0]) : acc + src[row + k * in0];
      out[outAt + j * os] += acc;
    }
  } else if (in0 < in1) {
    for (let j = 0; j < n1; j++) {
      rowSum(src, inAt + j * in1, in0, n0, 1, s);
      out[outAt + j * os] += res[0];
    }
  } else {
    let j = 0;
    for (; j + 3 < n1; j += 4) {
      multiRowSum4(src, inAt + j * in1, in0, in1, n0, res);
      for (let c = 0; c < 4; c++) out[outAt + (j + c) * os] += res[c];
    }
    for (; j < n1; j++) {
      rowSum(src, inAt + j * in1, in0, n0, 1, s);
      out[outAt + j * os] += res[0];
    }
  }
}

/**
 * The sum of n contiguous elements from base, for lanes <= n < 64 * lanes: what sumBlock's
 * contiguous branch computes (rowSum's four vectors side by side, then the leftover vectors, the
 * four folded into one, the leftover elements and the lanes), written out for a run so short
 * that no cascade level fills (multiRowSum's size < 16). A loss's mean and a bias gradient of a
 * small batch are such runs, and the general path's bookkeeping cost several times the sum.
 */
function shortRunSum(src: TypedArray, base: number, n: number, lanes: number): number {
  const f32 = src instanceof Float32Array;
  const acc = (f32 ? scratch32 : scratch64).res;
  const cols = 4 * lanes;
  const vecSize = Math.floor(n / lanes);
  const sizeIlp = Math.floor(vecSize / 4);
  // Each column's running sum in a local (one rounding per addition, as the array would round
  // it), stored once: a read-modify-write of the array per element cost twice the additions.
  for (let c = 0; c < cols; c++) {
    let a = 0;
    if (f32) for (let i = 0, at = base + c; i < sizeIlp; i++, at += cols) a = Math.fround(a + src[at]);
    else for (let i = 0, at = base + c; i < sizeIlp; i++, at += cols) a += src[at];
    acc[c] = a;
  }
  for (let i = sizeIlp * 4; i < vecSize; i++) {
    const at = base + i * lanes;
    for (let l = 0; l < lanes; l++) acc[l] += src[at + l];
  }
  for (let k = 1; k < 4; k++) for (let l = 0; l < lanes; l++) acc[l] += acc[k * lanes + l];
  acc[cols] = 0;
  for (let k = vecSize * lanes; k < n; k++) acc[cols] += src[base + k];
  for (let l = 0; l < lanes; l++) acc[cols] += acc[l];
  return acc[cols];
}

/**
 * TensorIterator's comparison of dims a and b (1: a goes after b, -1: before, 0: undecided),
 * by output stride (0, a reduced dim, first) then input stride, larger size breaking ties. A
 * module-level function: a closure made per sum would cost more than a small sum itself.
 */
function shouldSwap(shape: readonly number[], inStrides: readonly number[], outStrides: readonly number[], a: number, b: number): number {
  for (let arg = 0; arg < 2; arg++) {
    const s0 = arg === 0 ? outStrides[a] : inStrides[a];
    const s1 = arg === 0 ? outStrides[b] : inStrides[b];
    if (arg === 0 && (s0 === 0) !== (s1 === 0)) return s1 === 0 ? 1 : -1;
    if (s0 === 0 || s1 === 0) continue;
    if (s0 < s1) return -1;
    if (s0 > s1) return 1;
    if (shape[a] > shape[b]) return 1;
  }
  return 0;
}

/**
 * TensorIterator's layout of a reduction of x over `dims`: the iteration shape and the input and
 * output strides (elements) after reorder_dimensions and coalesce_dimensions, fastest dim first.
 * The output is the contiguous tensor of x's shape with the reduced dims kept as size 1.
 */
export function reductionLayout(shape: readonly number[], inStrides: readonly number[], dims: readonly number[]) {
  const nd = shape.length;
  const outStrides = new Array<number>(nd);
  let st = 1;
  for (let d = nd - 1; d >= 0; d--) {
    const reduced = dims.includes(d);
    // A reduced dim broadcasts the output (stride 0) unless it is of size 1 anyway.
    outStrides[d] = reduced && shape[d] !== 1 ? 0 : st;
    st *= reduced ? 1 : Math.max(shape[d], 1);
  }
  // reorder_dimensions: start from the reversed dims, insertion-sort with an ambiguity-tolerant
  // comparison (shouldSwap).
  const perm = new Array<number>(nd);
  for (let i = 0; i < nd; i++) perm[i] = nd - 1 - i;
  if (nd > 1) {
    for (let i = 1; i < nd; i++) {
      let d1 = i;
      for (let d0 = i - 1; d0 >= 0; d0--) {
        const c = shouldSwap(shape, inStrides, outStrides, perm[d0], perm[d1]);
        if (c > 0) {
          const t = perm[d0];
          perm[d0] = perm[d1];
          perm[d1] = t;
          d1 = d0;
        } else if (c < 0) break;
      }
    }
  }
  const sh = new Array<number>(nd);
  const is = new Array<number>(nd);
  const os = new Array<number>(nd);
  for (let i = 0; i < nd; i++) {
    sh[i] = shape[perm[i]];
    is[i] = inStrides[perm[i]];
    os[i] = outStrides[perm[i]];
  }
  // coalesce_dimensions: merge neighbours that are one run for both operands, or of size 1.
  if (nd > 1) {
    let prev = 0;
    for (let d = 1; d < nd; d++) {
      const can = sh[prev] === 1 || sh[d] === 1 || (sh[prev] * is[prev] === is[d] && sh[prev] * os[prev] === os[d]);
      if (can) {
        if (sh[prev] === 1) {
          is[prev] = is[d];
          os[prev] = os[d];
        }
        sh[prev] *= sh[d];
      } else {
        prev++;
        if (prev !== d) {
          is[prev] = is[d];
          os[prev] = os[d];
          sh[prev] = sh[d];
        }
      }
    }
    // slice, not `length =`: shortening an array in place is one of V8's slow paths.
    return { shape: sh.slice(0, prev + 1), inStrides: is.slice(0, prev + 1), outStrides: os.slice(0, prev + 1) };
  }
  return { shape: sh, inStrides: is, outStrides: os };
}

/**
 * What reductionLayout gives for the common cases of a contiguous tensor, without its work (it
 * dominates small sums): a full sum is one run; a sum over the leading or the trailing dims is
 * [reduced, kept] or [kept, reduced] merged into one dim each. Dims of size 1 play no part in
 * either (TensorIterator coalesces them away), so they are skipped: a bias gradient's [64, 1]
 * summed over dim 0 is a full sum of 64.
 */
export function contiguousLayout(x: Tensor, dims: readonly number[]) {
  if (!x.isContiguous()) return null;
  const shape = x.shape;
  const nd = shape.length;
  const n = x.numel();
  if (dims.length === nd) return { shape: [n], inStrides: [1], outStrides: [0] };
  // Over the dims of size > 1, in order: how many, how many reduced, and where the reduced run
  // starts and ends among them (-1: none yet).
  let big = 0;
  let reducedBig = 0;
  let first = -1;
  let last = -1;
  let reduced = 1;
  for (let d = 0, r = 0; d < nd; d++) {
    const isReduced = r < dims.length && dims[r] === d;
    if (isReduced) r++;
    if (shape[d] === 1) continue;
    if (isReduced) {
      if (first < 0) first = big;
      last = big;
      reducedBig++;
      reduced *= shape[d];
    }
    big++;
  }
  if (reducedBig === 0) return null;
  if (reducedBig === big) return { shape: [n], inStrides: [1], outStrides: [0] };
  // The reduced dims must be one run at the front or at the back of the dims of size > 1.
  if (last - first + 1 !== reducedBig) return null;
  const kept = n / reduced;
  if (first === 0) return { shape: [reduced, kept], inStrides: [kept, 1], outStrides: [0, 1] };
  if (last === big - 1) return { shape: [reduced, kept], inStrides: [1, reduced], outStrides: [0, 1] };
  return null;
}

/**
 * Runs the blocks of a laid-out sum elsewhere (the native addon's cascadeSum, the same algorithm
 * in C++): adds the sums of x[xOffset ..] into the zeroed `out`; strides in elements.
 */
export type SumBlocksKernel = (x: TypedArray, xOffset: number, out: TypedArray, shape: number[], inStrides: number[], outStrides: number[]) => void;

/**
 * The sum of a float32 or float64 tensor over `dims` (sorted, distinct), with PyTorch's bits.
 * The result has x's shape with the reduced dims as size 1. `blocks` runs the 2-D loops instead
 * of TypeScript.
 */
export function cascadeSum(x: Tensor, dims: readonly number[], blocks?: SumBlocksKernel): Tensor {
  const outShape = x.shape.slice();
  for (const d of dims) outShape[d] = 1;
  // Zeroed: the blocks add their partial sums into it, as PyTorch's output starts at +0.
  const out = allocArray(x.dtype, numelOf(outShape));
  if (x.numel() === 0) return Tensor.make(outShape, x.dtype, out, x.device);
  const src = x.storage.data;
  const { shape, inStrides, outStrides } = contiguousLayout(x, dims) ?? reductionLayout(x.shape, x.strides, dims);
  const nd = shape.length;
  const lanes = lanesOf(src.BYTES_PER_ELEMENT);
  if (blocks) {
    blocks(src, x.offset, out, shape, inStrides, outStrides);
  } else if (nd === 1 && inStrides[0] === 1 && outStrides[0] === 0 && shape[0] >= lanes && shape[0] < 64 * lanes) {
    out[0] += shortRunSum(src, x.offset, shape[0], lanes);
  } else if (nd <= 1) {
    sumBlock(src, x.offset, out, 0, inStrides[0] ?? 0, 0, outStrides[0] ?? 0, 0, nd === 0 ? 1 : shape[0], 1);
  } else {
    // One 2-D block per position of the outer dims, the third dim moving fastest.
    const at = new Array<number>(nd).fill(0);
    for (;;) {
      let inAt = x.offset;
      let outAt = 0;
      for (let d = 2; d < nd; d++) {
        inAt += at[d] * inStrides[d];
        outAt += at[d] * outStrides[d];
      }
      sumBlock(src, inAt, out, outAt, inStrides[0], inStrides[1], outStrides[0], outStrides[1], shape[0], shape[1]);
      let d = 2;
      while (d < nd && ++at[d] === shape[d]) at[d++] = 0;
      if (d === nd) break;
    }
  }
  return Tensor.make(outShape, x.dtype, out, x.device);
}
