// CosineAnnealingLR: PyTorch 1.13's recursive form, which follows the closed form
// eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2 while nothing else changes lr,
// and keeps cycling past T_max. Cosines are glibc's (correctly rounded), as Python's math.cos gives.

import { cosAccurate } from "../../random/libm-accurate.js";
import type { Optimizer } from "../optimizer.js";
import { LRScheduler, type SchedulerOptions, type StateKeys } from "./scheduler.js";
import { type PositionalOr, trailing } from "../../nn/functional/args.js";

export interface CosineAnnealingLROptions extends SchedulerOptions {
  tMax?: number;
  etaMin?: number;
}

export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;

  /** new CosineAnnealingLR(optimizer, tMax, { etaMin }) or new CosineAnnealingLR(optimizer, { tMax, etaMin }). */
  /** new CosineAnnealingLR(optimizer, tMax, etaMin?, lastEpoch?, verbose?), any trailing run as one options object. */
  constructor(optimizer: Optimizer<any>, ...rest: PositionalOr<[number, number, number, boolean], CosineAnnealingLROptions>) {
    const o = trailing<CosineAnnealingLROptions>(["tMax", "etaMin", "lastEpoch", "verbose"], rest);
    super(optimizer, o);
    if (o.tMax === undefined) throw new TypeError("CosineAnnealingLR() missing required argument: 'T_max'");
    this.tMax = o.tMax;
    this.etaMin = o.etaMin ?? 0;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    const { tMax, etaMin, lastEpoch } = this;
    if (lastEpoch === 0) return groups.map((g) => g.lr);
    if (this.stepCount === 1 && lastEpoch > 0) {
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + cosAccurate((lastEpoch * Math.PI) / tMax))) / 2);
    }
    if (pyMod(lastEpoch - 1 - tMax, 2 * tMax) === 0) {
      return groups.map((g, i) => g.lr + ((this.baseLrs[i] - etaMin) * (1 - cosAccurate(Math.PI / tMax))) / 2);
    }
    return groups.map(
      (g) => ((1 + cosAccurate((Math.PI * lastEpoch) / tMax)) / (1 + cosAccurate((Math.PI * (lastEpoch - 1)) / tMax))) * (g.lr - etaMin) + etaMin,
    );
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => this.etaMin + ((base - this.etaMin) * (1 + cosAccurate((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }

  protected ownStateKeys(): StateKeys {
    return [
      ["T_max", "tMax"],
      ["eta_min", "etaMin"],
    ];
  }
}

/** Python's % (the result takes the divisor's sign). */
function pyMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}
