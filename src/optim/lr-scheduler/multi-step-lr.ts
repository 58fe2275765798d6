// MultiStepLR: multiplies each group's lr by gamma at every milestone (by gamma ** k for a
// milestone given k times, as PyTorch's Counter does).
import type { Optimizer } from "../optimizer.js";
import { pyPow } from "../pow.js";
import { LRScheduler, type SchedulerOptions, type StateKeys } from "./scheduler.js";
import { type PositionalOr, trailing } from "../../nn/functional/args.js";

export interface MultiStepLROptions extends SchedulerOptions {
  milestones?: Iterable<number>;
  gamma?: number;
}

export class MultiStepLR extends LRScheduler {
  /** Milestone -> how many times it was given (PyTorch's Counter). */
  milestones: Map<number, number>;
  gamma: number;

  /** new MultiStepLR(optimizer, milestones, { gamma }) or new MultiStepLR(optimizer, { milestones, gamma }). */
  /** new MultiStepLR(optimizer, milestones, gamma?, lastEpoch?, verbose?), any trailing run as one options object. */
  constructor(optimizer: Optimizer<any>, ...rest: PositionalOr<[Iterable<number>, number, number, boolean], MultiStepLROptions>) {
    const o = trailing<MultiStepLROptions>(["milestones", "gamma", "lastEpoch", "verbose"], rest);
    super(optimizer, o);
    if (o.milestones === undefined) throw new TypeError("MultiStepLR() missing required argument: 'milestones'");
    this.milestones = new Map();
    for (const m of o.milestones) this.milestones.set(m, (this.milestones.get(m) ?? 0) + 1);
    this.gamma = o.gamma ?? 0.1;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const count = this.milestones.get(this.lastEpoch);
    if (count === undefined) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * pyPow(this.gamma, count));
  }

  protected override closedFormLr(): number[] {
    // bisect_right over the sorted milestones (with repeats): how many are <= lastEpoch.
    let passed = 0;
    for (const [m, c] of this.milestones) if (m <= this.lastEpoch) passed += c;
    return this.baseLrs.map((base) => base * pyPow(this.gamma, passed));
  }

  protected ownStateKeys(): StateKeys {
    return [
      ["milestones", "milestones"],
      ["gamma", "gamma"],
    ];
  }
}
