// Matrix products with PyTorch's matmul rules (1-D, 2-D, batched with broadcasting) and linear.
import type { BinaryKernel } from "../backend/backend.js";
import { float32, float64 } from "../tensor/dtype.js";
import { broadcastShapes, contiguousStrides, formatShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { anyNeedsGrad, isGradEnabled, needsGrad, record, withGradMode } from "./node.js";
import { backendOf, castTo, checkDevices, promote } from "./util.js";
import { rawView } from "./view.js";
import { tracer } from "./trace.js";

// PyTorch's scalar type names, as its dtype-mismatch messages say them.
const SCALAR_TYPE: Record<string, string> = { float32: "Float", float64: "Double", int32: "Int", int64: "Long", uint8: "Byte", bool: "Bool" };

function checkDtypes(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) {
    throw new TypeError(
      `${op}: expected scalar type ${SCALAR_TYPE[a.dtype.name]} but found ${SCALAR_TYPE[b.dtype.name]} (both operands must have the same dtype, got ${a.dtype} and ${b.dtype})`,
    );
  }
  checkDevices(op, a, b);
}

function shapesOf(a: Tensor, b: Tensor): string {
  return `(shapes ${formatShape(a.shape)} and ${formatShape(b.shape)})`;
}

/** Raw product of [.., M, K] @ [.., K, N] with equal batch shapes, no history. */
function product(a: Tensor, b: Tensor): Tensor {
  const nd = a.shape.length;
  const m = a.shape[nd - 2];
  const k = a.shape[nd - 1];
  const n = b.shape[b.shape.length - 1];
  let batch = 1;
  for (let d = 0; d < nd - 2; d++) batch *= a.shape[d];
  const dt = a.dtype;
  // Two matrices of a float dtype (a linear layer's products): straight to the kernel, no views.
  if (nd === 2 && b.shape.length === 2 && dt.isFloatingPoint && b.dtype === dt) return backendOf(a).matmul(a, b);
  const compute = dt.isFloatingPoint ? dt : promote(a, 0.5);
  const out = backendOf(a).matmul(castTo(to3d(a, batch, m, k), compute), castTo(to3d(b, batch, k, n), compute));
  const shape = a.shape.slice(0, nd - 2);
  shape.push(m, n);
  const res = new Tensor(out.storage, shape, contiguousStrides(shape), 0, compute);
  return compute === dt ? res : castTo(res, dt);
}

// Reads a tensor of shape [...batch, r, c] as [batch, r, c] without copying when the batch dims collapse.
function to3d(x: Tensor, batch: number, r: number, c: number): Tensor {
  const nd = x.dim();
  if (nd === 2) return rawView(x, [1, r, c], [0, x.strides[0], x.strides[1]], x.offset);
  let ok = true;
  for (let d = 0; d < nd - 3; d++) if (x.strides[d] !== x.strides[d + 1] * x.shape[d + 1]) ok = false;
  if (ok) return rawView(x, [batch, r, c], [nd > 2 ? x.strides[nd - 3] : 0, x.strides[nd - 2], x.strides[nd - 1]], x.offset);
  const cc = x.contiguous().detach();
  return rawView(cc, [batch, r, c], [r * c, c, 1], cc.offset);
}

export function mm(a: Tensor, b: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("mm", mm, [a, b]);
  return mmAs("mm", a, b);
}

/** mm, with errors that name the op the user called (mm, matmul). */
function mmAs(op: string, a: Tensor, b: Tensor): Tensor {
  if (a.dim() !== 2) throw new RangeError(`${op}: self must be a matrix (got ${a.dim()}-D, shape ${formatShape(a.shape)})`);
  if (b.dim() !== 2) throw new RangeError(`${op}: mat2 must be a matrix (got ${b.dim()}-D, shape ${formatShape(b.shape)})`);
  checkDtypes(op, a, b);
  if (a.shape[1] !== b.shape[0]) {
    throw new RangeError(`${op}: mat1 and mat2 shapes cannot be multiplied (${a.shape[0]}x${a.shape[1]} and ${b.shape[0]}x${b.shape[1]}) ${shapesOf(a, b)}`);
  }
  const out = product(a, b);
  if (needsGrad(a, b)) {
    record("MmBackward0", [a, b], out, (gy) => [a.requiresGrad ? gy.mm(b.t()) : null, b.requiresGrad ? a.t().mm(gy) : null], [a, b]);
  }
  return out;
}

export function bmm(a: Tensor, b: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("bmm", bmm, [a, b]);
  return bmmAs("bmm", a, b);
}

