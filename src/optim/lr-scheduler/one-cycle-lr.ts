// OneCycleLR (PyTorch 1.13): warm up from max_lr / div_factor to max_lr, anneal to
// initial_lr / final_div_factor (optionally in three phases), cycling momentum (or Adam's beta1)
// the other way. Writes initial_lr, max_lr, min_lr, max_momentum and base_momentum into the groups.

import { cosAccurate } from "../../random/libm-accurate.js";
import type { Optimizer } from "../optimizer.js";
import { LRScheduler, type SchedulerOptions, type StateKeys } from "./scheduler.js";
import { type PositionalOr, trailing } from "../../nn/functional/args.js";

export interface OneCycleLROptions extends SchedulerOptions {
  maxLr?: number | readonly number[];
  totalSteps?: number | null;
  epochs?: number | null;
  stepsPerEpoch?: number | null;
  pctStart?: number;
  annealStrategy?: "cos" | "linear";
  cycleMomentum?: boolean;
  baseMomentum?: number | readonly number[];
  maxMomentum?: number | readonly number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}

interface Phase {
  end_step: number;
  start_lr: string;
  end_lr: string;
  start_momentum: string;
  end_momentum: string;
}

function formatParam(name: string, optimizer: Optimizer<any>, param: number | readonly number[]): number[] {
  if (Array.isArray(param)) {
    if (param.length !== optimizer.paramGroups.length) {
      throw new Error(`expected ${optimizer.paramGroups.length} values for ${name}, got ${param.length}`);
    }
    return [...param];
  }
  return optimizer.paramGroups.map(() => param as number);
}

/** PyTorch's group key -> the camelCase property kindling's groups use. */
const GROUP_KEY: Record<string, string> = {
  initial_lr: "initialLr",
  max_lr: "maxLr",
  min_lr: "minLr",
  max_momentum: "maxMomentum",
  base_momentum: "baseMomentum",
};

