// Functional normalisation: F.batchNorm, F.groupNorm, F.instanceNorm and F.localResponseNorm.
// batchNorm and groupNorm are one fused node each (NativeBatchNormBackward0,
// NativeGroupNormBackward0) whose backward runs closed-form formulas, or, under createGraph,
// differentiates the recomputed forward so second derivatives stay exact.
import { autograd, isGradEnabled } from "../../autograd/index.js";
import { zeros } from "../../ops/creation.js";
import { record, withGradMode } from "../../ops/node.js";
import { batchNormBackward, batchNormForward, groupNormForward } from "../../ops/normalization.js";
import { avgPool2d } from "../../ops/pooling.js";
import { cat } from "../../ops/view.js";
import { formatShape } from "../../tensor/shape.js";
import { Tensor } from "../../tensor/tensor.js";
import { trailing } from "./args.js";
import { tracer } from "../../ops/trace.js";

/** The backward of a fused node under createGraph: differentiate the recomputed forward. */
function recomputedGrads(forward: () => Tensor, inputs: Array<Tensor | null>, gy: Tensor): Array<Tensor | null> {
  const live = inputs.filter((t): t is Tensor => t?.requiresGrad === true);
  const grads = autograd.grad([forward()], live, { gradOutputs: [gy], createGraph: true, allowUnused: true });
  return inputs.map((t) => (t?.requiresGrad ? (grads[live.indexOf(t)] ?? null) : null));
}

function pyShape(shape: readonly number[]): string {
  return `torch.Size(${formatShape(shape)})`;
}

export interface BatchNormOptions {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}
type BatchNormTail = Omit<BatchNormOptions, "runningMean" | "runningVar">;

/**
 * F.batch_norm(input, runningMean, runningVar, weight?, bias?, training=false, momentum=0.1, eps=1e-5):
 * normalisation over every dim but the channel dim (1). In training, normalises with the batch's
 * biased variance and updates the running stats in place with the unbiased one.
 */
export function batchNorm(
  input: Tensor,
  runningMean?: Tensor | null,
  runningVar?: Tensor | null,
  ...rest: [(Tensor | null | BatchNormTail)?, (Tensor | null | BatchNormTail)?, (boolean | BatchNormTail)?, (number | BatchNormTail)?, (number | BatchNormTail)?]
): Tensor {
  const opts = trailing<BatchNormTail>(["weight", "bias", "training", "momentum", "eps"], rest);
  if (tracer !== null && tracer.depth === 0) return tracer.call("batchNorm", batchNorm, [input, runningMean, runningVar, opts]);
  const training = opts.training ?? false;
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  const weight = opts.weight ?? null;
  const bias = opts.bias ?? null;
  if (input.dim() < 2) throw new RangeError(`batch_norm: expected at least 2D input (got ${input.dim()}D input)`);
  const c = input.shape[1];
  const dims = [0, ...Array.from({ length: input.dim() - 2 }, (_, i) => i + 2)];
  const count = input.numel() / c;
  if (training && count <= 1) {
    throw new RangeError(`Expected more than 1 value per channel when training, got input size ${pyShape(input.shape)}`);
  }
  for (const [name, t] of [["running_mean", runningMean], ["running_var", runningVar]] as const) {
    if (t) {
      if (t.numel() !== c) throw new RangeError(`${name} should contain ${c} elements not ${t.numel()}`);
    } else if (!training) throw new RangeError(`${name} must be defined in evaluation mode`);
  }
  for (const [name, t] of [["weight", weight], ["bias", bias]] as const) {
    if (t && t.numel() !== c) throw new RangeError(`${name} should contain ${c} elements not ${t.numel()}`);
  }
  const bshape = [1, c, ...Array(input.dim() - 2).fill(1)];
  const useBatch = training || !runningMean || !runningVar;
  const { y, mean, invstd } = batchNormForward(
    input,
    weight,
    bias,
    runningMean ?? null,
    runningVar ?? null,
    training,
    momentum,
    eps,
  );
  if (!isGradEnabled() || !(input.requiresGrad || weight?.requiresGrad || bias?.requiresGrad)) return y;
  const runMean = useBatch ? null : Tensor.make([c], input.dtype, new input.dtype.ArrayType(mean), input.device);
  const runInvstd = useBatch ? null : Tensor.make([c], input.dtype, new input.dtype.ArrayType(invstd), input.device);
  const composite = () => {
    const m = runMean ? runMean.reshape(bshape) : input.mean(dims, { keepdim: true });
    const s = runInvstd ? runInvstd.reshape(bshape) : input.var(dims, { keepdim: true, correction: 0 }).add(eps).rsqrt();
    let out = input.sub(m).mul(s);
    if (weight) out = out.mul(weight.reshape(bshape));
    return bias ? out.add(bias.reshape(bshape)) : out;
  };
  return record("NativeBatchNormBackward0", [input, weight, bias], y, (gy) => {
    if (isGradEnabled()) return recomputedGrads(composite, [input, weight, bias], gy);
    return batchNormBackward(gy, input, weight, mean, invstd, useBatch, [input.requiresGrad, weight?.requiresGrad === true, bias?.requiresGrad === true]);
  }, [input, ...(weight ? [weight] : [])]);
}

