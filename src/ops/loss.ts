// Loss functions with PyTorch's reductions, target checks and graph nodes. The losses PyTorch
// implements as one native op (binary_cross_entropy, mse_loss, huber_loss, nll_loss, ...) are one
// node here too, reduction included, so the result's grad_fn prints the same name; their element
// arithmetic is rounded as PyTorch's kernels round it (float32 step by step).
import { allocArray } from "../tensor/alloc.js";
import { type DType, float32 } from "../tensor/dtype.js";
import { formatShape, shapeEquals } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { logsigmoid } from "./activation.js";
import { anyNeedsGrad, isGradEnabled, record } from "./node.js";
import { mean } from "./reduction.js";
import { checkIndexTensor } from "./util.js";

export type Reduction = "mean" | "sum" | "none";

export function reduce(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === "mean") return mean(loss);
  if (reduction === "sum") return loss.sum();
  if (reduction === "none") return loss;
  throw new RangeError(`${String(reduction)} is not a valid value for reduction`);
}

function checkReduction(reduction: string): Reduction {
  if (reduction !== "mean" && reduction !== "sum" && reduction !== "none") throw new RangeError(`${reduction} is not a valid value for reduction`);
  return reduction;
}

const size = (shape: readonly number[]) => `torch.Size(${formatShape(shape)})`;

function checkSameShape(input: Tensor, target: Tensor): void {
  if (!shapeEquals(input.shape, target.shape)) {
    throw new RangeError(
      `Using a target size (${size(target.shape)}) that is different to the input size (${size(input.shape)}) is deprecated. Please ensure they have the same size.`,
    );
  }
}

const warned = new Set<string>();
/** mse/l1/huber/smooth_l1 broadcast a differently shaped target, with PyTorch's warning (printed once). */
function broadcastPair(op: string, input: Tensor, target: Tensor): [Tensor, Tensor] {
  if (shapeEquals(input.shape, target.shape)) return [input, target];
  const msg =
    `UserWarning: Using a target size (${size(target.shape)}) that is different to the input size (${size(input.shape)}). ` +
    "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.";
  if (!warned.has(msg)) {
    warned.add(msg);
    globalThis.console?.warn?.(`${op}: ${msg}`);
  }
  const shape = input.add(target).shape;
  return [input.expand(shape), target.expand(shape)];
}

function checkSameDtype(op: string, input: Tensor, target: Tensor): void {
  if (input.dtype !== target.dtype) {
    throw new TypeError(`${op}: Found dtype ${dtypeWord(target.dtype)} but expected ${dtypeWord(input.dtype)}`);
  }
}
function dtypeWord(d: DType): string {
  return ({ float32: "Float", float64: "Double", int32: "Int", int64: "Long", uint8: "Byte", bool: "Bool" } as Record<string, string>)[d.name] ?? d.name;
}

/** Rounds to the dtype's precision, as each step of a float32 kernel does. */
function rounder(dtype: DType): (v: number) => number {
  return dtype === float32 ? Math.fround : identity;
}
function identity(v: number): number {
  return v;
}

/** A tensor's values in row-major order (its own memory when it is contiguous). */
function floatValues(t: Tensor): ArrayLike<number> {
  return t.values() as ArrayLike<number>;
}

/** fn(i) for every element index, into a new tensor of `like`'s dtype and shape. */
function pointwise(like: Tensor, fn: (i: number) => number): Tensor {
  const n = like.numel();
  const out = allocArray(like.dtype, n);
  for (let i = 0; i < n; i++) out[i] = fn(i);
  return Tensor.make(like.shape.slice(), like.dtype, out, like.device);
}

/**
 * The input's gradient, elementGrad(i, g) per element, for the incoming gradient gy: one value
 * for a reduced (0-d) loss, one per element for reduction "none".
 */
