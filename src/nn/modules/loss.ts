// Loss layers: options as PyTorch's keyword arguments; weight-like tensors are registered buffers
// (so .to() converts them and they appear in stateDict, as in PyTorch).
import type { Reduction } from "../../ops/loss.js";
import { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional.js";
import { Module } from "../module.js";

export type { Reduction };

/**
 * The weighted losses' first positional parameter is the class weight (nn.CrossEntropyLoss(w));
 * read as an options object, a weight tensor was dropped and the loss ran unweighted.
 */
function weightFirst<O extends object>(weight: Tensor | null | undefined | (O & { weight?: Tensor | null }), more: O): O & { weight?: Tensor | null } {
  if (weight === undefined || weight === null || weight instanceof Tensor) return { ...more, weight: weight ?? null };
  return { ...weight, ...more };
}

abstract class Loss extends Module {
  reduction: Reduction;
  constructor(opts: { reduction?: Reduction }) {
    super();
    this.reduction = opts.reduction ?? "mean";
  }
  abstract override forward(input: Tensor, target: Tensor): Tensor;
}
abstract class WeightedLoss extends Loss {
  declare weight: Tensor | null;
  constructor(opts: { reduction?: Reduction; weight?: Tensor | null }) {
    super(opts);
    this.registerBuffer("weight", opts.weight ?? null);
  }
}

export class BCELoss extends WeightedLoss {
  /** new BCELoss(weight?, { reduction }) or new BCELoss({ weight, reduction }). */
  constructor(weight?: Tensor | null | { weight?: Tensor | null; reduction?: Reduction }, more: { reduction?: Reduction } = {}) {
    const opts = weightFirst(weight, more);
    super(opts);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

export class BCEWithLogitsLoss extends Loss {
  declare weight: Tensor | null;
  declare posWeight: Tensor | null;
  /** new BCEWithLogitsLoss(weight?, { reduction, posWeight }) or new BCEWithLogitsLoss({ weight, posWeight, reduction }). */
  constructor(
    weight?: Tensor | null | { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction },
    more: { posWeight?: Tensor | null; reduction?: Reduction } = {},
  ) {
    const opts = weightFirst(weight, more);
    super(opts);
    this.registerBuffer("weight", opts.weight ?? null);
    this.registerBuffer("pos_weight", opts.posWeight ?? null);
    Object.defineProperty(this, "posWeight", { get: () => (this as unknown as { pos_weight: Tensor | null }).pos_weight, enumerable: false });
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.posWeight, reduction: this.reduction });
  }
}

export class MSELoss extends Loss {
  constructor(opts: { reduction?: Reduction } = {}) {
    super(opts);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

export class L1Loss extends Loss {
  constructor(opts: { reduction?: Reduction } = {}) {
    super(opts);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

export class HuberLoss extends Loss {
  delta: number;
  constructor(opts: { reduction?: Reduction; delta?: number } = {}) {
    super(opts);
    this.delta = opts.delta ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

export class SmoothL1Loss extends Loss {
  beta: number;
  constructor(opts: { reduction?: Reduction; beta?: number } = {}) {
    super(opts);
    this.beta = opts.beta ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

export class NLLLoss extends WeightedLoss {
  ignoreIndex: number;
  /** new NLLLoss(weight?, { ignoreIndex, reduction }) or new NLLLoss({ weight, ignoreIndex, reduction }). */
  constructor(weight?: Tensor | null | { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction }, more: { ignoreIndex?: number; reduction?: Reduction } = {}) {
    const opts = weightFirst(weight, more);
    super(opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

export class CrossEntropyLoss extends WeightedLoss {
  ignoreIndex: number;
  labelSmoothing: number;
  /** new CrossEntropyLoss(weight?, { ignoreIndex, reduction, labelSmoothing }) or new CrossEntropyLoss({ weight, ... }). */
  constructor(
    weight?: Tensor | null | { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction; labelSmoothing?: number },
    more: { ignoreIndex?: number; reduction?: Reduction; labelSmoothing?: number } = {},
  ) {
    const opts = weightFirst(weight, more);
    super(opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

export class KLDivLoss extends Module {
  reduction: Reduction | "batchmean";
  logTarget: boolean;
  constructor(opts: { reduction?: Reduction | "batchmean"; logTarget?: boolean } = {}) {
    super();
    this.reduction = opts.reduction ?? "mean";
    this.logTarget = opts.logTarget ?? false;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}
