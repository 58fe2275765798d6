// GroupNorm and LocalResponseNorm (AlexNet's cross-channel normalisation).
import { empty } from "../../ops/creation.js";
import type { Tensor } from "../../tensor/tensor.js";
import { groupNorm, localResponseNorm } from "../functional/normalization.js";
import * as init from "../init.js";
import { Module, pyBool, pyFloat } from "../module.js";
import { Parameter } from "../parameter.js";
import type { FactoryOptions } from "./linear.js";
import { type PositionalOr, trailing } from "../functional/args.js";

/** Normalises each of numGroups groups of channels per sample, with a per-channel affine. */
export class GroupNorm extends Module {
  numGroups: number;
  numChannels: number;
  eps: number;
  affine: boolean;
  /** Null when affine is false. */
  weight: Parameter;
  bias: Parameter;
  /** new GroupNorm(numGroups, numChannels, eps?, affine?), any trailing run as one options object. */
  constructor(numGroups: number, numChannels: number, ...rest: PositionalOr<[number, boolean], { eps?: number; affine?: boolean } & FactoryOptions>) {
    super();
    const opts = trailing<{ eps?: number; affine?: boolean } & FactoryOptions>(["eps", "affine"], rest);
    if (numChannels % numGroups !== 0) throw new RangeError("num_channels must be divisible by num_groups");
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = opts.eps ?? 1e-5;
    this.affine = opts.affine ?? true;
    const f = { dtype: opts.dtype, device: opts.device };
    this.weight = (this.affine ? new Parameter(empty([numChannels], f)) : null) as Parameter;
    this.bias = (this.affine ? new Parameter(empty([numChannels], f)) : null) as Parameter;
    this.resetParameters();
  }
  resetParameters(): void {
    if (this.affine) {
      init.ones_(this.weight);
      init.zeros_(this.bias);
    }
  }
  override forward(input: Tensor): Tensor {
    return groupNorm(input, this.numGroups, this.weight, this.bias, this.eps);
  }
  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}

/** x / (k + alpha * mean of x^2 over `size` neighbouring channels)^beta. */
export class LocalResponseNorm extends Module {
  size: number;
  alpha: number;
  beta: number;
  k: number;
  constructor(size: number, alpha: number | { alpha?: number; beta?: number; k?: number } = 1e-4, beta = 0.75, k = 1) {
    super();
    const o = typeof alpha === "object" ? alpha : { alpha, beta, k };
    this.size = size;
    this.alpha = o.alpha ?? 1e-4;
    this.beta = o.beta ?? 0.75;
    this.k = o.k ?? 1;
  }
  override forward(input: Tensor): Tensor {
    return localResponseNorm(input, this.size, this.alpha, this.beta, this.k);
  }
  override extraRepr(): string {
    return `${this.size}, alpha=${pyFloat(this.alpha)}, beta=${pyFloat(this.beta)}, k=${pyFloat(this.k)}`;
  }
}