function lossGrad(like: Tensor, gy: Tensor, elementGrad: (i: number, g: number) => number): Tensor {
  if (gy.dim() === 0) {
    const g = gy.item();
    return pointwise(like, (i) => elementGrad(i, g));
  }
  const g = floatValues(gy.expand(like.shape));
  return pointwise(like, (i) => elementGrad(i, g[i]));
}

/**
 * Records a native loss: `inputGrad(gy)` gives d(loss)/d(input) for the incoming gradient gy
 * with the kernel's own arithmetic; `graphGrad` the same from differentiable ops (used when the
 * backward pass is itself recorded); the target's gradient, where wanted, is `targetGrad`.
 */
function recordLoss(
  name: string,
  input: Tensor,
  target: Tensor,
  out: Tensor,
  inputGrad: (gy: Tensor) => Tensor,
  graphGrad: (gy: Tensor) => Tensor,
  targetGrad?: (gy: Tensor) => Tensor | null,
  extra: Tensor[] = [],
): Tensor {
  if (!isGradEnabled() || !(input.requiresGrad || target.requiresGrad || anyNeedsGrad(extra))) return out;
  return record(name, [input, target], out, (gy) => {
    // Grad mode is on inside backward only with createGraph: then build the gradient from
    // differentiable ops so second derivatives work; otherwise use the exact kernel arithmetic.
    if (isGradEnabled()) return [input.requiresGrad ? graphGrad(gy) : null, target.requiresGrad && targetGrad ? targetGrad(gy) : null];
    const gi = input.requiresGrad ? inputGrad(gy) : null;
    const gt = target.requiresGrad && targetGrad ? targetGrad(gy) : null;
    return [gi, gt];
  }, [input, target]);
}

/**
 * One element of binary cross-entropy, -(y log x + (1 - y) log(1 - x)) with each log clamped at
 * -100, as PyTorch's float kernel rounds it: (y - 1) * log(1 - x) - y * log(x), every step in
 * float32. A label of exactly 0 or 1 zeroes one of the products; its log is then not computed
 * (a log is most of an element's cost), only the sign of the zero it would have given: 0 * log
 * is -0 unless the log is +0, and the log is +0 only when its argument is exactly 1.
 */
function bceElement32(xv: number, yv: number): number {
  if (!(xv >= 0 && xv <= 1)) throw new RangeError("all elements of input should be between 0 and 1");
  // PyTorch 2.x checks the target too (1.13 computed a value from it).
  if (!(yv >= 0 && yv <= 1)) throw new RangeError("all elements of target should be between 0 and 1");
  const oneMinusX = Math.fround(1 - xv);
  if (yv === 1) return Math.fround((oneMinusX === 1 ? 0 : -0) - Math.max(Math.fround(Math.log(xv)), -100));
  const log1mX = Math.max(Math.fround(Math.log(oneMinusX)), -100);
  if (yv === 0) return Math.fround(-log1mX - (xv === 1 ? 0 : -0));
  const logX = Math.max(Math.fround(Math.log(xv)), -100);
  return Math.fround(Math.fround(Math.fround(yv - 1) * log1mX) - Math.fround(yv * logX));
}
/** bceElement32 in float64. */
function bceElement64(xv: number, yv: number): number {
  if (!(xv >= 0 && xv <= 1)) throw new RangeError("all elements of input should be between 0 and 1");
  // PyTorch 2.x checks the target too (1.13 computed a value from it).
  if (!(yv >= 0 && yv <= 1)) throw new RangeError("all elements of target should be between 0 and 1");
  const oneMinusX = 1 - xv;
  if (yv === 1) return (oneMinusX === 1 ? 0 : -0) - Math.max(Math.log(xv), -100);
  const log1mX = Math.max(Math.log(oneMinusX), -100);
  if (yv === 0) return -log1mX - (xv === 1 ? 0 : -0);
  return (yv - 1) * log1mX - yv * Math.max(Math.log(xv), -100);
}