export interface GroupNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/** F.group_norm(input, numGroups, weight?, bias?, eps=1e-5): normalises each group of channels per sample. */
export function groupNorm(
  input: Tensor,
  numGroups: number,
  ...rest: [(Tensor | null | GroupNormOptions)?, (Tensor | null | GroupNormOptions)?, (number | GroupNormOptions)?]
): Tensor {
  const o = trailing<GroupNormOptions>(["weight", "bias", "eps"], rest);
  if (tracer !== null && tracer.depth === 0) return tracer.call("groupNorm", groupNorm, [input, numGroups, o]);
  const weight = o.weight ?? null;
  const bias = o.bias ?? null;
  const eps = o.eps ?? 1e-5;
  if (input.dim() < 2) throw new RangeError(`Expected at least 2 dimensions for input tensor but received ${input.dim()}`);
  const n = input.shape[0];
  const c = input.shape[1];
  const g = numGroups;
  if (c % g !== 0) {
    throw new RangeError(`Expected number of channels in input to be divisible by num_groups, but got input of shape ${formatShape(input.shape)} and num_groups=${g}`);
  }
  for (const [name, t] of [["weight", weight], ["bias", bias]] as const) {
    if (t && (t.dim() !== 1 || t.numel() !== c)) {
      throw new RangeError(
        `Expected ${name} to be a vector of size equal to the number of channels in input, but got ${name} of shape ${formatShape(t.shape)} and input of shape ${formatShape(input.shape)}`,
      );
    }
  }
  const cg = c / g;
  const { y, mean: meanArr, rstd: rstdArr } = groupNormForward(input, g, weight, bias, eps);
  if (!isGradEnabled() || !(input.requiresGrad || weight?.requiresGrad || bias?.requiresGrad)) return y;
  const x = input.detach().reshape([n, g, cg, -1]);
  const mean = Tensor.make([n, g, 1, 1], input.dtype, new input.dtype.ArrayType(meanArr), input.device);
  const rstd = Tensor.make([n, g, 1, 1], input.dtype, new input.dtype.ArrayType(rstdArr), input.device);
  const xhat = x.sub(mean).mul(rstd); // [n, g, cg, hw]
  const composite = () => {
    const xr = input.reshape([n, g, cg, -1]);
    let out = xr.sub(xr.mean([2, 3], { keepdim: true })).mul(xr.var([2, 3], { keepdim: true, correction: 0 }).add(eps).rsqrt());
    if (weight) out = out.mul(weight.reshape([1, g, cg, 1]));
    if (bias) out = out.add(bias.reshape([1, g, cg, 1]));
    return out.reshape(input.shape);
  };
  return record("NativeGroupNormBackward0", [input, weight, bias], y, (gy) => {
    if (isGradEnabled()) return recomputedGrads(composite, [input, weight, bias], gy);
    const gr = gy.reshape([n, g, cg, -1]);
    let gx: Tensor | null = null;
    if (input.requiresGrad) {
      const gw = weight ? gr.mul(weight.reshape([1, g, cg, 1])) : gr;
      const gMean = gw.mean([2, 3], { keepdim: true });
      const gProj = gw.mul(xhat).mean([2, 3], { keepdim: true });
      gx = gw.sub(gMean).sub(xhat.mul(gProj)).mul(rstd).reshape(input.shape);
    }
    const gWeight = weight?.requiresGrad ? gr.mul(xhat).sum([0, 3]).reshape([c]) : null;
    const gBias = bias?.requiresGrad ? gr.sum([0, 3]).reshape([c]) : null;
    return [gx, gWeight, gBias];
  }, [input]);
}

export interface InstanceNormOptions {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  useInputStats?: boolean;
  momentum?: number;
  eps?: number;
}

