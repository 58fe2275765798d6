// LambdaLR and MultiplicativeLR: a user function of the epoch sets each group's lr (LambdaLR:
// base_lr * f(epoch), the usual warmup schedule of Transformer training) or scales it every epoch
// (MultiplicativeLR: lr * f(epoch) from the second epoch on). One function for all groups or one
// per group, as PyTorch 1.13.
import type { Optimizer } from "../optimizer.js";
import { LRScheduler, type SchedulerOptions, type SchedulerStateDict, type StateKeys } from "./scheduler.js";

export type LrLambda = (epoch: number) => number;

function lambdasFor(optimizer: Optimizer<any>, lrLambda: LrLambda | readonly LrLambda[]): LrLambda[] {
  const n = optimizer.paramGroups.length;
  if (!Array.isArray(lrLambda)) return new Array<LrLambda>(n).fill(lrLambda as LrLambda);
  if (lrLambda.length !== n) throw new RangeError(`Expected ${n} lr_lambdas, but got ${lrLambda.length}`);
  return [...lrLambda];
}

/**
 * What LambdaLR and MultiplicativeLR share: one function per group, and a state dict without the
 * functions, which PyTorch stores as None (a plain function's state cannot be saved); loading it
 * leaves this scheduler's functions in place. They differ only in computeLr.
 */
abstract class LambdaScheduler extends LRScheduler {
  lrLambdas: LrLambda[];

  constructor(optimizer: Optimizer<any>, lrLambda: LrLambda | readonly LrLambda[], opts: SchedulerOptions = {}) {
    super(optimizer, opts);
    this.lrLambdas = lambdasFor(optimizer, lrLambda);
    this.initialStep();
  }

  protected ownStateKeys(): StateKeys {
    return [];
  }

  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), lr_lambdas: this.lrLambdas.map(() => null) };
  }

  override loadStateDict(stateDict: SchedulerStateDict | Map<string, unknown>): void {
    if (stateDict instanceof Map) {
      super.loadStateDict(new Map([...stateDict].filter(([k]) => k !== "lr_lambdas")));
      return;
    }
    const { lr_lambdas: _, ...rest } = stateDict;
    super.loadStateDict(rest);
  }
}

/** new LambdaLR(optimizer, lrLambda, { lastEpoch, verbose }); lrLambda: one function, or one per group. */
export class LambdaLR extends LambdaScheduler {
  protected computeLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i](this.lastEpoch));
  }
}

/** new MultiplicativeLR(optimizer, lrLambda, { lastEpoch, verbose }); lrLambda: one function, or one per group. */
export class MultiplicativeLR extends LambdaScheduler {
  protected computeLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch > 0) return groups.map((g, i) => g.lr * this.lrLambdas[i](this.lastEpoch));
    return groups.map((g) => g.lr);
  }
}