/** d(bce)/dx for incoming gradient g, g (x - y) / max((1 - x) x, eps), rounded as PyTorch's float kernel. */
function bceGrad32(g: number, xv: number, yv: number, eps: number): number {
  return Math.fround(Math.fround(g * Math.fround(xv - yv)) / Math.max(Math.fround(Math.fround(1 - xv) * xv), eps));
}
/** bceGrad32 in float64. */
function bceGrad64(g: number, xv: number, yv: number, eps: number): number {
  return (g * (xv - yv)) / Math.max((1 - xv) * xv, eps);
}

// PyTorch declares this constant as a float, so even float64 gradients use float32's 1e-12.
const EPSILON = Math.fround(1e-12);

/**
 * Binary cross-entropy on probabilities. Each log is clamped at -100 (so p = 0 or 1 gives a finite
 * loss); the input's gradient is g (x - y) / max((1 - x) x, 1e-12), times the weight, divided by
 * the element count for the mean, and the target's is -logit(x) g: PyTorch's formulas.
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: { weight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  const reduction = checkReduction(opts.reduction ?? "mean");
  checkSameShape(input, target);
  checkSameDtype("binary_cross_entropy", input, target);
  const weight = opts.weight ? opts.weight.expand(input.add(opts.weight).shape) : null;
  if (weight && !shapeEquals(weight.shape, input.shape)) throw new RangeError(`binary_cross_entropy: weight of shape ${size(opts.weight!.shape)} does not broadcast to the input's ${size(input.shape)}`);
  const r = rounder(input.dtype);
  const x = floatValues(input);
  const y = floatValues(target);
  const f32 = input.dtype === float32;
  const n = input.numel();
  const w = weight ? floatValues(weight) : null;
  const losses = allocArray(input.dtype, n);
  // Unweighted float32 (the common case) in a loop of its own: no per-element tests or calls
  // through `r`, which a loop shared by every case cannot inline.
  if (w === null && f32) for (let i = 0; i < n; i++) losses[i] = bceElement32(x[i], y[i]);
  else {
    for (let i = 0; i < n; i++) {
      const v = f32 ? bceElement32(x[i], y[i]) : bceElement64(x[i], y[i]);
      losses[i] = w ? r(v * w[i]) : v;
    }
  }
  const out = reduce(Tensor.make(input.shape.slice(), input.dtype, losses, input.device), reduction);
  const eps = r(EPSILON);
  return recordLoss(
    "BinaryCrossEntropyBackward0",
    input,
    target,
    out,
    (gy) => {
      const g = gy.dim() === 0 ? null : floatValues(gy.expand(input.shape));
      const g0 = g === null ? gy.item() : 0;
      const grad = allocArray(input.dtype, n);
      if (g === null && w === null && f32 && reduction === "mean") {
        // A mean of unweighted float32 losses, as below without the per-element tests.
        for (let i = 0; i < n; i++) grad[i] = Math.fround(bceGrad32(g0, x[i], y[i], eps) / n);
        return Tensor.make(input.shape.slice(), input.dtype, grad, input.device);
      }
      for (let i = 0; i < n; i++) {
        const gi = g === null ? g0 : g[i];
        let v = f32 ? bceGrad32(gi, x[i], y[i], eps) : bceGrad64(gi, x[i], y[i], eps);
        if (w) v = r(v * w[i]);
        grad[i] = reduction === "mean" ? r(v / n) : v;
      }
      return Tensor.make(input.shape.slice(), input.dtype, grad, input.device);
    },
    (gy) => {
      let gi = gy.mul(input.sub(target)).div(input.rsub(1).mul(input).clampMin(eps));
      if (weight) gi = gi.mul(weight);
      return reduction === "mean" ? gi.div(n) : gi;
    },
    (gy) => {
      const xi = isGradEnabled() ? input : input.detach();
      let gt = xi.div(xi.rsub(1)).log().neg().mul(gy);
      if (weight) gt = gt.mul(weight);
      return reduction === "mean" ? gt.div(n) : gt;
    },
    weight ? [weight] : [],
  );
}

/**
 * BCE on logits: (1 - y) x + max(-x, 0) + log(exp(-max) + exp(-x - max)), with pos_weight on the
 * positive term, computed in PyTorch's order; one BinaryCrossEntropyWithLogitsBackward0 node.
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  opts: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {},
): Tensor {
  const reduction = checkReduction(opts.reduction ?? "mean");
  if (!shapeEquals(input.shape, target.shape)) {
    throw new RangeError(`Target size (${size(target.shape)}) must be the same as input size (${size(input.shape)})`);
  }
  const xd = input.detach();
  const yd = target.detach();
  const pwd = opts.posWeight ? opts.posWeight.detach() : null;
  const wtd = opts.weight ? opts.weight.detach() : null;
  const maxVal = xd.neg().clamp(0);
  let loss: Tensor;
  if (pwd) {
    const logWeight = pwd.sub(1).mul(yd).add(1);
    loss = yd.rsub(1).mul(xd).add(logWeight.mul(maxVal.neg().exp().add(xd.neg().sub(maxVal).exp()).log().add(maxVal)));
  } else {
    loss = yd.rsub(1).mul(xd).add(maxVal).add(maxVal.neg().exp().add(xd.neg().sub(maxVal).exp()).log());
  }
  if (wtd) loss = loss.mul(wtd);
  const out = reduce(loss, reduction);
  if (!isGradEnabled() || !anyNeedsGrad([input, target, opts.weight, opts.posWeight])) return out;
  const n = input.numel();
  return record("BinaryCrossEntropyWithLogitsBackward0", [input, target], out, (gy) => {
    // Under createGraph (grad mode on inside backward) use the live inputs so second derivatives flow.
    const graph = isGradEnabled();
    const x = graph ? input : xd;
    const y = graph ? target : yd;
    const pw = graph ? (opts.posWeight ?? null) : pwd;
    const wt = graph ? (opts.weight ?? null) : wtd;
    let gi: Tensor | null = null;
    if (input.requiresGrad) {
      if (pw) {
        const t = pw.mul(y);
        gi = t.add(1).sub(y).mul(x.sigmoid()).sub(t).mul(gy);
      } else {
        gi = x.sigmoid().sub(y).mul(gy);
      }
      if (wt) gi = gi.mul(wt);
      if (reduction === "mean") gi = gi.div(n);
    }
    let gt: Tensor | null = null;
    if (target.requiresGrad) {
      gt = pw ? logsigmoid(x.neg()).sub(logsigmoid(x).mul(pw)).mul(gy) : x.neg().mul(gy);
      if (wt) gt = gt.mul(wt);
      if (reduction === "mean") gt = gt.div(n);
    }
    return [gi, gt];
  }, [input, target]);
}

/** Mean squared error; one MseLossBackward0 node with gradient (2 / n) (x - y) g. */
export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  const reduction = checkReduction(opts.reduction ?? "mean");
  const [a, b] = broadcastPair("mse_loss", input, target);
  checkSameDtype("mse_loss", a, b);
  const r = rounder(a.dtype);
  const av = floatValues(a);
  const bv = floatValues(b);
  const out = reduce(pointwise(a, (i) => {
    const d = r(av[i] - bv[i]);
    return r(d * d);
  }), reduction);
  const alpha = r(reduction === "mean" ? 2 / a.numel() : 2);
  const name = "MseLossBackward0";
  return recordPair(name, input, target, a, out, (i, g) => r(r(alpha * r(av[i] - bv[i])) * g), (gy) => a.sub(b).mul(alpha).mul(gy));
}

