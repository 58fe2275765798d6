// The CPU backend with the native kernels behind it: large float32/float64 work (matrix products,
// contiguous elementwise ops, sums, softmax) goes to the C++ addon, everything else to the
// TypeScript backend it wraps. Small problems stay in TypeScript on purpose: a call into the
// addon costs a few hundred nanoseconds, more than a whole small kernel, and staying there keeps
// small programs' numbers exactly what they were. float32 matrix products are the exception from
// 128 multiply-adds (the XOR model's 64x2x2): the float32 multiply-adds that JavaScript emulates
// in doubles cost more than the call, and both kernels give the same bits.
//
// What the addon computes, against the TypeScript kernels:
// - add/sub/mul/div, neg, relu and the sigmoid/relu backward kernels: the same bits;
// - exp, log, tanh, sigmoid: within 1-2 ulps (vectorised polynomials instead of Math.*);
// - float sums: PyTorch's order of additions in the element type (cpu/sum.ts), the same bits;
// - float32 matrix products accumulate in float32 with FMA, as PyTorch's CPU path does (the
//   TypeScript kernel accumulates in float64);
// - softmax: exp(x - max) * (1 / sum), as PyTorch's kernel; the ops' composition divides by sum;
// - max pooling: only comparisons, the same values and indices;
// - fused attention: float32 (or float64) products and sums in blocks, against float64 sums in
//   TypeScript: the same values to rounding, not to the bit.
import { allocOffHeap, allocUninit } from "../../tensor/alloc.js";
import { type DType, float32, float64, int64 } from "../../tensor/dtype.js";
import { numelOf, shapeEquals } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import type { AttentionOptions, Backend, BatchNormKernels, BinaryKernel, ConvGeometry, MaxPool2dKernels, ReduceKind, UnaryKernel } from "../backend.js";
import { canAddMulInPlace } from "../cpu/fma.js";
import { cascadeSum, type SumBlocksKernel } from "../cpu/sum.js";
import { BackwardOp, BinaryOp, type FloatArray, type NativeKernels, UnaryOp } from "./addon.js";

/**
 * Sizes from which the addon runs a problem. Measured through both backends on the project's
 * 2-core machine (AVX-512, warm, best of five; µs TypeScript / native): float32 add of 1024
 * elements 3.1 / 1.7, exp 10.8 / 1.5, sum 1.5 / 0.55; softmax of 1024 as 16x64 23 / 3. Those
 * wins start at about 512 elements (a call into the addon costs a few hundred ns); the thresholds
 * sit where it is about twice as fast, so small programs keep TypeScript's numbers. float32
 * matrix products give the same bits in both, and the addon reads small ones in place, so they
 * go there from 128 multiply-adds: 64x2x2 (the XOR model's) 1.5 / 0.9, 2x64x2 1.8 / 1.0, 64x2x1
 * 0.86 / 0.72 (before the addon's in-place path: 64x2x2 1.1 / 1.8), 8x8x8 1.7 / 1.2, 16x16x16
 * 8.4 / 1.6.
 */
export const nativeThresholds = {
  /** Multiply-adds (batch * M * N * K) of a float32 matrix product. */
  matmulMacs: 128,
  /**
   * Multiply-adds of a float64 matrix product: the addon fuses each multiply-add, the TypeScript
   * kernel rounds the product and the sum apart, so below this small programs keep their bits.
   */
  matmulMacsF64: 2048,
  /** Output elements of an elementwise op. */
  elementwise: 2048,
  /** Input elements of a sum. */
  sum: 2048,
  /** Input elements of a softmax. */
  softmax: 2048,
  /** Elements of an in-place multiply-add (an optimizer's update). */
  addMul: 2048,
  /** Multiply-adds of fused attention's two products (N * L * S * (E + Ev)). */
  attentionMacs: 2048,
};

