// Batched matrix product in TypeScript.
//
// float32 follows the arithmetic of OpenBLAS's sgemm (PyTorch's CPU matmul) and of the native
// addon's packed kernel: each output element is a chain of float32 fused multiply-adds over k,
// from zero, in order; k is cut into blocks of K_BLOCK_F32 (384, the native kernel's and
// OpenBLAS's Haswell depth), each block's chain rounded onto the output once. So small products
// (a layer of a small network) give PyTorch's bits, and both kernel paths give the same bits.
// float64 accumulates with a separate multiply and add (a fused one in JavaScript costs several
// times more), in the same order and blocks of K_BLOCK_F64 (192).
import { fma32 } from "../../random/fma.js";
import { allocUninit } from "../../tensor/alloc.js";
import { float32 } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";

const K_BLOCK_F32 = 384;
const K_BLOCK_F64 = 192;
/** Below this many elements, b is read in place through its strides instead of copied first. */
const SMALL_B = 4096;
/** Up to this many output columns, each output element is summed on its own (see below). */
const FEW_COLUMNS = 8;

// One output row's float64 accumulator, kept between calls: small products (a linear layer's
// forward and backward on a small batch) would otherwise allocate one per call.
let rowAcc = new Float64Array(256);

export function matmul(a: Tensor, b: Tensor): Tensor {
  // 2-D operands are one batch; the result keeps their rank.
  const flat = a.shape.length === 2;
  const d = flat ? -1 : 0;
  const batch = flat ? 1 : a.shape[0];
  const m = a.shape[d + 1];
  const k = a.shape[d + 2];
  const n = b.shape[d + 2];
  const outShape = flat ? [m, n] : [batch, m, n];
  const out = allocUninit(a.dtype, batch * m * n);
  const A = a.storage.data;
  // b is read row by row in the inner loop: give it unit column stride, unless it is small enough
  // that reading it through its strides (a transposed weight) costs less than copying it.
  const bc = b.strides[d + 2] === 1 || k * n <= SMALL_B || n <= FEW_COLUMNS ? b : copyContiguous(b);
  const B = bc.storage.data;
  const as0 = flat ? 0 : a.strides[0];
  const as1 = a.strides[d + 1];
  const as2 = a.strides[d + 2];
  const bs0 = flat ? 0 : bc.strides[0];
  const bRow = bc.strides[d + 1];
  const bCol = bc.strides[d + 2];
  const f32 = a.dtype === float32;
  const kBlock = f32 ? K_BLOCK_F32 : K_BLOCK_F64;
  if (n <= FEW_COLUMNS && (k === 1 || k === 2)) {
    innerOneOrTwo(A, a.offset, as0, as1, as2, B, bc.offset, bs0, bRow, bCol, out, batch, m, n, k, f32);
    return Tensor.make(outShape, a.dtype, out, a.device);
  }
  if (n <= FEW_COLUMNS && f32 && k <= kBlock) {
    fewColumnsF32(A, a.offset, as0, as1, as2, B, bc.offset, bs0, bRow, bCol, out, batch, m, n, k);
    return Tensor.make(outShape, a.dtype, out, a.device);
  }
  if (n <= FEW_COLUMNS) {
    // Few output columns (a small layer): one running sum per output element. The sums add the
    // same products in the same order as the row loop below, so the results are identical.
    let o = 0;
    for (let t = 0; t < batch; t++) {
      const aBase = a.offset + t * as0;
      const bBase = bc.offset + t * bs0;
      for (let i = 0; i < m; i++) {
        const aRow = aBase + i * as1;
        for (let j = 0; j < n; j++) {
          const bCol0 = bBase + j * bCol;
          let total = 0;
          for (let k0 = 0; k0 < k; k0 += kBlock) {
            const k1 = Math.min(k, k0 + kBlock);
            let sum = 0;
            if (f32) {
              for (let p = k0; p < k1; p++) sum = fma32(A[aRow + p * as2], B[bCol0 + p * bRow], sum);
            } else {
              for (let p = k0; p < k1; p++) sum += A[aRow + p * as2] * B[bCol0 + p * bRow];
            }
            total = k0 === 0 ? sum : f32 ? Math.fround(total + sum) : total + sum;
          }
          out[o++] = total;
        }
      }
    }
    return Tensor.make(outShape, a.dtype, out, a.device);
  }
  if (rowAcc.length < n) rowAcc = new Float64Array(n);
  const acc = rowAcc;
  for (let t = 0; t < batch; t++) {
    const aBase = a.offset + t * as0;
    const bBase = bc.offset + t * bs0;
    for (let i = 0; i < m; i++) {
      // A loop, not acc.fill(): a builtin call per row costs more than a short row itself.
      const o = (t * m + i) * n;
      for (let k0 = 0; k0 < k; k0 += kBlock) {
        const k1 = Math.min(k, k0 + kBlock);
        for (let j = 0; j < n; j++) acc[j] = 0;
        for (let p = k0; p < k1; p++) {
          const aip = A[aBase + i * as1 + p * as2];
          const row = bBase + p * bRow;
          if (f32) {
            if (bCol === 1) for (let j = 0; j < n; j++) acc[j] = fma32(aip, B[row + j], acc[j]);
            else for (let j = 0; j < n; j++) acc[j] = fma32(aip, B[row + j * bCol], acc[j]);
          } else if (bCol === 1) for (let j = 0; j < n; j++) acc[j] += aip * B[row + j];
          else for (let j = 0; j < n; j++) acc[j] += aip * B[row + j * bCol];
        }
        if (k0 === 0) for (let j = 0; j < n; j++) out[o + j] = acc[j];
        else if (f32) for (let j = 0; j < n; j++) out[o + j] = Math.fround(out[o + j] + acc[j]);
        else for (let j = 0; j < n; j++) out[o + j] += acc[j];
      }
    }
  }
  return Tensor.make(outShape, a.dtype, out, a.device);
}