function bmmAs(op: string, a: Tensor, b: Tensor): Tensor {
  if (a.dim() !== 3) throw new RangeError(`${op}: batch1 must be a 3D tensor ${shapesOf(a, b)}`);
  if (b.dim() !== 3) throw new RangeError(`${op}: batch2 must be a 3D tensor ${shapesOf(a, b)}`);
  checkDtypes(op, a, b);
  if (a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
    throw new RangeError(
      `${op}: Expected size for first two dimensions of batch2 tensor to be: [${a.shape[0]}, ${a.shape[2]}] but got: [${b.shape[0]}, ${b.shape[1]}]. ${shapesOf(a, b)}`,
    );
  }
  const out = product(a, b);
  if (needsGrad(a, b)) {
    record("BmmBackward0", [a, b], out, (gy) => [
      a.requiresGrad ? gy.bmm(b.transpose(1, 2)) : null,
      b.requiresGrad ? a.transpose(1, 2).bmm(gy) : null,
    ], [a, b]);
  }
  return out;
}

export function dot(a: Tensor, b: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("dot", dot, [a, b]);
  return dotAs("dot", a, b);
}

function dotAs(op: string, a: Tensor, b: Tensor): Tensor {
  if (a.dim() !== 1 || b.dim() !== 1) {
    throw new RangeError(`${op}: 1D tensors expected, but got ${a.dim()}D and ${b.dim()}D tensors ${shapesOf(a, b)}`);
  }
  checkDtypes(op, a, b);
  if (a.shape[0] !== b.shape[0]) {
    throw new RangeError(`${op}: inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`);
  }
  const out = product(rawView(a, [1, a.shape[0]], [0, a.strides[0]], a.offset), rawView(b, [b.shape[0], 1], [b.strides[0], 0], b.offset));
  const y = new Tensor(out.storage, [], [], 0, out.dtype);
  if (needsGrad(a, b)) record("DotBackward0", [a, b], y, (gy) => [a.requiresGrad ? b.mul(gy) : null, b.requiresGrad ? a.mul(gy) : null], [a, b]);
  return y;
}

export function mv(a: Tensor, v: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("mv", mv, [a, v]);
  return mvAs("mv", a, v);
}

function mvAs(op: string, a: Tensor, v: Tensor): Tensor {
  if (a.dim() !== 2 || v.dim() !== 1) throw new RangeError(`${op}: expected a matrix and a vector, got ${formatShape(a.shape)} and ${formatShape(v.shape)}`);
  checkDtypes(op, a, v);
  if (a.shape[1] !== v.shape[0]) {
    throw new RangeError(`${op}: size mismatch, got input (${a.shape[0]}x${a.shape[1]}), vec (${v.shape[0]}) ${shapesOf(a, v)}`);
  }
  const out = product(a, rawView(v, [v.shape[0], 1], [v.strides[0], 0], v.offset));
  const y = new Tensor(out.storage, [a.shape[0]], [1], 0, out.dtype);
  if (needsGrad(a, v)) {
    record("MvBackward0", [a, v], y, (gy) => [a.requiresGrad ? gy.unsqueeze(1).mul(v) : null, v.requiresGrad ? a.t().mv(gy) : null], [a, v]);
  }
  return y;
}