const unaryOps: Record<string, UnaryOp> = UnaryOp;
const binaryOps: Record<string, BinaryOp> = { add: BinaryOp.add, sub: BinaryOp.sub, mul: BinaryOp.mul, div: BinaryOp.div };
// With the tensor on the right of a 0-d left operand (2 - x as x.rsub(2)): the swapped opcode.
const swappedOps: Record<string, BinaryOp> = { add: BinaryOp.add, sub: BinaryOp.rsub, mul: BinaryOp.mul, div: BinaryOp.rdiv };
// The backward kernels the ops layer names, whose addon versions compute PyTorch's formula in
// the same steps. tanh_backward is not among them: the ops fuse 1 - y * y into one rounding (as
// PyTorch's compiled kernel does), the addon rounds twice.
const backwardOps: Record<string, BackwardOp> = { sigmoid_backward: BackwardOp.sigmoid, relu_backward: BackwardOp.relu };

function isFloat(d: DType): boolean {
  return d === float32 || d === float64;
}

/** Multiply-adds from which a matrix product of dtype runs in the addon. */
function matmulMinMacs(d: DType): number {
  return d === float32 ? nativeThresholds.matmulMacs : nativeThresholds.matmulMacsF64;
}

function data(t: Tensor): FloatArray {
  return t.storage.data as FloatArray;
}

/** Whether b repeats whole along the output's leading dims: contiguous, shape a suffix of outShape (leading 1s aside). */
function isTrailingRow(b: Tensor, outShape: number[]): boolean {
  const lead = outShape.length - b.shape.length;
  if (lead < 0 || !b.isContiguous()) return false;
  let d = 0;
  while (d < b.shape.length && b.shape[d] === 1) d++;
  for (; d < b.shape.length; d++) if (b.shape[d] !== outShape[lead + d]) return false;
  return true;
}

/**
 * The one dim along which b varies when it broadcasts per channel over outShape (shape
 * [1, C, 1, 1] against [N, C, H, W]), not the last; -1 otherwise.
 */
function perChannelDim(b: Tensor, outShape: number[]): number {
  if (b.shape.length !== outShape.length) return -1;
  let d = -1;
  for (let i = 0; i < b.shape.length; i++) {
    if (b.shape[i] === 1) continue;
    if (d >= 0 || b.shape[i] !== outShape[i]) return -1;
    d = i;
  }
  return d === outShape.length - 1 ? -1 : d;
}

/** The optional backend method: softmax (or log-softmax) along dim, or null to let the ops compose it. */
export type SoftmaxKernel = (x: Tensor, dim: number, log: boolean) => Tensor | null;

/** A Backend that sends large float work to `k` and everything else to `base`. */
/** The optional backend method: c += a * b in place, rounded once; false where it is not taken. */
export type AddMulKernel = (c: Tensor, a: Tensor, b: Tensor | number) => boolean;

/** The optional backend method: a @ b + bias on every row, or null to let the ops add it. */
export type MatmulBiasKernel = (a: Tensor, b: Tensor, bias: Tensor) => Tensor | null;

/** The optional backend method: linear's [bias, input, weight] gradients in one kernel, or null. */
export type LinearBackwardKernel = NonNullable<Backend["linearBackward"]>;

