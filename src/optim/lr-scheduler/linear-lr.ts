// LinearLR: scales each group's lr by a factor going linearly from startFactor to endFactor over
// totalIters epochs, in PyTorch's recursive form.
import type { Optimizer } from "../optimizer.js";
import { LRScheduler, type SchedulerOptions, type StateKeys } from "./scheduler.js";
import { type PositionalOr, trailing } from "../../nn/functional/args.js";

export interface LinearLROptions extends SchedulerOptions {
  startFactor?: number;
  endFactor?: number;
  totalIters?: number;
}

export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  /** new LinearLR(optimizer, startFactor?, endFactor?, totalIters?, lastEpoch?, verbose?), any trailing run as one options object. */
  constructor(optimizer: Optimizer<any>, ...rest: PositionalOr<[number, number, number, number, boolean], LinearLROptions>) {
    const opts = trailing<LinearLROptions>(["startFactor", "endFactor", "totalIters", "lastEpoch", "verbose"], rest);
    const startFactor = opts.startFactor ?? 1 / 3;
    const endFactor = opts.endFactor ?? 1;
    if (startFactor > 1 || startFactor < 0) throw new Error("Starting multiplicative factor expected to be between 0 and 1.");
    if (endFactor > 1 || endFactor < 0) throw new Error("Ending multiplicative factor expected to be between 0 and 1.");
    super(optimizer, opts);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = opts.totalIters ?? 5;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { startFactor, endFactor, totalIters, lastEpoch } = this;
    if (lastEpoch === 0) return groups.map((g) => g.lr * startFactor);
    if (lastEpoch > totalIters) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * (1 + (endFactor - startFactor) / (totalIters * startFactor + (lastEpoch - 1) * (endFactor - startFactor))));
  }

  protected override closedFormLr(): number[] {
    const { startFactor, endFactor, totalIters, lastEpoch } = this;
    return this.baseLrs.map((base) => base * (startFactor + ((endFactor - startFactor) * Math.min(totalIters, lastEpoch)) / totalIters));
  }

  protected ownStateKeys(): StateKeys {
    return [
      ["start_factor", "startFactor"],
      ["end_factor", "endFactor"],
      ["total_iters", "totalIters"],
    ];
  }
}