/** [c] -> [b * c], each sample's copy of a per-channel vector (PyTorch's repeat_if_defined). */
function repeated(t: Tensor | null | undefined, b: number): Tensor | null {
  return t ? t.unsqueeze(0).expand([b, t.shape[0]]).reshape([b * t.shape[0]]) : null;
}

/**
 * F.instance_norm(input, runningMean?, runningVar?, weight?, bias?, useInputStats=true, momentum=0.1, eps=1e-5):
 * batch norm of the input viewed as [1, N * C, *], as PyTorch computes it; the running stats
 * become the mean over the batch of the per-sample updates.
 */
export function instanceNorm(
  input: Tensor,
  ...rest: [
    (Tensor | null | InstanceNormOptions)?,
    (Tensor | null | InstanceNormOptions)?,
    (Tensor | null | InstanceNormOptions)?,
    (Tensor | null | InstanceNormOptions)?,
    (boolean | InstanceNormOptions)?,
    (number | InstanceNormOptions)?,
    (number | InstanceNormOptions)?,
  ]
): Tensor {
  const o = trailing<InstanceNormOptions>(["runningMean", "runningVar", "weight", "bias", "useInputStats", "momentum", "eps"], rest);
  if (tracer !== null && tracer.depth === 0) return tracer.call("instanceNorm", instanceNorm, [input, o]);
  const useInputStats = o.useInputStats ?? true;
  if (input.dim() < 2) throw new RangeError(`instance_norm: expected at least 2D input (got ${input.dim()}D input)`);
  if (useInputStats) {
    const spatial = input.shape.slice(2).reduce((p, q) => p * q, 1);
    if (spatial === 1) throw new RangeError(`Expected more than 1 spatial element when training, got input size ${pyShape(input.shape)}`);
  }
  const [b, c] = input.shape;
  const rm = withGradMode(false, () => repeated(o.runningMean, b)?.contiguous() ?? null);
  const rv = withGradMode(false, () => repeated(o.runningVar, b)?.contiguous() ?? null);
  const out = batchNorm(input.contiguous().reshape([1, b * c, ...input.shape.slice(2)]), rm, rv, {
    weight: repeated(o.weight, b),
    bias: repeated(o.bias, b),
    training: useInputStats,
    momentum: o.momentum ?? 0.1,
    eps: o.eps ?? 1e-5,
  });
  withGradMode(false, () => {
    if (o.runningMean && rm) o.runningMean.copy_(rm.reshape([b, c]).mean(0));
    if (o.runningVar && rv) o.runningVar.copy_(rv.reshape([b, c]).mean(0));
  });
  return out.view(input.shape);
}

/**
 * F.local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1): x / (k + alpha * mean of x^2
 * over `size` neighbouring channels)^beta, composed as PyTorch composes it.
 */
export function localResponseNorm(
  input: Tensor,
  size: number,
  ...rest: [(number | { alpha?: number; beta?: number; k?: number })?, (number | { beta?: number; k?: number })?, (number | { k?: number })?]
): Tensor {
  const o = trailing<{ alpha: number; beta: number; k: number }>(["alpha", "beta", "k"], rest);
  const alpha = o.alpha ?? 1e-4;
  const beta = o.beta ?? 0.75;
  const k = o.k ?? 1;
  const dim = input.dim();
  if (dim < 3) throw new RangeError(`Expected 3D or higher dimensionality                          input (got ${dim} dimensions)`);
  if (input.numel() === 0) return input;
  const sizes = input.shape;
  // [N, 1, C, rest] with size // 2 zero channels before and (size - 1) // 2 after.
  let div = input.mul(input).reshape([sizes[0], 1, sizes[1], -1]);
  const rows = div.shape[3];
  const before = Math.floor(size / 2);
  const after = Math.floor((size - 1) / 2);
  const pads = [
    ...(before > 0 ? [zeros([sizes[0], 1, before, rows], { dtype: input.dtype, device: input.device })] : []),
    div,
    ...(after > 0 ? [zeros([sizes[0], 1, after, rows], { dtype: input.dtype, device: input.device })] : []),
  ];
  div = pads.length > 1 ? cat(pads, 2) : div;
  div = avgPool2d(div, { kernel: [size, 1], stride: [1, 1], padding: [0, 0], ceilMode: false, countIncludePad: true, divisorOverride: null });
  div = div.reshape(sizes).mul(alpha).add(k).pow(beta);
  return input.div(div);
}