export function createNativeBackend(
  k: NativeKernels,
  base: Backend,
): Backend & { softmax: SoftmaxKernel; addMulInPlace: AddMulKernel; matmulBias: MatmulBiasKernel; linearBackward: LinearBackwardKernel } {
  const t = nativeThresholds;

  // Small problems go to the TypeScript kernels before any other test: they are most calls.
  function unary(x: Tensor, kern: UnaryKernel, outDtype: DType): Tensor {
    const n = x.numel();
    if (n < t.elementwise) return base.unary(x, kern, outDtype);
    const op = unaryOps[kern.name];
    if (op !== undefined && x.dtype === outDtype && isFloat(outDtype) && x.isContiguous()) {
      const out = allocUninit(outDtype, n) as FloatArray;
      k.unary(op, data(x), x.offset, out, 0, n);
      return Tensor.make(x.shape.slice(), outDtype, out, x.device);
    }
    return base.unary(x, kern, outDtype);
  }

  function binary(a: Tensor, b: Tensor | number, kern: BinaryKernel, outDtype: DType, outShape: number[]): Tensor {
    const n = numelOf(outShape);
    if (n < t.elementwise) return base.binary(a, b, kern, outDtype, outShape);
    const out = isFloat(outDtype) && a.dtype === outDtype && (typeof b === "number" || b.dtype === outDtype) ? nativeBinary(a, b, kern.name, outDtype, outShape, n) : null;
    return out ?? base.binary(a, b, kern, outDtype, outShape);
  }

  // n: the output's element count, at least the elementwise threshold.
  function nativeBinary(a: Tensor, b: Tensor | number, name: string, dtype: DType, outShape: number[], n: number): Tensor | null {
    const op = binaryOps[name];
    const back = backwardOps[name];
    if (op === undefined && back === undefined) return null;
    const aFull = shapeEquals(a.shape, outShape) && a.isContiguous();
    let out: FloatArray | null = null;
    if (typeof b === "number") {
      if (op === undefined || !aFull) return null;
      out = allocUninit(dtype, n) as FloatArray;
      k.binaryScalar(op, data(a), a.offset, b, out, 0, n);
    } else if (aFull && shapeEquals(b.shape, outShape) && b.isContiguous()) {
      out = allocUninit(dtype, n) as FloatArray;
      if (op !== undefined) k.binary(op, data(a), a.offset, data(b), b.offset, out, 0, n);
      else k.backward(back, data(a), a.offset, data(b), b.offset, out, 0, n);
    } else if (op === undefined) {
      return null;
    } else if (aFull && b.numel() === 1) {
      out = allocUninit(dtype, n) as FloatArray;
      k.binaryScalar(op, data(a), a.offset, data(b)[b.offset], out, 0, n);
    } else if (a.numel() === 1 && shapeEquals(b.shape, outShape) && b.isContiguous()) {
      out = allocUninit(dtype, n) as FloatArray;
      k.binaryScalar(swappedOps[name], data(b), b.offset, data(a)[a.offset], out, 0, n);
    } else if (aFull && isTrailingRow(b, outShape)) {
      const cols = b.numel();
      out = allocUninit(dtype, n) as FloatArray;
      k.binaryRow(op, data(a), a.offset, data(b), b.offset, out, 0, n / cols, cols);
    } else if (aFull && perChannelDim(b, outShape) >= 0) {
      // A convolution's bias over [N, C, H, W]: one scalar op per contiguous plane, exact IEEE
      // operations as in the TypeScript loop (the same bits), which ran it element by element.
      const d = perChannelDim(b, outShape);
      const c = outShape[d];
      const plane = numelOf(outShape.slice(d + 1));
      if (plane < 256) return null;
      out = allocUninit(dtype, n) as FloatArray;
      const A = data(a);
      const B = data(b);
      for (let r = 0, off = 0; off < n; r++, off += plane) k.binaryScalar(op, A, a.offset + off, B[b.offset + (r % c) * b.strides[d]], out, off, plane);
    } else {
      return null;
    }
    return Tensor.make(outShape, dtype, out, a.device);
  }

  // Float sums take PyTorch's order of additions (cpu/sum.ts); the addon runs its loops.
  const sumBlocks = k.cascadeSum as SumBlocksKernel;
  function reduce(x: Tensor, dims: number[], kind: ReduceKind, withIndices: boolean) {
    if (kind === "sum" && isFloat(x.dtype) && x.numel() >= t.sum) return { values: cascadeSum(x, dims, sumBlocks), indices: null };
    return base.reduce(x, dims, kind, withIndices);
  }

  function matmul(a: Tensor, b: Tensor): Tensor {
    // 2-D operands are one batch (batch strides 0); the result keeps their rank.
    const flat = a.shape.length === 2;
    const d = flat ? -1 : 0;
    const batch = flat ? 1 : a.shape[0];
    const m = a.shape[d + 1];
    const kk = a.shape[d + 2];
    const n = b.shape[d + 2];
    const as0 = flat ? 0 : a.strides[0];
    const bs0 = flat ? 0 : b.strides[0];
    if (
      a.dtype === b.dtype &&
      isFloat(a.dtype) &&
      batch * m * n * kk >= matmulMinMacs(a.dtype) &&
      as0 >= 0 && a.strides[d + 1] >= 0 && a.strides[d + 2] >= 0 &&
      bs0 >= 0 && b.strides[d + 1] >= 0 && b.strides[d + 2] >= 0
    ) {
      const out = allocOffHeap(a.dtype, batch * m * n) as FloatArray;
      k.gemmStrided(
        m, n, kk, 1,
        data(a), a.offset, a.strides[d + 1], a.strides[d + 2],
        data(b), b.offset, b.strides[d + 1], b.strides[d + 2],
        0, out, 0, n, 1,
        batch, as0, bs0, m * n,
      );
      return Tensor.make(flat ? [m, n] : [batch, m, n], a.dtype, out, a.device);
    }
    return base.matmul(a, b);
  }

  // x @ w^T + bias as Linear computes it: one gemm onto the bias, as PyTorch's addmm (no second
  // pass over the output, no second output array). Row-major-strided 2-D operands only.
  function matmulBias(a: Tensor, b: Tensor, bias: Tensor): Tensor | null {
    if (a.dim() !== 2 || b.dim() !== 2 || bias.dim() !== 1) return null;
    const [m, kk] = a.shape;
    const n = b.shape[1];
    if (!isFloat(a.dtype) || b.dtype !== a.dtype || bias.dtype !== a.dtype || bias.shape[0] !== n || b.shape[0] !== kk) return null;
    if (m * n * kk < matmulMinMacs(a.dtype) || bias.strides[0] !== 1) return null;
    // gemm takes each operand row-major, possibly transposed: unit stride along one dimension.
    const ta = !(a.strides[1] === 1 && a.strides[0] >= kk);
    const tb = !(b.strides[1] === 1 && b.strides[0] >= n);
    if (ta && !(a.strides[0] === 1 && a.strides[1] >= m)) return null;
    if (tb && !(b.strides[0] === 1 && b.strides[1] >= kk)) return null;
    const out = allocOffHeap(a.dtype, m * n) as FloatArray;
    k.gemm(ta, tb, m, n, kk, 1, data(a), a.offset, ta ? a.strides[1] : a.strides[0], data(b), b.offset, tb ? b.strides[1] : b.strides[0], 0, out, 0, n, data(bias), bias.offset);
    return Tensor.make([m, n], a.dtype, out, a.device);
  }

  // Linear's three gradients in one call (native/src/linear.cc) where they would otherwise be two
  // addon products and a sum: the products only where matmul would send them to the addon (the
  // same kernel, so the same bits), the bias's sum only for a row-major gy of 2+ rows (the layout
  // the addon's sum assumes; cpu/sum.ts gives the same bits as the addon's for it).
  const linearBackwardKernel = k.linearBackward;
  function linearBackward(gy: Tensor, x: Tensor, w: Tensor, wantBias: boolean, wantX: boolean, wantW: boolean): [Tensor | null, Tensor | null, Tensor | null] | null {
    if (linearBackwardKernel === undefined || (wantBias ? 1 : 0) + (wantX ? 1 : 0) + (wantW ? 1 : 0) < 2) return null;
    if (gy.dim() !== 2 || x.dim() !== 2 || w.dim() !== 2) return null;
    const dt = gy.dtype;
    if (!isFloat(dt) || x.dtype !== dt || w.dtype !== dt) return null;
    const [m, n] = gy.shape;
    const kk = x.shape[1];
    if (x.shape[0] !== m || w.shape[0] !== n || w.shape[1] !== kk) return null;
    if ((wantX || wantW) && m * n * kk < matmulMinMacs(dt)) return null;
    if (wantBias && !(m >= 2 && gy.isContiguous())) return null;
    if (gy.strides[0] < 0 || gy.strides[1] < 0 || x.strides[0] < 0 || x.strides[1] < 0 || w.strides[0] < 0 || w.strides[1] < 0) return null;
    const dX = wantX ? (allocOffHeap(dt, m * kk) as FloatArray) : null;
    const dW = wantW ? (allocOffHeap(dt, n * kk) as FloatArray) : null;
    const dB = wantBias ? (allocOffHeap(dt, n) as FloatArray) : null;
    linearBackwardKernel(
      data(gy), gy.offset, gy.strides[0], gy.strides[1],
      data(x), x.offset, x.strides[0], x.strides[1],
      data(w), w.offset, w.strides[0], w.strides[1],
      m, n, kk, dX, dW, dB,
    );
    return [
      dB && Tensor.make([n], dt, dB, gy.device),
      dX && Tensor.make([m, kk], dt, dX, gy.device),
      dW && Tensor.make([n, kk], dt, dW, gy.device),
    ];
  }

  function softmax(x: Tensor, dim: number, log: boolean): Tensor | null {
    const n = x.numel();
    if (!isFloat(x.dtype) || n < t.softmax || dim !== x.dim() - 1 || !x.isContiguous()) return null;
    const cols = x.shape[dim];
    const out = allocUninit(x.dtype, n) as FloatArray;
    k.softmax(data(x), x.offset, out, 0, n / cols, cols, log);
    return Tensor.make(x.shape.slice(), x.dtype, out, x.device);
  }

  function addMulInPlace(c: Tensor, a: Tensor, b: Tensor | number): boolean {
    const n = c.numel();
    if (n < t.addMul) return base.addMulInPlace?.(c, a, b) ?? false;
    if (!canAddMulInPlace(c, a, b)) return false;
    if (typeof b === "number") {
      k.addScaledInPlace(data(c), c.offset, data(a), a.offset, b, n);
      return true;
    }
    k.addProductInPlace(data(c), c.offset, data(a), a.offset, data(b), b.offset, n);
    return true;
  }

  // The convolutions' gather and scatter (cpu/im2col.ts computes the same values).
  const g2 = (g: ConvGeometry) => [g.kernelH, g.kernelW, g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW, g.outH, g.outW] as const;
  function im2col(x: Tensor, g: ConvGeometry): Tensor {
    const [n, c, h, w] = x.shape;
    const rows = c * g.kernelH * g.kernelW;
    const size = rows * n * g.outH * g.outW;
    if (k.im2col === undefined || !isFloat(x.dtype) || size < t.elementwise || x.strides.some((s) => s < 0)) return base.im2col(x, g);
    const out = allocUninit(x.dtype, size) as FloatArray;
    k.im2col(data(x), x.offset, x.strides[0], x.strides[1], x.strides[2], x.strides[3], n, c, h, w, ...g2(g), out, 0);
    return Tensor.make([rows, n, g.outH * g.outW], x.dtype, out, x.device);
  }
  function col2im(cols: Tensor, g: ConvGeometry): Tensor {
    const n = cols.shape[1];
    const size = n * g.channels * g.height * g.width;
    if (k.col2im === undefined || !isFloat(cols.dtype) || cols.numel() < t.elementwise || cols.strides.some((s) => s < 0)) return base.col2im(cols, g);
    const out = allocUninit(cols.dtype, size) as FloatArray;
    k.col2im(data(cols), cols.offset, cols.strides[0], cols.strides[1], cols.strides[2], n, g.channels, g.height, g.width, ...g2(g), out, 0);
    return Tensor.make([n, g.channels, g.height, g.width], cols.dtype, out, cols.device);
  }

  return {
    name: "cpu (native C++ kernels, TypeScript for small problems)",
    unary,
    binary,
    assign: base.assign,
    copy: base.copy,
    reduce,
    matmul,
    gather: base.gather,
    scatter: base.scatter,
    indexSelect: base.indexSelect,
    indexAdd: base.indexAdd,
    im2col,
    col2im,
    maxPool2d: maxPoolKernels(k, base, t.elementwise),
    softmax,
    addMulInPlace,
    matmulBias,
    linearBackward,
    ...recurrentKernels(k, base),
    ...attentionKernels(k, base, t.attentionMacs),
    batchNorm: batchNormKernels(k),
  };
}

