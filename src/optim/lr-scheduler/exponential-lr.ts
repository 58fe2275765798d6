// ExponentialLR: multiplies each group's lr by gamma every epoch.
import type { Optimizer } from "../optimizer.js";
import { pyPow } from "../pow.js";
import { LRScheduler, type SchedulerOptions, type StateKeys } from "./scheduler.js";

export interface ExponentialLROptions extends SchedulerOptions {
  gamma?: number;
}

export class ExponentialLR extends LRScheduler {
  gamma: number;

  /** new ExponentialLR(optimizer, gamma) or new ExponentialLR(optimizer, { gamma }). */
  constructor(optimizer: Optimizer<any>, gamma: number | ExponentialLROptions, opts: ExponentialLROptions = {}) {
    const o = typeof gamma === "number" ? { ...opts, gamma } : { ...gamma, ...opts };
    super(optimizer, o);
    if (o.gamma === undefined) throw new TypeError("ExponentialLR() missing required argument: 'gamma'");
    this.gamma = o.gamma;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * pyPow(this.gamma, this.lastEpoch));
  }

  protected ownStateKeys(): StateKeys {
    return [["gamma", "gamma"]];
  }
}