export function outer(a: Tensor, b: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("outer", outer, [a, b]);
  if (a.dim() !== 1 || b.dim() !== 1) throw new RangeError(`outer: expected 1-D tensors, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  return a.unsqueeze(1).mul(b);
}

/**
 * torch.matmul, structured as PyTorch 1.13's: dot, mv, mm; a batch folded into one mm/mv where
 * one side is a matrix or vector; otherwise a broadcast bmm. The structure decides the grad_fn
 * names PyTorch shows (SqueezeBackward3, UnsafeViewBackward0, CloneBackward0, ...).
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("matmul", matmul, [a, b]);
  const da = a.dim();
  const db = b.dim();
  if (da === 0 || db === 0) {
    throw new RangeError(`both arguments to matmul need to be at least 1D, but they are ${da}D and ${db}D ${shapesOf(a, b)}`);
  }
  if (da === 1 && db === 1) return dotAs("matmul", a, b);
  if (da === 2 && db === 1) return mvAs("matmul", a, b);
  if (da === 1 && db === 2) return squeezeInplaceNode(mmAs("matmul", a.unsqueeze(0), b));
  if (da === 2 && db === 2) return mmAs("matmul", a, b);
  if (shouldFold(a, db) || shouldFold(b, da)) {
    // Fold the batch of the larger operand into the rows of one mm (or mv).
    const transpose = db > da;
    const t1 = transpose ? b.transpose(-2, -1) : a;
    const t2 = !transpose ? b : da === 2 ? a.t() : a;
    const sizes1 = t1.shape;
    const outShape = sizes1.slice(0, -1);
    const folded = outShape.reduce((x, y) => x * y, 1);
    const t1Folded = t1.reshape([folded, sizes1[sizes1.length - 1]]);
    if (t2.dim() === 2) {
      outShape.push(t2.shape[1]);
      const out = unsafeView(mmAs("matmul", t1Folded, t2), outShape);
      return transpose ? out.transpose(-2, -1).contiguous() : out;
    }
    return unsafeView(mvAs("matmul", t1Folded, t2), outShape);
  }
  const n = da > 1 ? a.shape[da - 2] : 1;
  const m1 = a.shape[da - 1];
  const m2 = db > 1 ? b.shape[db - 2] : b.shape[0];
  const p = db > 1 ? b.shape[db - 1] : 1;
  if (m1 !== m2) {
    throw new RangeError(`matmul: shapes cannot be multiplied (${formatShape(a.shape)} and ${formatShape(b.shape)}): ${m1} != ${m2}`);
  }
  const batch = broadcastShapes(a.shape.slice(0, Math.max(da - 2, 0)), b.shape.slice(0, Math.max(db - 2, 0)), "matmul");
  const bsz = batch.reduce((x, y) => x * y, 1);
  const a3 = a.expand([...batch, n, m1]).reshape([bsz, n, m1]);
  const b3 = b.expand([...batch, m2, p]).reshape([bsz, m2, p]);
  const outShape = batch.slice();
  if (da > 1) outShape.push(n);
  if (db > 1) outShape.push(p);
  return unsafeView(bmmAs("matmul", a3, b3), outShape);
}

/** PyTorch 1.13's should_fold: a >= 3-D operand against a vector or matrix, unless a permuted 3-D batch would need a copy. */
function shouldFold(t: Tensor, otherDim: number): boolean {
  if (t.dim() < 3 || (otherDim !== 1 && otherDim !== 2)) return false;
  return !(t.dim() === 3 && otherDim === 2 && t.strides[2] !== 1 && t.strides[0] === t.shape[1] * t.shape[2]);
}

/** at::_unsafe_view of a fresh contiguous result. */
function unsafeView(x: Tensor, shape: number[]): Tensor {
  const out = rawView(x, shape, contiguousStrides(shape), x.offset);
  if (needsGrad(x)) record("UnsafeViewBackward0", [x], out, (gy) => [gy.reshape(x.shape)]);
  return out;
}

/** The squeeze_(0) matmul applies to its 1 x n product (PyTorch's SqueezeBackward3). */
function squeezeInplaceNode(x: Tensor): Tensor {
  const out = rawView(x, x.shape.slice(1), x.strides.slice(1), x.offset);
  if (needsGrad(x)) record("SqueezeBackward3", [x], out, (gy) => [gy.unsqueeze(0)]);
  return out;
}

/** y = x @ weight^T + bias, recorded as one node (AddmmBackward0) for 2-D input as PyTorch does. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("linear", linear, [x, weight, bias]);
  if (x.dim() === 0) throw new RangeError("linear: input must have at least 1 dimension");
  const inF = weight.shape[weight.dim() - 1];
  if (x.shape[x.dim() - 1] !== inF) {
    const rows = x.shape.slice(0, -1).reduce((p, q) => p * q, 1);
    throw new RangeError(`mat1 and mat2 shapes cannot be multiplied (${rows}x${x.shape[x.dim() - 1]} and ${weight.shape[1]}x${weight.shape[0]})`);
  }
  checkDtypes("linear", x, weight);
  if (bias) checkDtypes("linear", x, bias);
  if (x.dim() !== 2) {
    const lead = x.shape.slice(0, -1);
    const flat = x.reshape([-1, inF]);
    return linear(flat, weight, bias).reshape([...lead, weight.shape[0]]);
  }
  const wt = transposed(weight);
  // A backend may add the bias inside the product (addmm's order: the product sums onto it).
  let out = bias ? (backendOf(x).matmulBias?.(x, wt, bias) ?? null) : null;
  if (!out) {
    out = product(x, wt);
    if (bias) out = addBiasRows(out, bias);
  }
  if (needsGrad(x, weight, bias ?? null)) {
    if (bias) record("AddmmBackward0", [bias, x, weight], out, (gy) => linearBackward(gy, x, weight, bias), [x, weight]);
    else record("MmBackward0", [x, weight], out, (gy) => linearBackward(gy, x, weight, null).slice(1), [x, weight]);
  }
  return out;
}

const ADD: BinaryKernel = { name: "add", fn: (p, q) => p + q };
/** Up to this many elements, addBiasRows adds in place (a layer of a small network). */
const BIAS_IN_PLACE_MAX = 4096;

/**
 * product + bias on every row, for the product linear() has just made. That product is fresh and
 * seen by nobody yet, so a small float one on the CPU takes the bias in place: no second array
 * and tensor per layer per call. Each element is the same IEEE addition, rounded once to the
 * dtype, as the elementwise add every other case (other devices, large or unusual shapes) runs.
 */
function addBiasRows(out: Tensor, bias: Tensor): Tensor {
  const dt = out.dtype;
  const rows = out.shape[0];
  const cols = out.shape[1];
  if (
    out.device !== "cpu" || (dt !== float32 && dt !== float64) || bias.dtype !== dt || out.numel() > BIAS_IN_PLACE_MAX ||
    bias.dim() !== 1 || bias.shape[0] !== cols || !out.isContiguous()
  ) {
    return backendOf(out).binary(out, bias, ADD, out.dtype, out.shape.slice());
  }
  const o = out.storage.data;
  const b = bias.storage.data;
  const bOff = bias.offset;
  const bStride = bias.strides[0];
  for (let r = 0, at = out.offset; r < rows; r++, at += cols) {
    for (let j = 0; j < cols; j++) o[at + j] = o[at + j] + b[bOff + j * bStride];
  }
  return out;
}

/** The matrix transposed, as a view without history. */
function transposed(m: Tensor): Tensor {
  return rawView(m, [m.shape[1], m.shape[0]], [m.strides[1], m.strides[0]], m.offset);
}

/**
 * Gradients of x @ weight^T + bias: [bias, x, weight]. A plain backward (grad mode off) calls the
 * matrix kernel directly, as PyTorch's AddmmBackward0 calls mm; under createGraph the same
 * formulas are built from differentiable ops.
 */
function linearBackward(gy: Tensor, x: Tensor, weight: Tensor, bias: Tensor | null): Array<Tensor | null> {
  if (isGradEnabled()) {
    return [bias?.requiresGrad ? gy.sum(0) : null, x.requiresGrad ? gy.mm(weight) : null, weight.requiresGrad ? gy.t().mm(x) : null];
  }
  const wantBias = bias?.requiresGrad ?? false;
  // A backend may compute all three in one kernel, with the same bits as the calls below.
  const fused = backendOf(gy).linearBackward?.(gy, x, weight, wantBias, x.requiresGrad, weight.requiresGrad);
  if (fused) return fused;
  let gb: Tensor | null = null;
  if (wantBias) {
    const rows = backendOf(gy).reduce(gy, ROWS, "sum", false).values;
    gb = new Tensor(rows.storage, [gy.shape[1]], [1], 0, rows.dtype);
  }
  return [gb, x.requiresGrad ? product(gy, weight) : null, weight.requiresGrad ? product(transposed(gy), x) : null];
}
const ROWS = [0];

function scaled(t: Tensor, k: number): Tensor {
  return k === 1 ? t : t.mul(k);
}

/** torch.addmm: beta * input + alpha * (mat1 @ mat2), one AddmmBackward0 node as in PyTorch. */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("addmm", addmm, [input, mat1, mat2, opts]);
  const beta = opts?.beta ?? 1;
  const alpha = opts?.alpha ?? 1;
  const out = withGradMode(false, () => {
    const prod = mmAs("addmm", mat1, mat2);
    const shape = broadcastShapes(input.shape, prod.shape, "addmm");
    if (shape.length !== 2 || shape[0] !== prod.shape[0] || shape[1] !== prod.shape[1]) {
      throw new RangeError(`addmm: the input of shape ${formatShape(input.shape)} cannot be broadcast to the product's ${formatShape(prod.shape)}`);
    }
    return (beta === 1 ? input : input.mul(beta)).add(alpha === 1 ? prod : prod.mul(alpha));
  });
  if (anyNeedsGrad([input, mat1, mat2])) {
    record("AddmmBackward0", [input, mat1, mat2], out, (gy) => [
      input.requiresGrad ? (beta === 1 ? gy : gy.mul(beta)) : null,
      mat1.requiresGrad ? scaled(gy.mm(mat2.t()), alpha) : null,
      mat2.requiresGrad ? scaled(mat1.t().mm(gy), alpha) : null,
    ], [mat1, mat2]);
  }
  return out;
}