/**
 * Max pooling (native/src/pooling.cc): the TypeScript loops' values and indices (only comparisons,
 * so the same bits), planes split over the threads, no indices unless asked for. Small outputs
 * stay in TypeScript, where a call into the addon would cost more than the loop.
 */
function maxPoolKernels(k: NativeKernels, base: Backend, minOut: number): MaxPool2dKernels {
  const { maxPool2d, maxPool2dBackward } = k;
  if (!maxPool2d || !maxPool2dBackward) return base.maxPool2d;
  return {
    forward(x, g, withIndices) {
      const inPlane = g.height * g.width;
      const outPlane = g.outH * g.outW;
      const planes = inPlane === 0 ? 0 : x.numel() / inPlane;
      if (!isFloat(x.dtype) || planes * outPlane < minOut || inPlane >= 2 ** 31) return base.maxPool2d.forward(x, g, withIndices);
      const xc = x.isContiguous() ? x : x.detach().contiguous();
      const y = allocUninit(x.dtype, planes * outPlane) as FloatArray;
      const idx = withIndices ? (allocUninit(int64, planes * outPlane) as Float64Array) : null;
      maxPool2d(data(xc), xc.offset, planes, g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW, g.outH, g.outW, y, idx);
      const shape = [...x.shape.slice(0, -2), g.outH, g.outW];
      return { values: Tensor.make(shape, x.dtype, y, x.device), indices: idx === null ? null : Tensor.make(shape.slice(), int64, idx, x.device) };
    },
    backward(gy, indices, inputShape) {
      const nd = inputShape.length;
      const inPlane = inputShape[nd - 2] * inputShape[nd - 1];
      const outPlane = gy.shape[nd - 2] * gy.shape[nd - 1];
      const planes = outPlane === 0 ? 0 : gy.numel() / outPlane;
      if (!isFloat(gy.dtype) || planes * outPlane < minOut || !indices.isContiguous()) return base.maxPool2d.backward(gy, indices, inputShape);
      const gc = gy.isContiguous() ? gy : gy.detach().contiguous();
      const gx = allocUninit(gy.dtype, planes * inPlane) as FloatArray;
      maxPool2dBackward(data(gc), gc.offset, indices.storage.data as Float64Array, indices.offset, planes, inPlane, outPlane, gx);
      return Tensor.make(inputShape.slice(), gy.dtype, gx, gy.device);
    },
  };
}

