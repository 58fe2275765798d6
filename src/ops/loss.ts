// Loss functions with PyTorch's reductions, target checks and (for BCE) its exact gradient.
import { bool, float32 } from "../tensor/dtype.js";
import { formatShape, shapeEquals } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { needsGrad, record } from "./node.js";
import { backendOf, checkIndexTensor } from "./util.js";

export type Reduction = "mean" | "sum" | "none";

export function reduce(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === "mean") return loss.mean();
  if (reduction === "sum") return loss.sum();
  if (reduction === "none") return loss;
  throw new RangeError(`${String(reduction)} is not a valid value for reduction`);
}

function checkSameShape(op: string, input: Tensor, target: Tensor): void {
  if (!shapeEquals(input.shape, target.shape)) {
    throw new RangeError(
      `${op}: Using a target size (${formatShape(target.shape)}) that is different to the input size (${formatShape(input.shape)}) is deprecated. Please ensure they have the same size.`,
    );
  }
}

const EPSILON = 1e-12;

/**
 * Binary cross-entropy on probabilities. Each log is clamped at -100 (so p = 0 or 1 gives a finite
 * loss) and the gradient is (x - y) / max((1 - x) x, 1e-12), both as PyTorch computes them.
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: { weight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  checkSameShape("binary_cross_entropy", input, target);
  if (input.dtype !== target.dtype) {
    throw new TypeError(`binary_cross_entropy: expected input and target to have the same dtype, got ${input.dtype} and ${target.dtype}`);
  }
  const x = input.detach().contiguous().values();
  const y = target.detach().contiguous().values();
  for (let i = 0; i < x.length; i++) {
    if (!(x[i] >= 0 && x[i] <= 1)) throw new RangeError("all elements of input should be between 0 and 1");
  }
  for (let i = 0; i < y.length; i++) {
    if (!(y[i] >= 0 && y[i] <= 1)) throw new RangeError("all elements of target should be between 0 and 1");
  }
  const out = new input.dtype.ArrayType(x.length);
  for (let i = 0; i < x.length; i++) {
    const logX = Math.max(Math.log(x[i]), -100);
    const log1mX = Math.max(Math.log(1 - x[i]), -100);
    out[i] = (y[i] - 1) * log1mX - y[i] * logX;
  }
  let loss = Tensor.make(input.shape.slice(), input.dtype, out, input.device);
  if (needsGrad(input, target)) {
    record("BinaryCrossEntropyBackward0", [input, target], loss, (gy) => {
      const g = gy.contiguous().values();
      const gi = new input.dtype.ArrayType(x.length);
      for (let i = 0; i < x.length; i++) gi[i] = (g[i] * (x[i] - y[i])) / Math.max((1 - x[i]) * x[i], EPSILON);
      const gt = target.requiresGrad ? input.detach().log().clamp(-100).neg().add(input.detach().neg().log1p().clamp(-100)).mul(gy) : null;
      return [Tensor.make(input.shape.slice(), input.dtype, gi, input.device), gt];
    }, [input, target]);
  }
  if (opts.weight) loss = loss.mul(opts.weight);
  return reduce(loss, opts.reduction ?? "mean");
}

/** BCE on logits: max(x, 0) - x y + log(1 + exp(-|x|)), with pos_weight on the positive term. */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  opts: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {},
): Tensor {
  checkSameShape("binary_cross_entropy_with_logits", input, target);
  const maxVal = input.neg().clamp(0);
  let loss: Tensor;
  if (opts.posWeight) {
    const logWeight = opts.posWeight.sub(1).mul(target).add(1);
    loss = target.neg().add(1).mul(input).add(logWeight.mul(input.neg().sub(maxVal).exp().add(maxVal.neg().exp()).log().add(maxVal)));
  } else {
    loss = target.neg().add(1).mul(input).add(maxVal).add(maxVal.neg().exp().add(input.neg().sub(maxVal).exp()).log());
  }
  if (opts.weight) loss = loss.mul(opts.weight);
  return reduce(loss, opts.reduction ?? "mean");
}

export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  return reduce(input.sub(target).square(), opts.reduction ?? "mean");
}

export function l1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  return reduce(input.sub(target).abs(), opts.reduction ?? "mean");
}

export function huberLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; delta?: number } = {}): Tensor {
  const delta = opts.delta ?? 1;
  const diff = input.sub(target);
  const ad = diff.abs();
  const loss = diff.square().mul(0.5).where(ad.lt(delta), ad.sub(0.5 * delta).mul(delta));
  return reduce(loss, opts.reduction ?? "mean");
}

export function smoothL1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; beta?: number } = {}): Tensor {
  const beta = opts.beta ?? 1;
  if (beta === 0) return l1Loss(input, target, opts);
  const ad = input.sub(target).abs();
  const loss = ad.square().mul(0.5 / beta).where(ad.lt(beta), ad.sub(0.5 * beta));
  return reduce(loss, opts.reduction ?? "mean");
}