/**
 * The few-columns loop for an inner dimension of 1 or 2 (the first layer of a 2-input network,
 * the input gradient of a 1-output layer), with the loop over k unrolled: a loop of one or two
 * trips costs more than its arithmetic. Same products in the same order as the general loop, so
 * the same results: the first multiply-add onto zero is the product rounded once (plus zero, so
 * that a product of -0 sums to +0 as it does onto a zeroed accumulator).
 */
function innerOneOrTwo(
  A: ArrayLike<number>, aOffset: number, as0: number, as1: number, as2: number,
  B: ArrayLike<number>, bOffset: number, bs0: number, bRow: number, bCol: number,
  out: { [i: number]: number }, batch: number, m: number, n: number, k: number, f32: boolean,
): void {
  let o = 0;
  for (let t = 0; t < batch; t++) {
    const aBase = aOffset + t * as0;
    const bBase = bOffset + t * bs0;
    for (let i = 0; i < m; i++) {
      const aRow = aBase + i * as1;
      const a0 = A[aRow];
      const a1 = k === 2 ? A[aRow + as2] : 0;
      for (let j = 0; j < n; j++) {
        const bj = bBase + j * bCol;
        let sum = a0 * B[bj] + 0;
        if (f32) {
          sum = Math.fround(sum);
          if (k === 2) sum = fma32(a1, B[bj + bRow], sum);
        } else if (k === 2) {
          sum += a1 * B[bj + bRow];
        }
        out[o++] = sum;
      }
    }
  }
}

/**
 * The few-columns loop for float32 with k in one block (no carry between blocks): the sums of two
 * output columns run side by side in one pass over k. Each output element's sum is a chain of
 * dependent multiply-adds whose latency, not its arithmetic, sets the pace; two independent
 * chains overlap. Same products in the same order as the general loop.
 */
function fewColumnsF32(
  A: ArrayLike<number>, aOffset: number, as0: number, as1: number, as2: number,
  B: ArrayLike<number>, bOffset: number, bs0: number, bRow: number, bCol: number,
  out: { [i: number]: number }, batch: number, m: number, n: number, k: number,
): void {
  for (let t = 0; t < batch; t++) {
    const aBase = aOffset + t * as0;
    const bBase = bOffset + t * bs0;
    for (let i = 0; i < m; i++) {
      const aRow = aBase + i * as1;
      const o = (t * m + i) * n;
      let j = 0;
      for (; j + 1 < n; j += 2) {
        const b0 = bBase + j * bCol;
        const b1 = b0 + bCol;
        let s0 = 0;
        let s1 = 0;
        for (let p = 0; p < k; p++) {
          const aip = A[aRow + p * as2];
          s0 = fma32(aip, B[b0 + p * bRow], s0);
          s1 = fma32(aip, B[b1 + p * bRow], s1);
        }
        out[o + j] = s0;
        out[o + j + 1] = s1;
      }
      if (j < n) {
        const b0 = bBase + j * bCol;
        let s0 = 0;
        for (let p = 0; p < k; p++) s0 = fma32(A[aRow + p * as2], B[b0 + p * bRow], s0);
        out[o + j] = s0;
      }
    }
  }
}

function copyContiguous(x: Tensor): Tensor {
  return Tensor.make(x.shape.slice(), x.dtype, x.values().slice(), x.device);
}
