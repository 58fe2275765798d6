// BatchNorm1d (running statistics, momentum, eval mode), LayerNorm and Embedding.
import { empty, ones, tensor, zeros } from "../../ops/creation.js";
import { int64 } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional.js";
import * as init from "../init.js";
import { Module, pyBool, pyFloat } from "../module.js";
import { Parameter } from "../parameter.js";
import type { FactoryOptions } from "./linear.js";

export interface BatchNormOptions extends FactoryOptions {
  eps?: number;
  /** null: a cumulative moving average (1 / numBatchesTracked). */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

/** Batch normalisation of [N, C] or [N, C, L] inputs over N (and L), per channel. */
export class BatchNorm1d extends Module {
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

  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
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

  protected checkInputDim(input: Tensor): void {
    if (input.dim() !== 2 && input.dim() !== 3) throw new RangeError(`expected 2D or 3D input (got ${input.dim()}D input)`);
  }

  override forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.numBatchesTracked) {
      this.numBatchesTracked.add_(1);
      factor = this.momentum === null ? 1 / this.numBatchesTracked.item() : this.momentum;
    }
    const useBatchStats = this.training || (this.runningMean === null && this.runningVar === null);
    return F.batchNorm(
      input,
      !this.training || this.trackRunningStats ? this.runningMean : null,
      !this.training || this.trackRunningStats ? this.runningVar : null,
      { weight: this.weight, bias: this.bias, training: useBatchStats, momentum: factor, eps: this.eps },
    );
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? "None" : pyFloat(this.momentum)}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/** Layer normalisation over the trailing normalizedShape dims, with an elementwise affine. */
export class LayerNorm extends Module {
  normalizedShape: number[];
  eps: number;
  elementwiseAffine: boolean;
  /** Null when elementwiseAffine is false. */
  weight: Parameter;
  bias: Parameter;
  constructor(normalizedShape: number | readonly number[], opts: { eps?: number; elementwiseAffine?: boolean } & FactoryOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape.slice();
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const f = { dtype: opts.dtype, device: opts.device };
    this.weight = (this.elementwiseAffine ? new Parameter(ones(this.normalizedShape, f)) : null) as Parameter;
    this.bias = (this.elementwiseAffine ? new Parameter(zeros(this.normalizedShape, f)) : null) as Parameter;
  }
  override forward(input: Tensor): Tensor {
    return F.layerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps);
  }
  override extraRepr(): string {
    const s = this.normalizedShape;
    return `(${s.join(", ")}${s.length === 1 ? "," : ""}), eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

export interface EmbeddingOptions extends FactoryOptions {
  paddingIdx?: number | null;
  /** Looked-up rows whose normType-norm exceeds this are rescaled to it in place. */
  maxNorm?: number | null;
  normType?: number;
  scaleGradByFreq?: boolean;
  /** Not available (kindling has no sparse tensors): true throws. */
  sparse?: boolean;
  /** The initial weight (PyTorch's _weight), kept as the parameter's memory. */
  weight?: Tensor;
  /** With weight: whether it takes no gradient (PyTorch's _freeze). */
  freeze?: boolean;
}

/** A lookup table of numEmbeddings vectors of size embeddingDim, drawn from N(0, 1); the padding row is zero. */
export class Embedding extends Module {
  numEmbeddings: number;
  embeddingDim: number;
  paddingIdx: number | null;
  maxNorm: number | null;
  normType: number;
  scaleGradByFreq: boolean;
  sparse: boolean;
  weight: Parameter;
  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingOptions = {}) {
    super();
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    let pad = opts.paddingIdx ?? null;
    if (pad !== null) {
      if (pad >= numEmbeddings || pad < -numEmbeddings) throw new RangeError("Padding_idx must be within num_embeddings");
      if (pad < 0) pad += numEmbeddings;
    }
    this.paddingIdx = pad;
    this.maxNorm = opts.maxNorm ?? null;
    this.normType = opts.normType ?? 2;
    this.scaleGradByFreq = opts.scaleGradByFreq ?? false;
    if (this.scaleGradByFreq) throw new TypeError("Embedding: scaleGradByFreq is not supported by kindling");
    this.sparse = opts.sparse ?? false;
    if (this.sparse) throw new TypeError(F.SPARSE_EMBEDDING);
    if (opts.weight) {
      if (opts.weight.shape.length !== 2 || opts.weight.shape[0] !== numEmbeddings || opts.weight.shape[1] !== embeddingDim) {
        throw new RangeError("Shape of weight does not match num_embeddings and embedding_dim");
      }
      this.weight = new Parameter(opts.weight, !(opts.freeze ?? false));
    } else {
      this.weight = new Parameter(empty([numEmbeddings, embeddingDim], { dtype: opts.dtype, device: opts.device }));
      this.resetParameters();
    }
  }

  /**
   * An Embedding whose weight is `embeddings` (the same memory), frozen unless freeze is false;
   * the padding row is kept as given.
   */
  static fromPretrained(
    embeddings: Tensor,
    opts: { freeze?: boolean; paddingIdx?: number | null; maxNorm?: number | null; normType?: number; scaleGradByFreq?: boolean; sparse?: boolean } = {},
  ): Embedding {
    if (embeddings.dim() !== 2) throw new RangeError("Embeddings parameter is expected to be 2-dimensional");
    const [rows, cols] = embeddings.shape;
    return new Embedding(rows, cols, { ...opts, weight: embeddings, freeze: opts.freeze ?? true });
  }

  resetParameters(): void {
    init.normal_(this.weight);
    if (this.paddingIdx !== null) init.zeros_(this.weight.data.select(0, this.paddingIdx));
  }
  override forward(input: Tensor): Tensor {
    return F.embedding(input, this.weight, { paddingIdx: this.paddingIdx, maxNorm: this.maxNorm, normType: this.normType });
  }
  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.sparse) s += ", sparse=True";
    return s;
  }
}
