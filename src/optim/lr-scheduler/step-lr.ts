// StepLR: multiplies each group's lr by gamma every stepSize epochs.
import type { Optimizer } from "../optimizer.js";
import { pyPow } from "../pow.js";
import { LRScheduler, type SchedulerOptions, type StateKeys } from "./scheduler.js";
import { type PositionalOr, trailing } from "../../nn/functional/args.js";

export interface StepLROptions extends SchedulerOptions {
  stepSize?: number;
  gamma?: number;
}

export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  /** new StepLR(optimizer, stepSize, { gamma }) or new StepLR(optimizer, { stepSize, gamma }). */
  /** new StepLR(optimizer, stepSize, gamma?, lastEpoch?, verbose?), any trailing run as one options object. */
  constructor(optimizer: Optimizer<any>, ...rest: PositionalOr<[number, number, number, boolean], StepLROptions>) {
    const o = trailing<StepLROptions>(["stepSize", "gamma", "lastEpoch", "verbose"], rest);
    super(optimizer, o);
    if (o.stepSize === undefined) throw new TypeError("StepLR() missing required argument: 'step_size'");
    this.stepSize = o.stepSize;
    this.gamma = o.gamma ?? 0.1;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * pyPow(this.gamma, Math.floor(this.lastEpoch / this.stepSize)));
  }

  protected ownStateKeys(): StateKeys {
    return [
      ["step_size", "stepSize"],
      ["gamma", "gamma"],
    ];
  }
}
