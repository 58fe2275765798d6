// Loss layers: options as PyTorch's keyword arguments; weight-like tensors are registered buffers
// (so .to() converts them and they appear in stateDict, as in PyTorch).
import type { Reduction } from "../../ops/loss.js";
import type { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional.js";
import { Module } from "../module.js";

export type { Reduction };

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
  constructor(opts: { weight?: Tensor | null; reduction?: Reduction } = {}) {
    super(opts);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

export class BCEWithLogitsLoss extends Loss {
  declare weight: Tensor | null;
  declare posWeight: Tensor | null;
  constructor(opts: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {}) {
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
  constructor(opts: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction } = {}) {
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
  constructor(opts: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction; labelSmoothing?: number } = {}) {
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