/**
 * Batch norm's loops (native/src/batchnorm.cc): the same bits as src/ops/normalization.ts's own,
 * for every size (the fixture tests' small inputs run them too), channels split over the threads.
 */
function batchNormKernels(k: NativeKernels): BatchNormKernels | undefined {
  const { batchNormStats, batchNormApply, batchNormBackwardReduce, batchNormBackwardApply } = k;
  if (!batchNormStats || !batchNormApply || !batchNormBackwardReduce || !batchNormBackwardApply) return undefined;
  // [n, c, s] of a contiguous float tensor with more than one element per plane, or null.
  const planes = (x: Tensor): [number, number, number] | null => {
    if (!isFloat(x.dtype) || !x.isContiguous() || x.dim() < 3) return null;
    const n = x.shape[0];
    const c = x.shape[1];
    const s = n * c === 0 ? 0 : x.numel() / (n * c);
    return s > 1 ? [n, c, s] : null;
  };
  const like = (x: Tensor): Tensor => Tensor.make(x.shape.slice(), x.dtype, allocUninit(x.dtype, x.numel()) as FloatArray, x.device);
  const sameAs = (a: Tensor, b: Tensor) => b.dtype === a.dtype && b.isContiguous() && shapeEquals(a.shape, b.shape);
  return {
    stats(x) {
      const p = planes(x);
      if (!p) return null;
      const mean = new Float64Array(p[1]);
      const varSum = new Float64Array(p[1]);
      batchNormStats(data(x), x.offset, ...p, mean, varSum);
      return { mean, varSum };
    },
    apply(x, alpha, beta) {
      const p = planes(x);
      if (!p) return null;
      const y = like(x);
      batchNormApply(data(x), x.offset, data(y), ...p, alpha, beta);
      return y;
    },
    backwardReduce(x, dy, mean) {
      const p = planes(x);
      if (!p || !sameAs(x, dy)) return null;
      const sum = new Float64Array(p[1]);
      const dotp = new Float64Array(p[1]);
      batchNormBackwardReduce(data(x), x.offset, data(dy), dy.offset, ...p, mean, sum, dotp);
      return { sum, dotp };
    },
    backwardApply(x, dy, mean, kk, gradMean, invstd, w) {
      const p = planes(x);
      if (!p || !sameAs(x, dy)) return null;
      const dx = like(x);
      batchNormBackwardApply(data(x), x.offset, data(dy), dy.offset, data(dx), ...p, mean, kk, gradMean, invstd, w);
      return dx;
    },
  };
}

