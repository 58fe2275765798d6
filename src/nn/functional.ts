// torch.nn.functional (also exported as F): the functional form of every layer, activation and
// loss. Keyword arguments are a trailing options object; where PyTorch allows a positional
// argument (F.leaky_relu(x, 0.2), F.softmax(x, 1)) a number works too.
import { zeros } from "../ops/creation.js";
import * as act from "../ops/activation.js";
import { heaviside } from "../ops/arithmetic.js";
import { commit } from "../ops/inplace.js";
import { linear as linearOp } from "../ops/linalg.js";
import * as loss from "../ops/loss.js";
import type { Reduction } from "../ops/loss.js";
import { record } from "../ops/node.js";
import { checkTensorArg } from "../ops/util.js";
import { dropoutMask } from "../ops/random.js";
import { embeddingRenorm_ } from "../ops/embedding-renorm.js";
import { pad as padOp, type PadMode } from "../ops/convolution.js";
import { autograd, isGradEnabled } from "../autograd/index.js";
import { int64 } from "../tensor/dtype.js";
import { formatShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { tracer } from "../ops/trace.js";
import { type PositionalOr, trailing } from "./functional/args.js";

export type { Reduction };

/** A value given positionally (number) or by name in an options object. */
function pick<O extends object, K extends keyof O>(arg: number | O | undefined, key: K, fallback: NonNullable<O[K]>): NonNullable<O[K]> {
  if (typeof arg === "number") return arg as NonNullable<O[K]>;
  return (arg?.[key] ?? fallback) as NonNullable<O[K]>;
}
function inplaceOf(arg: unknown): boolean {
  return typeof arg === "object" && arg !== null && (arg as { inplace?: boolean }).inplace === true;
}
/** Writes y into x for inplace=true, as PyTorch's relu_(x) and friends. */
function maybeInplace(x: Tensor, y: Tensor, inplace: boolean): Tensor {
  return inplace ? commit(x, y) : y;
}

// ---------------------------------------------------------------- linear and dropout

/**
 * y = x W^T + b, by PyTorch 1.13's route: addmm for a 2-D input with a bias, otherwise matmul
 * followed by adding the bias (so grad_fn names match: AddmmBackward0, AddBackward0, ...).
 */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkTensorArg("linear", "input", 1, input);
  checkTensorArg("linear", "weight", 2, weight);
  if (input.dim() === 2 && bias) return linearOp(input, weight, bias);
  if (input.dim() === 2 || input.dim() === 0) return linearOp(input, weight, null);
  // PyTorch 1.13's _flatten_3d_linear: a contiguous 3-D input with a bias is one addmm on its rows, viewed back (ViewBackward0).
  if (input.dim() === 3 && bias && input.isContiguous()) {
    const [a, b, k] = input.shape;
    return linearOp(input.view(a * b, k), weight, bias).view(a, b, weight.shape[0]);
  }
  const out = input.matmul(weight.t());
  return bias ? out.add(bias) : out;
}

/** y = x1^T A x2 + b for A of shape [out, in1, in2]. */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (input1.dim() !== input2.dim()) throw new RangeError(`bilinear(): input dimensions do not match: got ${input1.dim()} and ${input2.dim()}`);
  if (input1.shape[input1.dim() - 1] !== weight.shape[1]) {
    throw new RangeError(`bilinear(): input1 size does not match weight size: got ${input1.shape[input1.dim() - 1]} but expected ${weight.shape[1]}`);
  }
  if (input2.shape[input2.dim() - 1] !== weight.shape[2]) {
    throw new RangeError(`bilinear(): input2 size does not match weight size: got ${input2.shape[input2.dim() - 1]} but expected ${weight.shape[2]}`);
  }
  // y[..., o] = sum_ij x1[..., i] W[o, i, j] x2[..., j]
  const lead = input1.shape.slice(0, -1);
  const a = input1.reshape([-1, 1, 1, weight.shape[1]]).matmul(weight.unsqueeze(0)); // [M, out, 1, in2]
  const y = a.squeeze(2).mul(input2.reshape([-1, 1, weight.shape[2]])).sum(-1); // [M, out]
  const out = y.reshape([...lead, weight.shape[0]]);
  return bias ? out.add(bias) : out;
}

