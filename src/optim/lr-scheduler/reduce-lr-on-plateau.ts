// ReduceLROnPlateau (PyTorch 1.13): cuts every group's lr by `factor` once the metric has not
// improved (by `threshold`, relative or absolute) for more than `patience` epochs, then waits
// `cooldown` epochs; never below minLr, and only when the change exceeds eps.
import type { Tensor } from "../../tensor/tensor.js";
import type { Optimizer } from "../optimizer.js";
import { warn } from "../warn.js";
import { checkOptimizer, EPOCH_DEPRECATION_WARNING, format4e, loadStateOf, type SchedulerStateDict, type StateKeys, stateDictOf } from "./scheduler.js";
import { type PositionalOr, trailing } from "../../nn/functional/args.js";

export interface ReduceLROnPlateauOptions {
  mode?: "min" | "max";
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: "rel" | "abs";
  cooldown?: number;
  minLr?: number | readonly number[];
  eps?: number;
  verbose?: boolean;
}

export class ReduceLROnPlateau {
  optimizer: Optimizer<any>;
  factor: number;
  minLrs: number[];
  patience: number;
  verbose: boolean;
  cooldown: number;
  cooldownCounter = 0;
  mode: "min" | "max" = "min";
  threshold = 1e-4;
  thresholdMode: "rel" | "abs" = "rel";
  best = Number.POSITIVE_INFINITY;
  numBadEpochs = 0;
  modeWorse = Number.POSITIVE_INFINITY;
  eps: number;
  lastEpoch = 0;
  private lastLr: number[] | undefined;

  /** new ReduceLROnPlateau(optimizer, mode?, factor?, patience?, threshold?, thresholdMode?, cooldown?, minLr?, eps?, verbose?), any trailing run as one options object. */
  constructor(
    optimizer: Optimizer<any>,
    ...rest: PositionalOr<["min" | "max", number, number, number, "rel" | "abs", number, number | readonly number[], number, boolean], ReduceLROnPlateauOptions>
  ) {
    const opts = trailing<ReduceLROnPlateauOptions>(["mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps", "verbose"], rest);
    const { mode = "min", factor = 0.1, patience = 10, threshold = 1e-4, thresholdMode = "rel", cooldown = 0, minLr = 0, eps = 1e-8, verbose = false } = opts;
    if (factor >= 1) throw new Error("Factor should be < 1.0.");
    this.factor = factor;
    checkOptimizer(optimizer);
    this.optimizer = optimizer;
    if (Array.isArray(minLr)) {
      if (minLr.length !== optimizer.paramGroups.length) throw new Error(`expected ${optimizer.paramGroups.length} min_lrs, got ${minLr.length}`);
      this.minLrs = [...minLr];
    } else {
      this.minLrs = optimizer.paramGroups.map(() => minLr as number);
    }
    this.patience = patience;
    this.verbose = verbose;
    this.cooldown = cooldown;
    this.eps = eps;
    this.initIsBetter(mode, threshold, thresholdMode);
    this.reset();
  }

  private reset(): void {
    this.best = this.modeWorse;
    this.cooldownCounter = 0;
    this.numBadEpochs = 0;
  }

  /** Records one epoch's metric (a number or a one-element tensor) and reduces lr if it plateaued. */
  step(metrics: number | Tensor, epoch?: number): void {
    const current = typeof metrics === "number" ? metrics : Number(metrics.item());
    if (epoch === undefined) epoch = this.lastEpoch + 1;
    else warn(EPOCH_DEPRECATION_WARNING);
    this.lastEpoch = epoch;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr(epoch);
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The groups' learning rates after the last step (their current ones before any). */
  getLastLr(): number[] {
    return this.lastLr ? this.lastLr.slice() : this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(epoch: number): void {
    this.optimizer.paramGroups.forEach((group, i) => {
      const oldLr = Number(group.lr);
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i]);
      if (oldLr - newLr > this.eps) {
        group.lr = newLr;
        if (this.verbose) {
          const e = Number.isInteger(epoch) ? String(epoch).padStart(5, "0") : epoch.toFixed(2);
          console.log(`Epoch ${e}: reducing learning rate of group ${i} to ${format4e(newLr)}.`);
        }
      }
    });
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  isBetter(a: number, best: number): boolean {
    if (this.mode === "min" && this.thresholdMode === "rel") return a < best * (1 - this.threshold);
    if (this.mode === "min" && this.thresholdMode === "abs") return a < best - this.threshold;
    if (this.mode === "max" && this.thresholdMode === "rel") return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  private initIsBetter(mode: string, threshold: number, thresholdMode: string): void {
    if (mode !== "min" && mode !== "max") throw new Error(`mode ${mode} is unknown!`);
    if (thresholdMode !== "rel" && thresholdMode !== "abs") throw new Error(`threshold mode ${thresholdMode} is unknown!`);
    this.modeWorse = mode === "min" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    this.mode = mode;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
  }

  private stateKeys(): StateKeys {
    const keys: Array<readonly [string, string]> = [
      ["factor", "factor"],
      ["min_lrs", "minLrs"],
      ["patience", "patience"],
      ["verbose", "verbose"],
      ["cooldown", "cooldown"],
      ["cooldown_counter", "cooldownCounter"],
      ["mode", "mode"],
      ["threshold", "threshold"],
      ["threshold_mode", "thresholdMode"],
      ["best", "best"],
      ["num_bad_epochs", "numBadEpochs"],
      ["mode_worse", "modeWorse"],
      ["eps", "eps"],
      ["last_epoch", "lastEpoch"],
    ];
    if (this.lastLr) keys.push(["_last_lr", "lastLr"]);
    return keys;
  }

  /** PyTorch's state_dict(): every attribute but the optimizer, under PyTorch's names. */
  stateDict(): SchedulerStateDict {
    return stateDictOf(this, this.stateKeys());
  }

  loadStateDict(stateDict: SchedulerStateDict | Map<string, unknown>): void {
    const keys = [...this.stateKeys()];
    if (!keys.some(([py]) => py === "_last_lr")) keys.push(["_last_lr", "lastLr"]);
    loadStateOf(this, keys, stateDict);
    this.initIsBetter(this.mode, this.threshold, this.thresholdMode);
  }
}