/** A contiguous float tensor of `dtype`, or false. */
function floatOf(t: Tensor | null, dtype: DType): boolean {
  return t === null || (t.dtype === dtype && isFloat(dtype) && t.isContiguous());
}

/**
 * The recurrent cells' fused kernels (native/src/recurrent.cc), or the base backend's where the
 * addon predates them or the tensors are not contiguous float tensors of one dtype.
 */
function recurrentKernels(k: NativeKernels, base: Backend): Pick<Backend, "fusedLstmCell" | "fusedLstmCellBackward" | "fusedGruCell" | "fusedGruCellBackward"> {
  const lstm = k.fusedLstmCell;
  const lstmBack = k.fusedLstmCellBackward;
  const gru = k.fusedGruCell;
  const gruBack = k.fusedGruCellBackward;
  if (!lstm || !lstmBack || !gru || !gruBack) {
    return { fusedLstmCell: base.fusedLstmCell, fusedLstmCellBackward: base.fusedLstmCellBackward, fusedGruCell: base.fusedGruCell, fusedGruCellBackward: base.fusedGruCellBackward };
  }
  const make = (like: Tensor, shape: number[]): Tensor => Tensor.make(shape, like.dtype, allocUninit(like.dtype, shape[0] * shape[1]) as FloatArray, like.device);
  return {
    fusedLstmCell(ig, hg, cx) {
      const dt = cx.dtype;
      if (!floatOf(ig, dt) || !floatOf(hg, dt) || !floatOf(cx, dt)) return base.fusedLstmCell?.(ig, hg, cx) ?? null;
      const [B, H] = cx.shape;
      const hy = make(cx, [B, H]);
      const cy = make(cx, [B, H]);
      const workspace = make(cx, [B, 4 * H]);
      lstm(data(ig), ig.offset, data(hg), hg.offset, data(cx), cx.offset, data(hy), data(cy), data(workspace), B, H);
      return { hy, cy, workspace };
    },
    fusedLstmCellBackward(dhy, dcy, cx, cy, workspace) {
      const dt = cx.dtype;
      if (!floatOf(dhy, dt) || !floatOf(dcy, dt) || !floatOf(cx, dt) || !floatOf(cy, dt) || !floatOf(workspace, dt)) {
        return base.fusedLstmCellBackward?.(dhy, dcy, cx, cy, workspace) ?? null;
      }
      const [B, H] = cx.shape;
      const dgates = make(cx, [B, 4 * H]);
      const dcx = make(cx, [B, H]);
      lstmBack(dhy ? data(dhy) : null, dhy?.offset ?? 0, dcy ? data(dcy) : null, dcy?.offset ?? 0, data(cx), cx.offset, data(cy), cy.offset, data(workspace), workspace.offset, data(dgates), data(dcx), B, H);
      return { dgates, dcx };
    },
    fusedGruCell(ig, hg, hx) {
      const dt = hx.dtype;
      if (!floatOf(ig, dt) || !floatOf(hg, dt) || !floatOf(hx, dt)) return base.fusedGruCell?.(ig, hg, hx) ?? null;
      const [B, H] = hx.shape;
      const hy = make(hx, [B, H]);
      const workspace = make(hx, [B, 5 * H]);
      gru(data(ig), ig.offset, data(hg), hg.offset, data(hx), hx.offset, data(hy), data(workspace), B, H);
      return { hy, workspace };
    },
    fusedGruCellBackward(dhy, workspace) {
      const dt = dhy.dtype;
      if (!floatOf(dhy, dt) || !floatOf(workspace, dt)) return base.fusedGruCellBackward?.(dhy, workspace) ?? null;
      const [B, H] = dhy.shape;
      const dig = make(dhy, [B, 3 * H]);
      const dhg = make(dhy, [B, 3 * H]);
      const dhx = make(dhy, [B, H]);
      gruBack(data(dhy), dhy.offset, data(workspace), workspace.offset, data(dig), data(dhg), data(dhx), B, H);
      return { dig, dhg, dhx };
    },
  };
}

