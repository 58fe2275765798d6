// torch.optim.lr_scheduler._LRScheduler (PyTorch 1.13): base learning rates from each group's
// initial_lr (set on first use, required when resuming with lastEpoch != -1), one step at
// construction, the recursive (chainable) form in step() and the closed form for the deprecated
// step(epoch). Subclasses set their own fields, then call initialStep(), because JavaScript runs
// a subclass's field setup after the base constructor (Python sets them before super().__init__).
import { Optimizer, typename } from "../optimizer.js";
import { warn } from "../warn.js";

export const EPOCH_DEPRECATION_WARNING =
  "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. Please use `scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from None, the closed form is used instead of the new chainable form, where available. Please open an issue if you are unable to replicate your use case: https://github.com/pytorch/pytorch/issues/new/choose.";

export interface SchedulerOptions {
  /** The index of the last epoch; -1 (the default) starts fresh and records each group's initial_lr. */
  lastEpoch?: number;
  /** Prints each change of learning rate, as PyTorch's verbose=True does. */
  verbose?: boolean;
}

/** A scheduler's state dict: PyTorch's attribute names (its __dict__ without the optimizer). */
export type SchedulerStateDict = Record<string, unknown>;

/** A PyTorch attribute name and the property holding it here. */
export type StateKeys = ReadonlyArray<readonly [python: string, property: string]>;

/** Python's "{:.4e}". */
export function format4e(v: number): string {
  const [m, e] = v.toExponential(4).split("e");
  const n = Number(e);
  return `${m}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
}

export function checkOptimizer(optimizer: unknown): asserts optimizer is Optimizer<any> {
  if (!(optimizer instanceof Optimizer)) {
    const name = optimizer === null || optimizer === undefined ? "NoneType" : typename(optimizer);
    throw new TypeError(`${name} is not an Optimizer`);
  }
}

export abstract class LRScheduler {
  optimizer: Optimizer<any>;
  baseLrs: number[];
  lastEpoch: number;
  verbose: boolean;
  protected stepCount = 0;
  protected getLrCalledWithinStep = false;
  protected lastLr: number[] = [];

  constructor(optimizer: Optimizer<any>, opts: SchedulerOptions = {}) {
    checkOptimizer(optimizer);
    const lastEpoch = opts.lastEpoch ?? -1;
    this.optimizer = optimizer;
    if (lastEpoch === -1) {
      for (const group of optimizer.paramGroups) if (!("initialLr" in group)) group.initialLr = group.lr;
    } else {
      optimizer.paramGroups.forEach((group, i) => {
        if (!("initialLr" in group)) throw new Error(`param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
      });
    }
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
    this.verbose = opts.verbose ?? false;
  }

  /** The first step, taken at construction (PyTorch's _initial_step). */
  protected initialStep(): void {
    this.optimizer.stepCount = 0;
    this.stepCount = 0;
    this.step();
  }

  /** The learning rates for the epoch in lastEpoch, from the groups' current ones (chainable form). */
  protected abstract computeLr(): number[];
  /** The same from base_lrs alone, where a closed form exists (used by step(epoch)). */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /** PyTorch's get_lr(): warns when called outside step(), as PyTorch does. */
  getLr(): number[] {
    if (!this.getLrCalledWithinStep) warn("To get the last learning rate computed by the scheduler, please use `get_last_lr()`.");
    return this.computeLr();
  }

  /** The learning rates the last step() set, one per group. */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  /** Advances one epoch (or, deprecated, jumps to `epoch` with the closed form) and sets each group's lr. */
  step(epoch?: number): void {
    if (this.stepCount === 1 && this.optimizer.stepCount < 1) {
      warn(
        "Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will result in PyTorch skipping the first value of the learning rate schedule. See more details at https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate",
      );
    }
    this.stepCount++;
    let values: number[];
    this.getLrCalledWithinStep = true;
    try {
      if (epoch === undefined) {
        this.lastEpoch++;
        values = this.getLr();
      } else {
        warn(EPOCH_DEPRECATION_WARNING);
        this.lastEpoch = epoch;
        values = this.closedFormLr() ?? this.getLr();
      }
    } finally {
      this.getLrCalledWithinStep = false;
    }
    this.optimizer.paramGroups.forEach((group, i) => {
      group.lr = values[i];
      this.printLr(i, values[i], epoch);
    });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  protected printLr(group: number, lr: number, epoch?: number): void {
    if (!this.verbose) return;
    if (epoch === undefined) console.log(`Adjusting learning rate of group ${group} to ${format4e(lr)}.`);
    else {
      const e = Number.isInteger(epoch) ? String(epoch).padStart(5, "0") : epoch.toFixed(2);
      console.log(`Epoch ${e}: adjusting learning rate of group ${group} to ${format4e(lr)}.`);
    }
  }

  /** This scheduler's own attributes, PyTorch's names first (set before the base's). */
  protected abstract ownStateKeys(): StateKeys;

  private stateKeys(): StateKeys {
    return [
      ...this.ownStateKeys(),
      ["base_lrs", "baseLrs"],
      ["last_epoch", "lastEpoch"],
      ["verbose", "verbose"],
      ["_step_count", "stepCount"],
      ["_get_lr_called_within_step", "getLrCalledWithinStep"],
      ["_last_lr", "lastLr"],
    ];
  }

  /** PyTorch's state_dict(): every attribute but the optimizer, under PyTorch's names. */
  stateDict(): SchedulerStateDict {
    return stateDictOf(this, this.stateKeys());
  }

  /** PyTorch's load_state_dict(): takes back the attributes stateDict() gave. */
  loadStateDict(stateDict: SchedulerStateDict | Map<string, unknown>): void {
    loadStateOf(this, this.stateKeys(), stateDict);
  }
}

function copyOut(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyOut);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, copyOut(x)]));
  if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copyOut(x)]));
  return v;
}

export function stateDictOf(target: object, keys: StateKeys): SchedulerStateDict {
  const out: SchedulerStateDict = {};
  const t = target as Record<string, unknown>;
  for (const [py, prop] of keys) out[py] = copyOut(t[prop]);
  return out;
}

export function loadStateOf(target: object, keys: StateKeys, stateDict: SchedulerStateDict | Map<string, unknown>): void {
  const t = target as Record<string, unknown>;
  const get = (k: string) => (stateDict instanceof Map ? stateDict.get(k) : stateDict[k]);
  const has = (k: string) => (stateDict instanceof Map ? stateDict.has(k) : k in stateDict);
  for (const [py, prop] of keys) if (has(py)) t[prop] = copyOut(get(py));
}
