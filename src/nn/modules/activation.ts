// Activation layers: each holds its settings and prints them as PyTorch's repr does.
import { full } from "../../ops/creation.js";
import type { DType } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional.js";
import { Module, pyFloat } from "../module.js";
import { Parameter } from "../parameter.js";

type InplaceOpt = { inplace?: boolean };
const inplaceRepr = (inplace: boolean, lead: string) => (inplace ? `${lead}inplace=True` : "");

export class Sigmoid extends Module {
  override forward(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}
export class Tanh extends Module {
  override forward(input: Tensor): Tensor {
    return F.tanh(input);
  }
}
export class Softsign extends Module {
  override forward(input: Tensor): Tensor {
    return F.softsign(input);
  }
}
export class LogSigmoid extends Module {
  override forward(input: Tensor): Tensor {
    return F.logsigmoid(input);
  }
}
export class Tanhshrink extends Module {
  override forward(input: Tensor): Tensor {
    return F.tanhshrink(input);
  }
}

/** Base of the activations whose only setting is `inplace`. */
abstract class InplaceActivation extends Module {
  inplace: boolean;
  constructor(opts: InplaceOpt | boolean = {}) {
    super();
    this.inplace = typeof opts === "boolean" ? opts : (opts.inplace ?? false);
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace, "");
  }
}
export class ReLU extends InplaceActivation {
  override forward(input: Tensor): Tensor {
    return F.relu(input, { inplace: this.inplace });
  }
}
export class ReLU6 extends InplaceActivation {
  override forward(input: Tensor): Tensor {
    return F.relu6(input, { inplace: this.inplace });
  }
}
export class SELU extends InplaceActivation {
  override forward(input: Tensor): Tensor {
    return F.selu(input, { inplace: this.inplace });
  }
}
export class SiLU extends InplaceActivation {
  override forward(input: Tensor): Tensor {
    return F.silu(input, { inplace: this.inplace });
  }
}
export class Mish extends InplaceActivation {
  override forward(input: Tensor): Tensor {
    return F.mish(input, { inplace: this.inplace });
  }
}
export class Hardsigmoid extends InplaceActivation {
  override forward(input: Tensor): Tensor {
    return F.hardsigmoid(input, { inplace: this.inplace });
  }
  override extraRepr(): string {
    return "";
  }
}
export class Hardswish extends InplaceActivation {
  override forward(input: Tensor): Tensor {
    return F.hardswish(input, { inplace: this.inplace });
  }
  override extraRepr(): string {
    return "";
  }
}

export class LeakyReLU extends Module {
  negativeSlope: number;
  inplace: boolean;
  constructor(negativeSlope: number | { negativeSlope?: number; inplace?: boolean } = 0.01, inplace = false) {
    super();
    const o = typeof negativeSlope === "number" ? { negativeSlope, inplace } : negativeSlope;
    this.negativeSlope = o.negativeSlope ?? 0.01;
    this.inplace = o.inplace ?? false;
  }
  override forward(input: Tensor): Tensor {
    return F.leakyRelu(input, { negativeSlope: this.negativeSlope, inplace: this.inplace });
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${inplaceRepr(this.inplace, ", ")}`;
  }
}

export class ELU extends Module {
  alpha: number;
  inplace: boolean;
  constructor(alpha: number | { alpha?: number; inplace?: boolean } = 1, inplace = false) {
    super();
    const o = typeof alpha === "number" ? { alpha, inplace } : alpha;
    this.alpha = o.alpha ?? 1;
    this.inplace = o.inplace ?? false;
  }
  override forward(input: Tensor): Tensor {
    return F.elu(input, { alpha: this.alpha, inplace: this.inplace });
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${inplaceRepr(this.inplace, ", ")}`;
  }
}

/** CELU takes ELU's arguments and repr; only the function differs. */
export class CELU extends ELU {
  override forward(input: Tensor): Tensor {
    return F.celu(input, { alpha: this.alpha, inplace: this.inplace });
  }
}

/** y = x where x > threshold, value elsewhere. */
export class Threshold extends Module {
  threshold: number;
  value: number;
  inplace: boolean;
  constructor(threshold: number, value: number, opts: InplaceOpt | boolean = {}) {
    super();
    this.threshold = threshold;
    this.value = value;
    this.inplace = typeof opts === "boolean" ? opts : (opts.inplace ?? false);
  }
  override forward(input: Tensor): Tensor {
    return F.threshold(input, this.threshold, this.value, { inplace: this.inplace });
  }
  override extraRepr(): string {
    return `threshold=${pyFloat(this.threshold)}, value=${pyFloat(this.value)}${inplaceRepr(this.inplace, ", ")}`;
  }
}