export interface DropoutOptions {
  p?: number;
  training?: boolean;
  inplace?: boolean;
}
/** Zeroes each element with probability p and scales the rest by 1 / (1 - p), as PyTorch 1.13 draws the mask. */
export function dropout(input: Tensor, p: number | DropoutOptions = 0.5, training: boolean | DropoutOptions = true, inplace = false): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("dropout", dropout, [input, p, training, inplace]);
  const o: DropoutOptions = { ...(typeof p === "object" ? p : { p }), ...(typeof training === "object" ? training : {}) };
  const prob = o.p ?? 0.5;
  const train = typeof training === "boolean" ? (typeof p === "object" && p.training !== undefined ? p.training : training) : (o.training ?? true);
  const inpl = o.inplace ?? inplace;
  if (prob < 0 || prob > 1) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${prob}`);
  if (prob === 0 || !train || input.numel() === 0) return input;
  if (prob === 1) return maybeInplace(input, input.mul(zeros([], { dtype: input.dtype })), inpl);
  const noise = dropoutMask(input, prob);
  return maybeInplace(input, input.mul(noise), inpl);
}

// ---------------------------------------------------------------- activations

export function sigmoid(input: Tensor): Tensor {
  return input.sigmoid();
}
export function tanh(input: Tensor): Tensor {
  return input.tanh();
}
export function relu(input: Tensor, opts: { inplace?: boolean } = {}): Tensor {
  return maybeInplace(input, act.relu(input), inplaceOf(opts));
}
export function relu6(input: Tensor, opts: { inplace?: boolean } = {}): Tensor {
  return maybeInplace(input, act.relu6(input), inplaceOf(opts));
}
export function leakyRelu(input: Tensor, negativeSlope?: number | { negativeSlope?: number; inplace?: boolean }): Tensor {
  return maybeInplace(input, act.leakyRelu(input, pick(negativeSlope, "negativeSlope", 0.01)), inplaceOf(negativeSlope));
}
export function elu(input: Tensor, alpha?: number | { alpha?: number; inplace?: boolean }): Tensor {
  return maybeInplace(input, act.elu(input, pick(alpha, "alpha", 1)), inplaceOf(alpha));
}
export function celu(input: Tensor, alpha?: number | { alpha?: number; inplace?: boolean }): Tensor {
  return maybeInplace(input, act.celu(input, pick(alpha, "alpha", 1)), inplaceOf(alpha));
}
export function selu(input: Tensor, opts: { inplace?: boolean } = {}): Tensor {
  return maybeInplace(input, act.selu(input), inplaceOf(opts));
}
export function threshold(input: Tensor, th: number, value: number, opts: { inplace?: boolean } = {}): Tensor {
  return maybeInplace(input, act.threshold(input, th, value), inplaceOf(opts));
}
export function hardtanh(input: Tensor, minVal?: number | { minVal?: number; maxVal?: number; inplace?: boolean }, maxVal?: number): Tensor {
  const lo = pick(minVal, "minVal", -1);
  const hi = typeof minVal === "object" ? (minVal.maxVal ?? 1) : (maxVal ?? 1);
  return maybeInplace(input, act.hardtanh(input, lo, hi), inplaceOf(minVal));
}
export function gelu(input: Tensor, opts: { approximate?: "none" | "tanh" } = {}): Tensor {
  const approximate = opts.approximate ?? "none";
  if (approximate !== "none" && approximate !== "tanh") throw new RangeError(`approximate argument must be either none or tanh.`);
  return act.gelu(input, approximate);
}
export function silu(input: Tensor, opts: { inplace?: boolean } = {}): Tensor {
  return maybeInplace(input, act.silu(input), inplaceOf(opts));
}
export function mish(input: Tensor, opts: { inplace?: boolean } = {}): Tensor {
  return maybeInplace(input, act.mish(input), inplaceOf(opts));
}
export function softplus(input: Tensor, beta?: number | { beta?: number; threshold?: number }, th?: number): Tensor {
  const b = pick(beta, "beta", 1);
  const t = typeof beta === "object" ? (beta.threshold ?? 20) : (th ?? 20);
  return act.softplus(input, b, t);
}
export function softsign(input: Tensor): Tensor {
  return act.softsign(input);
}
export function hardsigmoid(input: Tensor, opts: { inplace?: boolean } = {}): Tensor {
  return maybeInplace(input, act.hardsigmoid(input), inplaceOf(opts));
}
export function hardswish(input: Tensor, opts: { inplace?: boolean } = {}): Tensor {
  return maybeInplace(input, act.hardswish(input), inplaceOf(opts));
}
export function logsigmoid(input: Tensor): Tensor {
  return act.logsigmoid(input);
}
export function tanhshrink(input: Tensor): Tensor {
  return act.tanhshrink(input);
}
export function hardshrink(input: Tensor, lambd?: number | { lambd?: number }): Tensor {
  return act.hardshrink(input, pick(lambd, "lambd", 0.5));
}
export function softshrink(input: Tensor, lambd?: number | { lambd?: number }): Tensor {
  return act.softshrink(input, pick(lambd, "lambd", 0.5));
}
export function prelu(input: Tensor, weight: Tensor): Tensor {
  return act.prelu(input, weight);
}

/** The dim PyTorch picks when softmax is called without one (with its deprecation warning). */
function softmaxDim(name: string, ndim: number, dim: number | null | undefined): number {
  if (dim !== undefined && dim !== null) return dim;
  globalThis.console?.warn?.(`UserWarning: Implicit dimension choice for ${name} has been deprecated. Change the call to include dim=X as an argument.`);
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}
type DimArg = number | { dim?: number | null } | null | undefined;
const dimOf = (d: DimArg) => (typeof d === "object" && d !== null ? d.dim : d);
export function softmax(input: Tensor, dim?: DimArg): Tensor {
  return act.softmax(input, softmaxDim("softmax", input.dim(), dimOf(dim)));
}
export function softmin(input: Tensor, dim?: DimArg): Tensor {
  return act.softmin(input, softmaxDim("softmin", input.dim(), dimOf(dim)));
}
export function logSoftmax(input: Tensor, dim?: DimArg): Tensor {
  return act.logSoftmax(input, softmaxDim("log_softmax", input.dim(), dimOf(dim)));
}

/** The step function, torch.heaviside(x, values). */
export { heaviside };

// ---------------------------------------------------------------- normalization

/**
 * The backward of a fused node under createGraph (the only time grad mode is on inside backward):
 * recompute the forward from differentiable ops and differentiate it, so second derivatives are
 * exact. Without createGraph the fused formulas run instead.
 */
function recomputedGrads(forward: () => Tensor, inputs: Array<Tensor | null>, gy: Tensor): Array<Tensor | null> {
  const live = inputs.filter((t): t is Tensor => t?.requiresGrad === true);
  const grads = autograd.grad([forward()], live, { gradOutputs: [gy], createGraph: true, allowUnused: true });
  return inputs.map((t) => (t?.requiresGrad ? (grads[live.indexOf(t)] ?? null) : null));
}

/** Layer normalisation over the trailing `normalizedShape` dims; one NativeLayerNormBackward0 node. */
export function layerNorm(
  input: Tensor,
  normalizedShape: number | readonly number[],
  weight?: Tensor | null,
  bias?: Tensor | null,
  eps = 1e-5,
): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("layerNorm", layerNorm, [input, normalizedShape, weight, bias, eps]);
  const ns = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape.slice();
  const k = ns.length;
  const tail = input.shape.slice(input.dim() - k);
  if (input.dim() < k || tail.some((s, i) => s !== ns[i])) {
    throw new RangeError(
      `Given normalized_shape=${formatShape(ns)}, expected input with shape [*, ${ns.join(", ")}], but got input of size${formatShape(input.shape)}`,
    );
  }
  if (weight && (weight.shape.length !== k || weight.shape.some((s, i) => s !== ns[i]))) {
    throw new RangeError(`Expected weight to be of same shape as normalized_shape, but got weight of shape ${formatShape(weight.shape)} and normalized_shape = ${formatShape(ns)}`);
  }
  if (bias && (bias.shape.length !== k || bias.shape.some((s, i) => s !== ns[i]))) {
    throw new RangeError(`Expected bias to be of same shape as normalized_shape, but got bias of shape ${formatShape(bias.shape)} and normalized_shape = ${formatShape(ns)}`);
  }
  const dims = Array.from({ length: k }, (_, i) => input.dim() - k + i);
  const x = input.detach();
  const mean = x.mean(dims, { keepdim: true });
  const rstd = x.var(dims, { keepdim: true, correction: 0 }).add(eps).rsqrt();
  const xhat = x.mul(rstd).add(rstd.neg().mul(mean));
  let y = xhat;
  if (weight) y = y.mul(weight.detach());
  if (bias) y = y.add(bias.detach());
  if (!isGradEnabled() || !(input.requiresGrad || weight?.requiresGrad || bias?.requiresGrad)) return y;
  const n = ns.reduce((p, q) => p * q, 1);
  const lead = Array.from({ length: input.dim() - k }, (_, i) => i);
  const composite = () => {
    let out = input.sub(input.mean(dims, { keepdim: true })).mul(input.var(dims, { keepdim: true, correction: 0 }).add(eps).rsqrt());
    if (weight) out = out.mul(weight);
    return bias ? out.add(bias) : out;
  };
  return record("NativeLayerNormBackward0", [input, weight ?? null, bias ?? null], y, (gy) => {
    if (isGradEnabled()) return recomputedGrads(composite, [input, weight ?? null, bias ?? null], gy);
    const g = weight ? gy.mul(weight) : gy;
    const gx = input.requiresGrad
      ? rstd.div(n).mul(g.mul(n).sub(g.sum(dims, { keepdim: true })).sub(xhat.mul(g.mul(xhat).sum(dims, { keepdim: true }))))
      : null;
    const gw = weight?.requiresGrad ? (lead.length ? gy.mul(xhat).sum(lead) : gy.mul(xhat)) : null;
    const gb = bias?.requiresGrad ? (lead.length ? gy.sum(lead) : gy) : null;
    return [gx, gw, gb];
  }, [input, ...(weight ? [weight] : []), ...(bias ? [bias] : [])]);
}

/** Divides by the p-norm along dim (clamped below by eps). */
/** F.normalize(input, p?, dim?, eps?), any trailing run as one options object. */
export function normalize(input: Tensor, ...rest: PositionalOr<[number, number, number], { p?: number; dim?: number; eps?: number }>): Tensor {
  const opts = trailing<{ p?: number; dim?: number; eps?: number }>(["p", "dim", "eps"], rest);
  const denom = input.norm(opts.p ?? 2, opts.dim ?? 1, { keepdim: true }).clampMin(opts.eps ?? 1e-12).expandAs(input);
  return input.div(denom);
}

/** Cosine similarity along dim: x1.x2 / max(|x1| |x2|, eps), as PyTorch 1.13. */
export function cosineSimilarity(x1: Tensor, x2: Tensor, opts: { dim?: number; eps?: number } = {}): Tensor {
  const dim = opts.dim ?? 1;
  const eps = opts.eps ?? 1e-8;
  const w12 = x1.mul(x2).sum(dim);
  const w1 = x1.mul(x1).sum(dim);
  const w2 = x2.mul(x2).sum(dim);
  const n12 = w1.mul(w2).clampMin(eps * eps).sqrt();
  return w12.div(n12);
}

// ---------------------------------------------------------------- embedding, one_hot, pad

/** Rows of weight picked by integer indices; the padding row gets no gradient (EmbeddingBackward0). */
export function embedding(
  input: Tensor,
  weight: Tensor,
  opts: { paddingIdx?: number | null; maxNorm?: number | null; normType?: number; sparse?: boolean } = {},
): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("embedding", embedding, [input, weight, opts]);
  if (input.dtype.isFloatingPoint || input.dtype.name === "bool") {
    throw new TypeError(
      `Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ${input.dtype} instead (while checking arguments for embedding); write indices as BigInts (0n, 1n) or pass { dtype: torch.int64 }`,
    );
  }
  if (opts.sparse) throw new TypeError(SPARSE_EMBEDDING);
  // The looked-up rows are renormalised in place first, as PyTorch's _no_grad_embedding_renorm_.
  if (opts.maxNorm !== undefined && opts.maxNorm !== null) embeddingRenorm_(weight, input, opts.maxNorm, opts.normType ?? 2);
  const v = weight.shape[0];
  const d = weight.shape[1];
  let pad = opts.paddingIdx ?? null;
  if (pad !== null) {
    if (pad >= v || pad < -v) throw new RangeError("Padding_idx must be within num_embeddings");
    if (pad < 0) pad += v;
  }
  const idx = input.reshape([-1]);
  const vals = idx.values();
  for (let i = 0; i < vals.length; i++) if (vals[i] < 0 || vals[i] >= v) throw new RangeError("index out of range in self");
  const out = weight.detach().indexSelect(0, idx).reshape([...input.shape, d]);
  if (!isGradEnabled() || !weight.requiresGrad) return out;
  return record("EmbeddingBackward0", [weight], out, (gy) => {
    let g = gy.reshape([-1, d]);
    if (pad !== null) g = g.mul(idx.ne(pad).unsqueeze(1).to(g.dtype));
    return [zeros([v, d], { dtype: gy.dtype }).scatterAdd(0, idx.unsqueeze(1).expand([idx.shape[0], d]), g)];
  }, []);
}

/** What sparse: true answers: kindling has no sparse tensors, so the gradient cannot be one. */
export const SPARSE_EMBEDDING =
  "Embedding(sparse=True): kindling has no sparse tensors, so a sparse gradient is not available; use sparse: false (a dense gradient, the same values)";

/** One-hot encoding of int64 class indices, as int64. */
export function oneHot(tensor: Tensor, numClasses = -1): Tensor {
  if (tensor.dtype !== int64) throw new TypeError("one_hot is only applicable to index tensor.");
  const vals = tensor.values();
  let max = -1;
  for (let i = 0; i < vals.length; i++) {
    if (vals[i] < 0) throw new RangeError("Class values must be non-negative.");
    max = Math.max(max, vals[i]);
  }
  const c = numClasses === -1 ? max + 1 : numClasses;
  if (max >= c) throw new RangeError("Class values must be smaller than num_classes.");
  return zeros([...tensor.shape, c], { dtype: int64 }).scatter(-1, tensor.unsqueeze(-1), 1);
}

/**
 * Pads the last dims: pad lists (left, right) pairs from the last dim backwards. Modes "constant"
 * (negative amounts crop), "reflect", "replicate" and "circular" (src/ops/convolution.ts).
 */
/** F.pad(input, pad, mode?, value?), any trailing run as one options object ({ mode, value }). */
export function pad(input: Tensor, padding: readonly number[], ...rest: PositionalOr<[PadMode, number | null], { mode?: PadMode; value?: number | null }>): Tensor {
  const o = trailing<{ mode?: PadMode; value?: number | null }>(["mode", "value"], rest);
  const opts = { mode: o.mode, value: o.value ?? undefined };
  if (tracer !== null && tracer.depth === 0) return tracer.call("pad", pad, [input, padding, opts]);
  return padOp(input, padding, opts);
}

// ---------------------------------------------------------------- losses

export interface LossOptions {
  reduction?: Reduction;
}
/** PyTorch's deprecated size_average/reduce, given positionally or by name. */
interface LegacyReduction {
  sizeAverage?: boolean | null;
  reduce?: boolean | null;
}

/**
 * The losses' positional parameters (F.cross_entropy(x, y, w) passes the class weight) merged with
 * a trailing options object, and PyTorch's legacy_get_string for size_average/reduce.
 */
function lossArgs<O extends LossOptions>(names: ReadonlyArray<string>, rest: readonly unknown[]): O {
  const o = trailing<O & LegacyReduction>(names as ReadonlyArray<keyof (O & LegacyReduction) & string>, rest) as O & LegacyReduction;
  // The usual call names neither legacy option: `o` is already fresh and complete (an object
  // rest copy per call costs more than the loss of a small batch).
  if (!("sizeAverage" in o) && !("reduce" in o)) return o;
  const { sizeAverage, reduce, ...out } = o;
  if ((sizeAverage !== undefined && sizeAverage !== null) || (reduce !== undefined && reduce !== null)) {
    const sa = sizeAverage ?? true;
    const rd = reduce ?? true;
    (out as LossOptions).reduction = !rd ? "none" : sa ? "mean" : "sum";
  }
  return out as unknown as O;
}

type BCEOptions = LossOptions & { weight?: Tensor | null };
type BCELogitsOptions = LossOptions & { weight?: Tensor | null; posWeight?: Tensor | null };
type NLLOptions = LossOptions & { weight?: Tensor | null; ignoreIndex?: number };
type CEOptions = LossOptions & { weight?: Tensor | null; ignoreIndex?: number; labelSmoothing?: number };
type Legacy = boolean | null;

/** F.binary_cross_entropy(input, target, weight?, sizeAverage?, reduce?, reduction?), any trailing run as one options object. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, ...rest: PositionalOr<[Tensor | null, Legacy, Legacy, Reduction], BCEOptions & LegacyReduction>): Tensor {
  return loss.binaryCrossEntropy(input, target, lossArgs<BCEOptions>(["weight", "sizeAverage", "reduce", "reduction"], rest));
}
/** F.binary_cross_entropy_with_logits(input, target, weight?, sizeAverage?, reduce?, reduction?, posWeight?), any trailing run as one options object. */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  ...rest: PositionalOr<[Tensor | null, Legacy, Legacy, Reduction, Tensor | null], BCELogitsOptions & LegacyReduction>
): Tensor {
  return loss.binaryCrossEntropyWithLogits(input, target, lossArgs<BCELogitsOptions>(["weight", "sizeAverage", "reduce", "reduction", "posWeight"], rest));
}
/** F.mse_loss(input, target, sizeAverage?, reduce?, reduction?), any trailing run as one options object. */
export function mseLoss(input: Tensor, target: Tensor, ...rest: PositionalOr<[Legacy, Legacy, Reduction], LossOptions & LegacyReduction>): Tensor {
  return loss.mseLoss(input, target, lossArgs<LossOptions>(["sizeAverage", "reduce", "reduction"], rest));
}
/** F.l1_loss(input, target, sizeAverage?, reduce?, reduction?), any trailing run as one options object. */
export function l1Loss(input: Tensor, target: Tensor, ...rest: PositionalOr<[Legacy, Legacy, Reduction], LossOptions & LegacyReduction>): Tensor {
  return loss.l1Loss(input, target, lossArgs<LossOptions>(["sizeAverage", "reduce", "reduction"], rest));
}
/** F.huber_loss(input, target, reduction?, delta?), any trailing run as one options object. */
export function huberLoss(input: Tensor, target: Tensor, ...rest: PositionalOr<[Reduction, number], LossOptions & { delta?: number }>): Tensor {
  return loss.huberLoss(input, target, lossArgs<LossOptions & { delta?: number }>(["reduction", "delta"], rest));
}
/** F.smooth_l1_loss(input, target, sizeAverage?, reduce?, reduction?, beta?), any trailing run as one options object. */
export function smoothL1Loss(
  input: Tensor,
  target: Tensor,
  ...rest: PositionalOr<[Legacy, Legacy, Reduction, number], LossOptions & LegacyReduction & { beta?: number }>
): Tensor {
  return loss.smoothL1Loss(input, target, lossArgs<LossOptions & { beta?: number }>(["sizeAverage", "reduce", "reduction", "beta"], rest));
}
/** F.nll_loss(input, target, weight?, sizeAverage?, ignoreIndex?, reduce?, reduction?), any trailing run as one options object. */
export function nllLoss(
  input: Tensor,
  target: Tensor,
  ...rest: PositionalOr<[Tensor | null, Legacy, number, Legacy, Reduction], NLLOptions & LegacyReduction>
): Tensor {
  return loss.nllLoss(input, target, lossArgs<NLLOptions>(["weight", "sizeAverage", "ignoreIndex", "reduce", "reduction"], rest));
}
/** F.cross_entropy(input, target, weight?, sizeAverage?, ignoreIndex?, reduce?, reduction?, labelSmoothing?), any trailing run as one options object. */
export function crossEntropy(
  input: Tensor,
  target: Tensor,
  ...rest: PositionalOr<[Tensor | null, Legacy, number, Legacy, Reduction, number], CEOptions & LegacyReduction>
): Tensor {
  return loss.crossEntropy(input, target, lossArgs<CEOptions>(["weight", "sizeAverage", "ignoreIndex", "reduce", "reduction", "labelSmoothing"], rest));
}
export function klDiv(input: Tensor, target: Tensor, opts: { reduction?: Reduction | "batchmean"; logTarget?: boolean } = {}): Tensor {
  return loss.klDiv(input, target, opts);
}
export * from "./functional/attention.js";
export * from "./functional/pooling.js";
export * from "./functional/normalization.js";
export * from "./functional/vision.js";
export * from "./functional/convolution.js";