/** Records a loss over broadcast operands: the input's gradient per element, the target's its negation. */
function recordPair(
  name: string,
  input: Tensor,
  target: Tensor,
  a: Tensor,
  out: Tensor,
  elementGrad: (i: number, g: number) => number,
  graphGrad: (gy: Tensor) => Tensor,
): Tensor {
  if (!isGradEnabled() || !anyNeedsGrad([input, target])) return out;
  return record(name, [input, target], out, (gy) => {
    if (isGradEnabled()) {
      // createGraph: differentiable ops, so second derivatives work.
      const gi = graphGrad(gy);
      return [input.requiresGrad ? gi : null, target.requiresGrad ? gi.neg() : null];
    }
    const gi = lossGrad(a, gy, elementGrad);
    return [input.requiresGrad ? gi : null, target.requiresGrad ? gi.neg() : null];
  }, [input, target]);
}

/** Mean absolute error: |x - y| reduced, composed of ops as in PyTorch 1.13. */
export function l1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  const reduction = checkReduction(opts.reduction ?? "mean");
  const [a, b] = broadcastPair("l1_loss", input, target);
  return reduce(a.sub(b).abs(), reduction);
}

/** Huber loss: 0.5 z^2 below delta, delta (z - 0.5 delta) above; one HuberLossBackward0 node. */
export function huberLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; delta?: number } = {}): Tensor {
  const reduction = checkReduction(opts.reduction ?? "mean");
  const delta = opts.delta ?? 1;
  if (!(delta > 0)) throw new RangeError("huber_loss does not support non-positive values for delta.");
  const [a, b] = broadcastPair("huber_loss", input, target);
  checkSameDtype("huber_loss", a, b);
  const r = rounder(a.dtype);
  const d = r(delta);
  const av = floatValues(a);
  const bv = floatValues(b);
  const out = reduce(pointwise(a, (i) => {
    const z = Math.abs(r(av[i] - bv[i]));
    return z < d ? r(r(0.5 * z) * z) : r(d * r(z - r(0.5 * d)));
  }), reduction);
  const norm = r(reduction === "mean" ? 1 / a.numel() : 1);
  return recordPair("HuberLossBackward0", input, target, a, out, (i, g) => {
    const x = r(av[i] - bv[i]);
    if (x <= -d) return r(r(-norm * g) * d);
    if (x >= d) return r(r(norm * g) * d);
    return r(r(norm * x) * g);
  }, (gy) => a.sub(b).clamp(-d, d).mul(norm).mul(gy));
}