export class Hardtanh extends Module {
  minVal: number;
  maxVal: number;
  inplace: boolean;
  constructor(minVal: number | { minVal?: number; maxVal?: number; inplace?: boolean } = -1, maxVal = 1, inplace = false) {
    super();
    const o = typeof minVal === "number" ? { minVal, maxVal, inplace } : minVal;
    this.minVal = o.minVal ?? -1;
    this.maxVal = o.maxVal ?? 1;
    this.inplace = o.inplace ?? false;
    if (this.maxVal <= this.minVal) throw new RangeError("max_val must be larger than min_val");
  }
  override forward(input: Tensor): Tensor {
    return F.hardtanh(input, { minVal: this.minVal, maxVal: this.maxVal, inplace: this.inplace });
  }
  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}${inplaceRepr(this.inplace, ", ")}`;
  }
}

/** PReLU: a learnt negative slope, one value or one per channel, initialised to `init` (0.25). */
export class PReLU extends Module {
  numParameters: number;
  weight: Parameter;
  constructor(opts: { numParameters?: number; init?: number; dtype?: DType; device?: string } | number = {}, initValue = 0.25) {
    super();
    const o = typeof opts === "number" ? { numParameters: opts, init: initValue } : opts;
    this.numParameters = o.numParameters ?? 1;
    this.weight = new Parameter(full([this.numParameters], o.init ?? 0.25, { dtype: o.dtype, device: o.device }));
  }
  override forward(input: Tensor): Tensor {
    return F.prelu(input, this.weight);
  }
  override extraRepr(): string {
    return `num_parameters=${this.numParameters}`;
  }
}

export class GELU extends Module {
  approximate: "none" | "tanh";
  constructor(opts: { approximate?: "none" | "tanh" } | "none" | "tanh" = {}) {
    super();
    this.approximate = typeof opts === "string" ? opts : (opts.approximate ?? "none");
  }
  override forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

export class Softplus extends Module {
  beta: number;
  threshold: number;
  constructor(beta: number | { beta?: number; threshold?: number } = 1, threshold = 20) {
    super();
    const o = typeof beta === "number" ? { beta, threshold } : beta;
    this.beta = o.beta ?? 1;
    this.threshold = o.threshold ?? 20;
  }
  override forward(input: Tensor): Tensor {
    return F.softplus(input, { beta: this.beta, threshold: this.threshold });
  }
  override extraRepr(): string {
    // PyTorch's defaults are the ints 1 and 20, printed without a decimal point.
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

export class Hardshrink extends Module {
  lambd: number;
  constructor(lambd: number | { lambd?: number } = 0.5) {
    super();
    this.lambd = typeof lambd === "number" ? lambd : (lambd.lambd ?? 0.5);
  }
  override forward(input: Tensor): Tensor {
    return F.hardshrink(input, this.lambd);
  }
  override extraRepr(): string {
    return pyFloat(this.lambd);
  }
}
export class Softshrink extends Module {
  lambd: number;
  constructor(lambd: number | { lambd?: number } = 0.5) {
    super();
    this.lambd = typeof lambd === "number" ? lambd : (lambd.lambd ?? 0.5);
  }
  override forward(input: Tensor): Tensor {
    return F.softshrink(input, this.lambd);
  }
  override extraRepr(): string {
    return pyFloat(this.lambd);
  }
}

type DimCtor = number | null | { dim?: number | null };
const dimArg = (d: DimCtor | undefined): number | null => (typeof d === "object" && d !== null ? (d.dim ?? null) : (d ?? null));

export class Softmax extends Module {
  dim: number | null;
  constructor(dim?: DimCtor) {
    super();
    this.dim = dimArg(dim);
  }
  override forward(input: Tensor): Tensor {
    return F.softmax(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim ?? "None"}`;
  }
}
export class Softmin extends Module {
  dim: number | null;
  constructor(dim?: DimCtor) {
    super();
    this.dim = dimArg(dim);
  }
  override forward(input: Tensor): Tensor {
    return F.softmin(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim ?? "None"}`;
  }
}
export class LogSoftmax extends Module {
  dim: number | null;
  constructor(dim?: DimCtor) {
    super();
    this.dim = dimArg(dim);
  }
  override forward(input: Tensor): Tensor {
    return F.logSoftmax(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim ?? "None"}`;
  }
}