export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  schedulePhases: Phase[];
  annealStrategy: "cos" | "linear";
  cycleMomentum: boolean;
  useBeta1 = false;

  /** new OneCycleLR(optimizer, maxLr, { totalSteps, ... }) or new OneCycleLR(optimizer, { maxLr, totalSteps, ... }). */
  /**
   * new OneCycleLR(optimizer, maxLr, totalSteps?, epochs?, stepsPerEpoch?, pctStart?, annealStrategy?,
   * cycleMomentum?, baseMomentum?, maxMomentum?, divFactor?, finalDivFactor?, threePhase?), any
   * trailing run as one options object.
   */
  constructor(
    optimizer: Optimizer<any>,
    ...rest: PositionalOr<[number | readonly number[], number | null, number | null, number | null, number, "cos" | "linear", boolean, number, number, number, number, boolean], OneCycleLROptions>
  ) {
    const o = trailing<OneCycleLROptions>(
      ["maxLr", "totalSteps", "epochs", "stepsPerEpoch", "pctStart", "annealStrategy", "cycleMomentum", "baseMomentum", "maxMomentum", "divFactor", "finalDivFactor", "threePhase"],
      rest,
    );
    const lastEpoch = o.lastEpoch ?? -1;
    const { totalSteps = null, epochs = null, stepsPerEpoch = null, pctStart = 0.3, annealStrategy = "cos", cycleMomentum = true } = o;
    const { baseMomentum = 0.85, maxMomentum = 0.95, divFactor = 25, finalDivFactor = 1e4, threePhase = false } = o;
    if (o.maxLr === undefined) throw new TypeError("OneCycleLR() missing required argument: 'max_lr'");
    let total: number;
    if (totalSteps === null && epochs === null && stepsPerEpoch === null) {
      throw new Error("You must define either total_steps OR (epochs AND steps_per_epoch)");
    } else if (totalSteps !== null) {
      if (totalSteps <= 0 || !Number.isInteger(totalSteps)) throw new Error(`Expected positive integer total_steps, but got ${totalSteps}`);
      total = totalSteps;
    } else {
      if (epochs === null || epochs <= 0 || !Number.isInteger(epochs)) throw new Error(`Expected positive integer epochs, but got ${epochs === null ? "None" : epochs}`);
      if (stepsPerEpoch === null || stepsPerEpoch <= 0 || !Number.isInteger(stepsPerEpoch)) {
        throw new Error(`Expected positive integer steps_per_epoch, but got ${stepsPerEpoch === null ? "None" : stepsPerEpoch}`);
      }
      total = epochs * stepsPerEpoch;
    }
    const phases: Phase[] = threePhase
      ? [
          { end_step: pctStart * total - 1, start_lr: "initial_lr", end_lr: "max_lr", start_momentum: "max_momentum", end_momentum: "base_momentum" },
          { end_step: 2 * pctStart * total - 2, start_lr: "max_lr", end_lr: "initial_lr", start_momentum: "base_momentum", end_momentum: "max_momentum" },
          { end_step: total - 1, start_lr: "initial_lr", end_lr: "min_lr", start_momentum: "max_momentum", end_momentum: "max_momentum" },
        ]
      : [
          { end_step: pctStart * total - 1, start_lr: "initial_lr", end_lr: "max_lr", start_momentum: "max_momentum", end_momentum: "base_momentum" },
          { end_step: total - 1, start_lr: "max_lr", end_lr: "min_lr", start_momentum: "base_momentum", end_momentum: "max_momentum" },
        ];
    if (pctStart < 0 || pctStart > 1 || typeof pctStart !== "number") throw new Error(`Expected float between 0 and 1 pct_start, but got ${pctStart}`);
    if (annealStrategy !== "cos" && annealStrategy !== "linear") {
      throw new Error(`anneal_strategy must by one of 'cos' or 'linear', instead got ${annealStrategy}`);
    }
    const maxLrs = formatParam("max_lr", optimizer, o.maxLr);
    if (lastEpoch === -1) {
      optimizer.paramGroups.forEach((group, i) => {
        group.initialLr = maxLrs[i] / divFactor;
        group.maxLr = maxLrs[i];
        group.minLr = (group.initialLr as number) / finalDivFactor;
      });
    }
    let useBeta1 = false;
    if (cycleMomentum) {
      if (!("momentum" in optimizer.defaults) && !("betas" in optimizer.defaults)) {
        throw new Error("optimizer must support momentum with `cycle_momentum` option enabled");
      }
      useBeta1 = "betas" in optimizer.defaults;
      const maxMomentums = formatParam("max_momentum", optimizer, maxMomentum);
      const baseMomentums = formatParam("base_momentum", optimizer, baseMomentum);
      if (lastEpoch === -1) {
        optimizer.paramGroups.forEach((group, i) => {
          if (useBeta1) group.betas = [maxMomentums[i], ...(group.betas as number[]).slice(1)];
          else group.momentum = maxMomentums[i];
          group.maxMomentum = maxMomentums[i];
          group.baseMomentum = baseMomentums[i];
        });
      }
    }
    super(optimizer, o);
    this.totalSteps = total;
    this.schedulePhases = phases;
    this.annealStrategy = annealStrategy;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    this.initialStep();
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === "cos") {
      const cosOut = cosAccurate(Math.PI * pct) + 1;
      return end + ((start - end) / 2) * cosOut;
    }
    return (end - start) * pct + start;
  }

  protected computeLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new Error(`Tried to step ${stepNum + 1} times. The specified number of total steps is ${this.totalSteps}`);
    }
    const lrs: number[] = [];
    for (const group of this.optimizer.paramGroups) {
      const g = group as Record<string, unknown>;
      let startStep = 0;
      let lr = 0;
      let momentum = 0;
      for (let i = 0; i < this.schedulePhases.length; i++) {
        const phase = this.schedulePhases[i];
        const endStep = phase.end_step;
        if (stepNum <= endStep || i === this.schedulePhases.length - 1) {
          const pct = (stepNum - startStep) / (endStep - startStep);
          lr = this.anneal(g[GROUP_KEY[phase.start_lr]] as number, g[GROUP_KEY[phase.end_lr]] as number, pct);
          if (this.cycleMomentum) momentum = this.anneal(g[GROUP_KEY[phase.start_momentum]] as number, g[GROUP_KEY[phase.end_momentum]] as number, pct);
          break;
        }
        startStep = phase.end_step;
      }
      lrs.push(lr);
      if (this.cycleMomentum) {
        if (this.useBeta1) group.betas = [momentum, ...(group.betas as number[]).slice(1)];
        else group.momentum = momentum;
      }
    }
    return lrs;
  }

  protected ownStateKeys(): StateKeys {
    return [
      ["total_steps", "totalSteps"],
      ["_schedule_phases", "schedulePhases"],
      // PyTorch 1.13 stores the bound method anneal_func here; 2.x stores this name instead.
      ["_anneal_func_type", "annealStrategy"],
      ["cycle_momentum", "cycleMomentum"],
      // PyTorch sets use_beta1 only when it cycles momentum.
      ...(this.cycleMomentum ? [["use_beta1", "useBeta1"] as const] : []),
    ];
  }
}