/** Smooth L1: 0.5 z^2 / beta below beta, z - 0.5 beta above (with beta = 0, the L1 loss). */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; beta?: number } = {}): Tensor {
  const reduction = checkReduction(opts.reduction ?? "mean");
  const beta = opts.beta ?? 1;
  if (beta < 0) throw new RangeError("smooth_l1_loss does not support negative values for beta.");
  const [a, b] = broadcastPair("smooth_l1_loss", input, target);
  checkSameDtype("smooth_l1_loss", a, b);
  const r = rounder(a.dtype);
  const bt = r(beta);
  const av = floatValues(a);
  const bv = floatValues(b);
  const out = reduce(pointwise(a, (i) => {
    const z = Math.abs(r(av[i] - bv[i]));
    return z < bt ? r(r(r(0.5 * z) * z) / bt) : r(z - r(0.5 * bt));
  }), reduction);
  const norm = r(reduction === "mean" ? 1 / a.numel() : 1);
  return recordPair("SmoothL1LossBackward0", input, target, a, out, (i, g) => {
    const x = r(av[i] - bv[i]);
    if (x <= -bt) return r(-norm * g);
    if (x >= bt) return r(norm * g);
    return r(r(r(norm * x) * g) / bt);
  }, (gy) => a.sub(b).clamp(-bt, bt).div(bt).mul(norm).mul(gy));
}

