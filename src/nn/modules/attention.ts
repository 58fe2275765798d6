// nn.MultiheadAttention, PyTorch's in parameters, initialisation, masks and repr.
import { empty } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";
import { multiHeadAttentionForward } from "../functional/attention.js";
import { type PositionalOr, trailing } from "../functional/args.js";
import * as init from "../init.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { type FactoryOptions, Linear } from "./linear.js";

/** The Linear MultiheadAttention keeps as out_proj; PyTorch prints it under this name. */
export class NonDynamicallyQuantizableLinear extends Linear {}

export interface MultiheadAttentionOptions extends FactoryOptions {
  /** Dropout probability on the attention weights (training only). */
  dropout?: number;
  bias?: boolean;
  addBiasKv?: boolean;
  addZeroAttn?: boolean;
  kdim?: number | null;
  vdim?: number | null;
  /** Inputs and output are [N, L, E] rather than [L, N, E]. */
  batchFirst?: boolean;
}

export interface MultiheadAttentionForwardOptions {
  /** [N, S] (or [S]): true (or a float added to the scores) marks keys to ignore. */
  keyPaddingMask?: Tensor | null;
  needWeights?: boolean;
  /** [L, S] or [N * numHeads, L, S]: true marks positions that may not be attended; a float mask is added. */
  attnMask?: Tensor | null;
  averageAttnWeights?: boolean;
}

/**
 * Attention over numHeads heads of size embedDim / numHeads. With kdim = vdim = embedDim the
 * input projection is one packed parameter, in_proj_weight [3E, E]; otherwise q_proj_weight,
 * k_proj_weight and v_proj_weight. forward returns [output, weights] (weights null when
 * needWeights is false).
 */
export class MultiheadAttention extends Module {
  embedDim: number;
  kdim: number;
  vdim: number;
  numHeads: number;
  dropout: number;
  batchFirst: boolean;
  headDim: number;
  addZeroAttn: boolean;
  /** Null when kdim or vdim differs from embedDim. */
  in_proj_weight: Parameter;
  q_proj_weight: Parameter;
  k_proj_weight: Parameter;
  v_proj_weight: Parameter;
  in_proj_bias: Parameter;
  out_proj: NonDynamicallyQuantizableLinear;
  bias_k: Parameter;
  bias_v: Parameter;

  /** new MultiheadAttention(embedDim, numHeads, dropout?, bias?, addBiasKv?, addZeroAttn?, kdim?, vdim?, batchFirst?), any trailing run as one options object. */
  constructor(
    embedDim: number,
    numHeads: number,
    ...rest: PositionalOr<[number, boolean, boolean, boolean, number | null, number | null, boolean], MultiheadAttentionOptions>
  ) {
    super();
    const opts = trailing<MultiheadAttentionOptions>(["dropout", "bias", "addBiasKv", "addZeroAttn", "kdim", "vdim", "batchFirst"], rest);
    const f = { dtype: opts.dtype, device: opts.device };
    this.embedDim = embedDim;
    this.kdim = opts.kdim ?? embedDim;
    this.vdim = opts.vdim ?? embedDim;
    this.numHeads = numHeads;
    this.dropout = opts.dropout ?? 0;
    this.batchFirst = opts.batchFirst ?? false;
    this.headDim = Math.floor(embedDim / numHeads);
    if (this.headDim * numHeads !== embedDim) throw new RangeError("embed_dim must be divisible by num_heads");
    const none = null as unknown as Parameter;
    if (!this.qkvSameEmbedDim) {
      this.q_proj_weight = new Parameter(empty([embedDim, embedDim], f));
      this.k_proj_weight = new Parameter(empty([embedDim, this.kdim], f));
      this.v_proj_weight = new Parameter(empty([embedDim, this.vdim], f));
      this.in_proj_weight = none;
    } else {
      this.in_proj_weight = new Parameter(empty([3 * embedDim, embedDim], f));
      this.q_proj_weight = none;
      this.k_proj_weight = none;
      this.v_proj_weight = none;
    }
    this.in_proj_bias = (opts.bias ?? true) ? new Parameter(empty([3 * embedDim], f)) : none;
    this.out_proj = new NonDynamicallyQuantizableLinear(embedDim, embedDim, { bias: opts.bias ?? true, ...f });
    if (opts.addBiasKv) {
      this.bias_k = new Parameter(empty([1, 1, embedDim], f));
      this.bias_v = new Parameter(empty([1, 1, embedDim], f));
    } else {
      this.bias_k = none;
      this.bias_v = none;
    }
    this.addZeroAttn = opts.addZeroAttn ?? false;
    this.resetParameters();
  }