/** Negative log-likelihood on log-probabilities [N, C] (or [C], or [N, C, d...]) with class indices. */
export function nllLoss(
  input: Tensor,
  target: Tensor,
  opts: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction } = {},
): Tensor {
  checkIndexTensor("nll_loss", target);
  const ignore = opts.ignoreIndex ?? -100;
  const reduction = opts.reduction ?? "mean";
  // Move classes last and flatten: [M, C] rows against [M] targets.
  const c = input.dim() === 1 ? input.shape[0] : input.shape[1];
  const rows = input.dim() === 1 ? input.unsqueeze(0) : input.dim() === 2 ? input : input.movedim(1, -1).reshape([-1, c]);
  const tgt = target.reshape([-1]);
  if (rows.shape[0] !== tgt.shape[0]) {
    throw new RangeError(`Expected input batch_size (${rows.shape[0]}) to match target batch_size (${tgt.shape[0]}).`);
  }
  const t = tgt.values();
  for (let i = 0; i < t.length; i++) {
    if (t[i] !== ignore && (t[i] < 0 || t[i] >= c)) throw new RangeError(`Target ${t[i]} is out of bounds.`);
  }
  const valid = Tensor.make([t.length], bool, Uint8Array.from(t, (v) => (v !== ignore ? 1 : 0)));
  const safe = Tensor.make([t.length, 1], tgt.dtype, Float64Array.from(t, (v) => (v === ignore ? 0 : v)));
  const picked = rows.gather(1, safe).reshape([-1]);
  let w = opts.weight ? backendOf(opts.weight).indexSelect(opts.weight, 0, safe.reshape([-1])) : Tensor.make([t.length], input.dtype, new input.dtype.ArrayType(t.length).fill(1));
  w = w.mul(valid.to(w.dtype));
  const losses = picked.neg().mul(w);
  if (reduction === "none") return input.dim() <= 2 ? losses.reshape(input.dim() === 1 ? [] : [tgt.shape[0]]) : losses.reshape(target.shape);
  if (reduction === "sum") return losses.sum();
  return losses.sum().div(w.sum());
}

/** Cross-entropy on logits with class indices (int64) or class probabilities (float), with label smoothing. */
export function crossEntropy(
  input: Tensor,
  target: Tensor,
  opts: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction; labelSmoothing?: number } = {},
): Tensor {
  const dim = input.dim() === 1 ? 0 : 1;
  const logp = input.logSoftmax(dim);
  const reduction = opts.reduction ?? "mean";
  const eps = opts.labelSmoothing ?? 0;
  if (eps < 0 || eps > 1) throw new RangeError(`label_smoothing must be between 0.0 and 1.0. Got: ${eps}`);
  const c = input.shape[dim];
  if (target.dtype.isFloatingPoint) {
    if (!shapeEquals(input.shape, target.shape)) {
      throw new RangeError(`cross_entropy: expected target of shape ${formatShape(input.shape)} for class probabilities, got ${formatShape(target.shape)}`);
    }
    let tgt = target;
    if (eps > 0) tgt = tgt.mul(1 - eps).add(eps / c);
    let prod = logp.mul(tgt);
    if (opts.weight) prod = prod.mul(dim === 1 ? opts.weight.reshape([c, ...Array(input.dim() - 2).fill(1)]) : opts.weight);
    const perSample = prod.sum(dim).neg();
    if (reduction === "none") return perSample;
    if (reduction === "sum") return perSample.sum();
    return perSample.sum().div(input.dim() === 1 ? 1 : input.numel() / c);
  }
  const nll = nllLoss(logp, target, { weight: opts.weight, ignoreIndex: opts.ignoreIndex, reduction });
  if (eps === 0) return nll;
  // Label smoothing: mix in the uniform distribution's loss, as PyTorch does.
  const ignore = opts.ignoreIndex ?? -100;
  const valid = target.ne(ignore);
  let smooth = opts.weight
    ? logp.mul(dim === 1 ? opts.weight.reshape([c, ...Array(input.dim() - 2).fill(1)]) : opts.weight).sum(dim).neg()
    : logp.sum(dim).neg();
  smooth = smooth.where(valid, 0);
  let smoothRed: Tensor;
  if (reduction === "none") smoothRed = smooth;
  else if (reduction === "sum") smoothRed = smooth.sum();
  else if (opts.weight) {
    const w = backendOf(opts.weight).indexSelect(opts.weight, 0, target.where(valid, 0).reshape([-1]).to(target.dtype));
    smoothRed = smooth.sum().div(w.mul(valid.reshape([-1]).to(w.dtype)).sum());
  } else smoothRed = smooth.sum().div(valid.sum().to(input.dtype));
  return nll.mul(1 - eps).add(smoothRed.mul(eps / c));
}

export function klDiv(input: Tensor, target: Tensor, opts: { reduction?: Reduction | "batchmean"; logTarget?: boolean } = {}): Tensor {
  const loss = opts.logTarget ? target.exp().mul(target.sub(input)) : target.mul(target.log().sub(input)).where(target.gt(0), 0);
  const r = opts.reduction ?? "mean";
  if (r === "batchmean") return loss.sum().div(input.dim() ? input.shape[0] : 1);
  return reduce(loss, r);
}

export { float32 };