/** Negative log-likelihood on log-probabilities [N, C] (or [C], or [N, C, d...]) with class indices. */
export function nllLoss(
  input: Tensor,
  target: Tensor,
  opts: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction } = {},
): Tensor {
  const reduction = checkReduction(opts.reduction ?? "mean");
  checkIndexTensor("nll_loss", target);
  const ignore = opts.ignoreIndex ?? -100;
  if (input.dim() < 1) throw new RangeError(`Expected 1 or more dimensions (got ${input.dim()})`);
  if (input.dim() !== 1 && input.shape[0] !== (target.dim() ? target.shape[0] : 1)) {
    throw new RangeError(`Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.dim() ? target.shape[0] : 1}).`);
  }
  if (input.dim() === 1 && target.dim() !== 0) {
    throw new RangeError(`size mismatch (got input: ${formatShape(input.shape)}, target: ${formatShape(target.shape)})`);
  }
  if (input.dim() === 2 && target.dim() !== 1) throw new RangeError("0D or 1D target tensor expected, multi-target not supported");
  if (input.dim() > 2 && !shapeEquals(target.shape, [input.shape[0], ...input.shape.slice(2)])) {
    throw new RangeError(`Expected target size ${size([input.shape[0], ...input.shape.slice(2)])}, got ${size(target.shape)}`);
  }
  const c = input.dim() === 1 ? input.shape[0] : input.shape[1];
  if (opts.weight && (opts.weight.dim() !== 1 || opts.weight.numel() !== c)) {
    throw new RangeError(`weight tensor should be defined either for all ${c} classes or no classes but got weight tensor of shape: ${size(opts.weight.shape)}`);
  }
  // Classes last, flattened: [M, C] rows against [M] targets.
  const rows = input.dim() === 1 ? input.detach().unsqueeze(0) : input.dim() === 2 ? input.detach() : input.detach().movedim(1, -1).reshape([-1, c]);
  const m = rows.shape[0];
  const lp = floatValues(rows);
  const t = floatValues(target);
  const w = opts.weight ? floatValues(opts.weight) : null;
  const r = rounder(input.dtype);
  const coef = new Float64Array(m);
  const losses = new input.dtype.ArrayType(m);
  let total = 0;
  for (let i = 0; i < m; i++) {
    const ti = t[i];
    if (ti === ignore) continue;
    if (ti < 0 || ti >= c) throw new RangeError(`Target ${ti} is out of bounds.`);
    const wi = w ? w[ti] : 1;
    losses[i] = r(-lp[i * c + ti] * wi);
    coef[i] = -wi;
    total = r(total + wi);
  }
  let out: Tensor;
  const outShape = input.dim() === 1 ? [] : input.dim() === 2 ? [m] : target.shape.slice();
  if (reduction === "none") out = Tensor.make(outShape, input.dtype, losses, input.device);
  else {
    // Cascaded like at::sum: sum the per-row losses with the tensor reduction.
    const s = Tensor.make([m], input.dtype, losses, input.device).sum();
    const v = s.item();
    out = Tensor.make([], input.dtype, new input.dtype.ArrayType([reduction === "mean" ? r(v / total) : v]), input.device);
  }
  if (!isGradEnabled() || !input.requiresGrad) return out;
  const toInputLayout = (gt: Tensor): Tensor => {
    if (input.dim() === 1) return gt.reshape([c]);
    if (input.dim() > 2) return gt.reshape([input.shape[0], ...input.shape.slice(2), c]).movedim(-1, 1);
    return gt;
  };
  return record("NllLossBackward0", [input], out, (gy) => {
    if (isGradEnabled()) {
      // createGraph: the gradient as a constant matrix times gy, differentiable in gy.
      const coefs = new input.dtype.ArrayType(m * c);
      for (let i = 0; i < m; i++) if (t[i] !== ignore) coefs[i * c + t[i]] = reduction === "mean" ? coef[i] / total : coef[i];
      const mat = Tensor.make([m, c], input.dtype, coefs, input.device);
      return [toInputLayout(mat.mul(gy.dim() === 0 ? gy : gy.reshape([-1, 1])))];
    }
    const g = gy.dim() === 0 ? null : floatValues(gy.reshape([-1]));
    const gs = gy.dim() === 0 ? gy.item() : 0;
    const grad = new input.dtype.ArrayType(m * c);
    for (let i = 0; i < m; i++) {
      if (t[i] === ignore) continue;
      const gi = g ? g[i] : gs;
      grad[i * c + t[i]] = reduction === "mean" ? r(r(coef[i] * gi) / total) : r(coef[i] * gi);
    }
    return [toInputLayout(Tensor.make([m, c], input.dtype, grad, input.device))];
  }, [input]);
}