/** The mask's arguments to the addon: data, offset and its three strides over [N, L, S]. */
function maskArgs(mask: Tensor | null): [FloatArray | null, number, number, number, number] {
  if (mask === null) return [null, 0, 0, 0, 0];
  const [sN, sL, sS] = mask.strides;
  return [data(mask), mask.offset, sN, sL, sS];
}

/**
 * Fused attention (native/src/attention.cc), or the base backend's for small problems (whose
 * numbers then stay the TypeScript kernel's), tensors it does not take, or an addon without it.
 */
function attentionKernels(k: NativeKernels, base: Backend, minMacs: number): Pick<Backend, "attention" | "attentionBackward"> {
  const fwd = k.attention;
  const bwd = k.attentionBackward;
  if (!fwd || !bwd) return { attention: base.attention, attentionBackward: base.attentionBackward };
  const takes = (ts: Tensor[], opts: AttentionOptions): boolean => {
    const [N, L, E] = ts[0].shape;
    const [, S, Ev] = ts[2].shape;
    if (N * L * S * (E + Ev) < minMacs) return false;
    if (opts.mask && opts.mask.dtype !== ts[0].dtype) return false;
    for (const x of ts) if (!floatOf(x, ts[0].dtype)) return false;
    return true;
  };
  return {
    attention(q, kk, v, opts) {
      if (!takes([q, kk, v], opts)) return base.attention?.(q, kk, v, opts) ?? null;
      const [N, L, E] = q.shape;
      const [, S, Ev] = v.shape;
      const out = Tensor.make([N, L, Ev], q.dtype, allocUninit(q.dtype, N * L * Ev), q.device);
      const lse = Tensor.make([N, L], q.dtype, allocUninit(q.dtype, N * L), q.device);
      fwd(data(q), q.offset, data(kk), kk.offset, data(v), v.offset, ...maskArgs(opts.mask), data(out), data(lse), N, L, S, E, Ev, opts.isCausal, opts.scale);
      return { out, logsumexp: lse };
    },
    attentionBackward(dout, q, kk, v, out, lse, opts) {
      if (!takes([q, kk, v, dout, out, lse], opts)) return base.attentionBackward?.(dout, q, kk, v, out, lse, opts) ?? null;
      const [N, L, E] = q.shape;
      const [, S, Ev] = v.shape;
      const dq = Tensor.make([N, L, E], q.dtype, allocUninit(q.dtype, N * L * E), q.device);
      const dk = Tensor.make([N, S, E], q.dtype, allocUninit(q.dtype, N * S * E), q.device);
      const dv = Tensor.make([N, S, Ev], q.dtype, allocUninit(q.dtype, N * S * Ev), q.device);
      bwd(
        data(dout), dout.offset, data(q), q.offset, data(kk), kk.offset, data(v), v.offset, data(out), out.offset, data(lse), lse.offset,
        ...maskArgs(opts.mask), data(dq), data(dk), data(dv), N, L, S, E, Ev, opts.isCausal, opts.scale,
      );
      return { dq, dk, dv };
    },
  };
}
