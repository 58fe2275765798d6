// Batch and instance normalisation: a shared _NormBase (weight, bias, running statistics and
// num_batches_tracked, registered under PyTorch's names), BatchNorm1d/2d and InstanceNorm1d/2d.
import { empty, ones, tensor, zeros } from "../../ops/creation.js";
import { int64 } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { batchNorm, instanceNorm } from "../functional/normalization.js";
import * as init from "../init.js";
import { Module, pyBool, pyFloat } from "../module.js";
import { Parameter } from "../parameter.js";
import type { FactoryOptions } from "./linear.js";
import { type PositionalOr, trailing } from "../functional/args.js";

export interface BatchNormOptions extends FactoryOptions {
  eps?: number;
  /** null: a cumulative moving average (1 / numBatchesTracked). */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

type NormArgs = PositionalOr<[number, number | null, boolean, boolean], BatchNormOptions>;

function normOptions(rest: readonly unknown[]): BatchNormOptions {
  return trailing<BatchNormOptions>(["eps", "momentum", "affine", "trackRunningStats"], rest);
}

/** What batch and instance norm share: parameters, buffers, their reset and the repr. */
export abstract class _NormBase extends Module {
  numFeatures: number;
  eps: number;
  momentum: number | null;
  affine: boolean;
  trackRunningStats: boolean;
  /** Null when affine is false. */
  weight: Parameter;
  bias: Parameter;
  declare runningMean: Tensor | null;
  declare runningVar: Tensor | null;
  declare numBatchesTracked: Tensor | null;

  constructor(numFeatures: number, opts: BatchNormOptions, defaults: { affine: boolean; trackRunningStats: boolean }) {
    super();
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? defaults.affine;
    this.trackRunningStats = opts.trackRunningStats ?? defaults.trackRunningStats;
    const f = { dtype: opts.dtype, device: opts.device };
    this.weight = (this.affine ? new Parameter(empty([numFeatures], f)) : null) as Parameter;
    this.bias = (this.affine ? new Parameter(empty([numFeatures], f)) : null) as Parameter;
    // PyTorch's buffer names, with camelCase aliases.
    this.registerBuffer("running_mean", this.trackRunningStats ? zeros([numFeatures], f) : null);
    this.registerBuffer("running_var", this.trackRunningStats ? ones([numFeatures], f) : null);
    this.registerBuffer("num_batches_tracked", this.trackRunningStats ? tensor(0, { dtype: int64, device: opts.device }) : null);
    const self = this as unknown as Record<string, Tensor | null>;
    for (const [alias, name] of [["runningMean", "running_mean"], ["runningVar", "running_var"], ["numBatchesTracked", "num_batches_tracked"]]) {
      Object.defineProperty(this, alias, { get: () => self[name], set: (v: Tensor | null) => void (self[name] = v), enumerable: false, configurable: true });
    }
    this.resetParameters();
  }

  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    this.runningMean!.zero_();
    this.runningVar!.fill_(1);
    this.numBatchesTracked!.zero_();
  }
  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine) {
      init.ones_(this.weight);
      init.zeros_(this.bias);
    }
  }

  protected abstract checkInputDim(input: Tensor): void;

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? "None" : pyFloat(this.momentum)}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/** Batch normalisation: batch statistics in training (updating the running ones), running statistics in eval. */
export abstract class _BatchNorm extends _NormBase {
  /** new BatchNorm2d(numFeatures, eps?, momentum?, affine?, trackRunningStats?), any trailing run as one options object. */
  constructor(numFeatures: number, ...rest: NormArgs) {
    super(numFeatures, normOptions(rest), { affine: true, trackRunningStats: true });
  }

  override forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.numBatchesTracked) {
      this.numBatchesTracked.add_(1);
      factor = this.momentum === null ? 1 / this.numBatchesTracked.item() : this.momentum;
    }
    const useBatchStats = this.training || (this.runningMean === null && this.runningVar === null);
    return batchNorm(
      input,
      !this.training || this.trackRunningStats ? this.runningMean : null,
      !this.training || this.trackRunningStats ? this.runningVar : null,
      { weight: this.weight, bias: this.bias, training: useBatchStats, momentum: factor, eps: this.eps },
    );
  }
}

/** Batch normalisation of [N, C] or [N, C, L] inputs over N (and L), per channel. */
export class BatchNorm1d extends _BatchNorm {
  protected checkInputDim(input: Tensor): void {
    if (input.dim() !== 2 && input.dim() !== 3) throw new RangeError(`expected 2D or 3D input (got ${input.dim()}D input)`);
  }
}

/** Batch normalisation of [N, C, H, W] inputs over N, H and W, per channel. */
export class BatchNorm2d extends _BatchNorm {
  protected checkInputDim(input: Tensor): void {
    if (input.dim() !== 4) throw new RangeError(`expected 4D input (got ${input.dim()}D input)`);
  }
}

/** Instance normalisation: each sample's channels normalised on their own; affine and running stats off by default. */
export abstract class _InstanceNorm extends _NormBase {
  /** new InstanceNorm2d(numFeatures, eps?, momentum?, affine?, trackRunningStats?), any trailing run as one options object. */
  constructor(numFeatures: number, ...rest: NormArgs) {
    super(numFeatures, normOptions(rest), { affine: false, trackRunningStats: false });
  }
  protected abstract noBatchDim(): number;

  override forward(input: Tensor): Tensor {
    // PyTorch 1.13 has no channel-count check here: a mismatch surfaces from batch_norm's size checks.
    this.checkInputDim(input);
    if (input.dim() === this.noBatchDim()) return this.apply1(input.unsqueeze(0)).squeeze(0);
    return this.apply1(input);
  }

  private apply1(input: Tensor): Tensor {
    return instanceNorm(input, this.runningMean, this.runningVar, this.weight, this.bias, this.training || !this.trackRunningStats, this.momentum ?? 0.1, this.eps);
  }
}

/** Instance normalisation of [N, C, L] (or [C, L]) inputs. */
export class InstanceNorm1d extends _InstanceNorm {
  protected noBatchDim(): number {
    return 2;
  }
  protected checkInputDim(input: Tensor): void {
    if (input.dim() !== 2 && input.dim() !== 3) throw new RangeError(`expected 2D or 3D input (got ${input.dim()}D input)`);
  }
}

/** Instance normalisation of [N, C, H, W] (or [C, H, W]) inputs. */
export class InstanceNorm2d extends _InstanceNorm {
  protected noBatchDim(): number {
    return 3;
  }
  protected checkInputDim(input: Tensor): void {
    if (input.dim() !== 3 && input.dim() !== 4) throw new RangeError(`expected 3D or 4D input (got ${input.dim()}D input)`);
  }
}