/** Cross-entropy on logits with class indices (int64) or class probabilities (float), with label smoothing. */
export function crossEntropy(
  input: Tensor,
  target: Tensor,
  opts: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction; labelSmoothing?: number } = {},
): Tensor {
  const reduction = checkReduction(opts.reduction ?? "mean");
  const dim = input.dim() === 1 ? 0 : 1;
  const eps = opts.labelSmoothing ?? 0;
  if (eps < 0 || eps > 1) throw new RangeError(`label_smoothing must be between 0.0 and 1.0. Got: ${eps}`);
  const c = input.shape[dim];
  const weightView = (w: Tensor) => (dim === 1 ? w.reshape([c, ...Array(input.dim() - 2).fill(1)]) : w);
  if (target.dtype.isFloatingPoint) {
    if (!shapeEquals(input.shape, target.shape)) {
      throw new RangeError(`Expected target size ${size(input.shape)}, got ${size(target.shape)}`);
    }
    if (opts.weight && (opts.weight.dim() !== 1 || opts.weight.numel() !== c)) {
      throw new RangeError(`cross_entropy: weight tensor should be defined either for all ${c} classes or no classes but got weight tensor of shape: ${size(opts.weight.shape)}`);
    }
    const logp = input.logSoftmax(dim);
    const tgt = eps > 0 ? target.mul(1 - eps).add(eps / c) : target;
    let prod = logp.mul(tgt);
    if (opts.weight) prod = prod.mul(weightView(opts.weight));
    if (reduction === "none") return prod.sum(dim).neg();
    if (reduction === "sum") return prod.sum().neg();
    return prod.sum().neg().div(Math.floor(input.numel() / c));
  }
  const logp = input.logSoftmax(dim);
  const nll = nllLoss(logp, target, { weight: opts.weight, ignoreIndex: opts.ignoreIndex, reduction });
  if (eps === 0) return nll;
  // Label smoothing: mix in the uniform distribution's loss, as PyTorch does.
  const ignore = opts.ignoreIndex ?? -100;
  const ignoreMask = target.eq(ignore);
  let smooth = opts.weight ? logp.mul(weightView(opts.weight)).sum(dim).neg() : logp.sum(dim).neg();
  smooth = smooth.maskedFill(ignoreMask, 0);
  let smoothRed: Tensor;
  if (reduction === "none") smoothRed = smooth;
  else if (reduction === "sum") smoothRed = smooth.sum();
  else if (opts.weight) {
    const kept = target.maskedSelect(ignoreMask.logicalNot()).reshape([-1]);
    smoothRed = smooth.sum().div(opts.weight.gather(0, kept).sum());
  } else smoothRed = smooth.sum().div(ignoreMask.logicalNot().sum());
  return nll.mul(1 - eps).add(smoothRed.mul(eps / c));
}

/** Kullback-Leibler divergence on log-probabilities (target as probabilities or, with logTarget, log-probabilities). */
export function klDiv(input: Tensor, target: Tensor, opts: { reduction?: Reduction | "batchmean"; logTarget?: boolean } = {}): Tensor {
  const r = opts.reduction ?? "mean";
  if (r !== "batchmean") checkReduction(r);
  const loss = opts.logTarget
    ? target.exp().mul(target.sub(input))
    : target.mul(target.log()).maskedFill(target.eq(0), 0).sub(target.mul(input)); // xlogy(t, t) - t x
  if (r === "batchmean") return input.dim() === 0 ? loss.sum() : loss.sum().div(input.shape[0]);
  return reduce(loss, r);
}
