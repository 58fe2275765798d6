// LayerNorm and Embedding (batch norm lives in batchnorm.ts, re-exported here).
import { empty, ones, zeros } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional.js";
import * as init from "../init.js";
import { Module, pyBool, pyFloat } from "../module.js";
import { Parameter } from "../parameter.js";
import type { FactoryOptions } from "./linear.js";
import { type PositionalOr, trailing } from "../functional/args.js";

export { BatchNorm1d, type BatchNormOptions } from "./batchnorm.js";

/** Layer normalisation over the trailing normalizedShape dims, with an elementwise affine. */
export class LayerNorm extends Module {
  normalizedShape: number[];
  eps: number;
  elementwiseAffine: boolean;
  /** Null when elementwiseAffine is false. */
  weight: Parameter;
  bias: Parameter;
  /** new LayerNorm(normalizedShape, eps?, elementwiseAffine?), any trailing run as one options object. */
  constructor(normalizedShape: number | readonly number[], ...rest: PositionalOr<[number, boolean], { eps?: number; elementwiseAffine?: boolean } & FactoryOptions>) {
    super();
    const opts = trailing<{ eps?: number; elementwiseAffine?: boolean } & FactoryOptions>(["eps", "elementwiseAffine"], rest);
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

export interface FromPretrainedOptions {
  freeze?: boolean;
  paddingIdx?: number | null;
  maxNorm?: number | null;
  normType?: number;
  scaleGradByFreq?: boolean;
  sparse?: boolean;
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
  /** new Embedding(num, dim, paddingIdx?, maxNorm?, normType?, scaleGradByFreq?, sparse?, weight?), any trailing run as one options object. */
  constructor(numEmbeddings: number, embeddingDim: number, ...rest: PositionalOr<[number | null, number | null, number, boolean, boolean, Tensor], EmbeddingOptions>) {
    super();
    const opts = trailing<EmbeddingOptions>(["paddingIdx", "maxNorm", "normType", "scaleGradByFreq", "sparse", "weight"], rest);
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
  /** Embedding.fromPretrained(embeddings, freeze?, paddingIdx?, maxNorm?, normType?, scaleGradByFreq?, sparse?), any trailing run as one options object. */
  static fromPretrained(embeddings: Tensor, ...rest: PositionalOr<[boolean, number | null, number | null, number, boolean, boolean], FromPretrainedOptions>): Embedding {
    const opts = trailing<FromPretrainedOptions>(["freeze", "paddingIdx", "maxNorm", "normType", "scaleGradByFreq", "sparse"], rest);
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
