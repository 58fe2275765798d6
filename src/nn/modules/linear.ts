// Linear, Bilinear and Identity, initialised exactly as PyTorch initialises them.
import { empty } from "../../ops/creation.js";
import type { DType } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional.js";
import * as init from "../init.js";
import { Module, pyBool } from "../module.js";
import { Parameter } from "../parameter.js";
import { type PositionalOr, trailing } from "../functional/args.js";

export interface FactoryOptions {
  dtype?: DType;
  device?: string;
}

/** Returns its input; takes (and ignores) any constructor arguments, as PyTorch's. */
export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return input;
  }
}

/**
 * y = x W^T + b. W is [outFeatures, inFeatures], drawn by kaiming_uniform_(a = sqrt(5)); b is
 * uniform on +-1/sqrt(inFeatures). `bias` is null when built with { bias: false }.
 */
export class Linear extends Module {
  inFeatures: number;
  outFeatures: number;
  weight: Parameter;
  /** Typed as present for convenience; null at run time for a Linear built with { bias: false }. */
  bias: Parameter;

  /** new Linear(in, out, bias?), or new Linear(in, out, { bias, dtype, device }). */
  constructor(inFeatures: number, outFeatures: number, ...rest: PositionalOr<[boolean], { bias?: boolean } & FactoryOptions>) {
    super();
    const opts = trailing<{ bias?: boolean } & FactoryOptions>(["bias"], rest);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(empty([outFeatures, inFeatures], { dtype: opts.dtype, device: opts.device }));
    this.bias = (opts.bias ?? true) ? new Parameter(empty([outFeatures], { dtype: opts.dtype, device: opts.device })) : (null as unknown as Parameter);
    this.resetParameters();
  }

  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  override forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** y = x1^T A x2 + b, with weight and bias uniform on +-1/sqrt(in1Features). */
export class Bilinear extends Module {
  in1Features: number;
  in2Features: number;
  outFeatures: number;
  weight: Parameter;
  /** Null at run time for { bias: false }. */
  bias: Parameter;

  constructor(in1Features: number, in2Features: number, outFeatures: number, opts: { bias?: boolean } & FactoryOptions = {}) {
    super();
    this.in1Features = in1Features;
    this.in2Features = in2Features;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(empty([outFeatures, in1Features, in2Features], { dtype: opts.dtype, device: opts.device }));
    this.bias = (opts.bias ?? true) ? new Parameter(empty([outFeatures], { dtype: opts.dtype, device: opts.device })) : (null as unknown as Parameter);
    this.resetParameters();
  }

  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.weight.shape[1]);
    init.uniform_(this.weight, -bound, bound);
    if (this.bias !== null) init.uniform_(this.bias, -bound, bound);
  }

  override forward(input1: Tensor, input2: Tensor): Tensor {
    return F.bilinear(input1, input2, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}