  /** kdim and vdim equal embedDim (PyTorch's _qkv_same_embed_dim): the packed projection. */
  get qkvSameEmbedDim(): boolean {
    return this.kdim === this.embedDim && this.vdim === this.embedDim;
  }

  /** PyTorch's _reset_parameters: xavier_uniform_ on the projections, zero biases, xavier_normal_ on bias_k / bias_v. */
  resetParameters(): void {
    if (this.qkvSameEmbedDim) {
      init.xavierUniform_(this.in_proj_weight);
    } else {
      init.xavierUniform_(this.q_proj_weight);
      init.xavierUniform_(this.k_proj_weight);
      init.xavierUniform_(this.v_proj_weight);
    }
    if (this.in_proj_bias !== null) {
      init.constant_(this.in_proj_bias, 0);
      init.constant_(this.out_proj.bias, 0);
    }
    if (this.bias_k !== null) init.xavierNormal_(this.bias_k);
    if (this.bias_v !== null) init.xavierNormal_(this.bias_v);
  }

  /**
   * forward(query, key, value, keyPaddingMask?, needWeights?, attnMask?, averageAttnWeights?) in
   * PyTorch's order, or an options object for any trailing run of them.
   */
  override forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    ...rest: [
      (Tensor | null | MultiheadAttentionForwardOptions)?,
      (boolean | MultiheadAttentionForwardOptions)?,
      (Tensor | null | MultiheadAttentionForwardOptions)?,
      (boolean | MultiheadAttentionForwardOptions)?,
    ]
  ): [Tensor, Tensor | null] {
    const opts = trailing<MultiheadAttentionForwardOptions>(["keyPaddingMask", "needWeights", "attnMask", "averageAttnWeights"], rest);
    const isBatched = query.dim() === 3;
    if (this.batchFirst && isBatched) {
      // keep query === key === value where they were (the packed projection shares one product)
      if (key === value) {
        if (query === key) {
          query = key = value = query.transpose(1, 0);
        } else {
          query = query.transpose(1, 0);
          key = key.transpose(1, 0);
          value = key;
        }
      } else {
        query = query.transpose(1, 0);
        key = key.transpose(1, 0);
        value = value.transpose(1, 0);
      }
    }
    const common = {
      training: this.training,
      keyPaddingMask: opts.keyPaddingMask ?? null,
      needWeights: opts.needWeights ?? true,
      attnMask: opts.attnMask ?? null,
      averageAttnWeights: opts.averageAttnWeights ?? true,
    };
    const [out, weights] = multiHeadAttentionForward(
      query, key, value, this.embedDim, this.numHeads, this.in_proj_weight, this.in_proj_bias, this.bias_k, this.bias_v,
      this.addZeroAttn, this.dropout, this.out_proj.weight, this.out_proj.bias,
      this.qkvSameEmbedDim
        ? common
        : { ...common, useSeparateProjWeight: true, qProjWeight: this.q_proj_weight, kProjWeight: this.k_proj_weight, vProjWeight: this.v_proj_weight },
    );
    return [this.batchFirst && isBatched ? out.transpose(1, 0) : out, weights];
  }
}
