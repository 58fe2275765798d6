// torch.optim.Optimizer (PyTorch 1.13): parameter groups with per-group options, zeroGrad, step
// with an optional closure, and stateDict/loadStateDict in PyTorch's layout, so that a state dict
// round-trips through a PyTorch file:
//   { state: Map { 0 => { momentum_buffer: Tensor, ... }, ... },
//     param_groups: [{ lr, momentum, ..., params: [0, 1] }] }
// Group options are camelCase on `paramGroups` (group.weightDecay) and PyTorch's snake_case inside
// state dicts (weight_decay); per-parameter state keeps PyTorch's names (exp_avg, momentum_buffer).
import { enableGrad, noGrad } from "../autograd/index.js";
import { tensorTypeName } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { warn } from "./warn.js";

/** Marks an option the constructor did not get and every group must give (SGD's lr in 1.13). */
export const required: unique symbol = Symbol("required parameter");

/** One parameter group as the optimizer keeps it: its tensors and every option, camelCase. */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
  [option: string]: unknown;
}

/** A group as the caller gives it: params (one tensor or an ordered collection) and any options. */
export type ParamGroupInput<O = Record<string, unknown>> = { params: Tensor | Iterable<Tensor> } & Partial<O> & Record<string, unknown>;

/** What an optimizer takes: an ordered collection of tensors, or of parameter groups. */
export type ParamsInput<O = Record<string, unknown>> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** Per-parameter state, under PyTorch's key names (step, exp_avg, momentum_buffer, ...). */
export type ParamState = Record<string, unknown>;

/** The optimizer's state dict: PyTorch's layout, snake_case keys, params as indices. */
export interface OptimizerStateDict {
  state: Map<number, ParamState>;
  param_groups: Array<Record<string, unknown>>;
}

/** Python's torch.typename for the values an optimizer may be handed. */
export function typename(v: unknown): string {
  if (v instanceof Tensor) return `torch.${tensorTypeName(v.dtype)}`;
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "string") return "str";
  if (Array.isArray(v)) return "list";
  if (v instanceof Map) return "dict";
  return (v as object).constructor?.name ?? typeof v;
}

export function camelToSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
export function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Reads a key from a Map (a dict loaded from a file) or a plain object. */
function entriesOf(v: unknown): Array<[unknown, unknown]> {
  if (v instanceof Map) return [...v.entries()];
  if (typeof v === "object" && v !== null) return Object.entries(v);
  throw new TypeError(`expected a dict, got ${typename(v)}`);
}
function getKey(v: unknown, key: string): unknown {
  if (v instanceof Map) return v.get(key);
  return (v as Record<string, unknown>)[key];
}

function isGroupInput(v: unknown): v is ParamGroupInput {
  return typeof v === "object" && v !== null && !(v instanceof Tensor) && !(Symbol.iterator in v);
}

/**
 * A number as Python's repr prints it, for messages that quote an argument. JavaScript cannot tell
 * 1 from 1.0, so integral values print as Python ints (Invalid learning rate: -1).
 */
export function pyNumber(v: unknown): string {
  if (typeof v !== "number") return pyRepr(v);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return String(v);
  const abs = Math.abs(v);
  if (abs >= 1e-4 && abs < 1e16) return String(v);
  const [mant, exp] = v.toExponential().split("e");
  const e = Number(exp);
  return `${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

export abstract class Optimizer<G extends ParamGroup = ParamGroup> {
  /** The constructor's options (camelCase), filled into every group that lacks them. */
  readonly defaults: Record<string, unknown>;
  /** Per-parameter state, in the order parameters first got some. */
  state: Map<Tensor, ParamState> = new Map();
  paramGroups: G[] = [];
  /** How many times step() ran since a learning-rate scheduler attached (PyTorch's _step_count). */
  stepCount = 0;

  constructor(params: ParamsInput<any>, defaults: Record<string, unknown>) {
    this.defaults = defaults;
    if (params instanceof Tensor) {
      throw new TypeError(`params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${typename(params)}`);
    }
    if (params === null || params === undefined || typeof (params as Iterable<unknown>)[Symbol.iterator] !== "function") {
      throw new TypeError(`params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${typename(params)}`);
    }
    let groups = [...(params as Iterable<unknown>)];
    if (groups.length === 0) throw new Error("optimizer got an empty parameter list");
    if (!isGroupInput(groups[0])) groups = [{ params: groups }];
    for (const group of groups) this.addParamGroup(group as ParamGroupInput);
  }

  /** Adds a group (tensors plus options; missing options come from the defaults). */
  addParamGroup(paramGroup: ParamGroupInput<any>): void {
    if (!isGroupInput(paramGroup)) throw new TypeError("param group must be a dict");
    const given = paramGroup.params as unknown;
    let params: unknown[];
    if (given instanceof Tensor) params = [given];
    else if (given instanceof Set) {
      throw new TypeError(
        "optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.",
      );
    } else if (given !== null && given !== undefined && typeof (given as Iterable<unknown>)[Symbol.iterator] === "function") {
      params = [...(given as Iterable<unknown>)];
    } else {
      throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${typename(given)}`);
    }
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${typename(p)}`);
      if (!this.defaults.differentiable && !(p.isLeaf || p.retainsGrad)) throw new Error("can't optimize a non-leaf Tensor");
    }
    // The caller's keys first, then the defaults it lacks: PyTorch's setdefault order, which its
    // state dicts show.
    const group: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(paramGroup)) if (v !== undefined) group[k] = v;
    group.params = params;
    for (const [name, value] of Object.entries(this.defaults)) {
      if (value === required && !(name in group)) {
        throw new Error(`parameter group didn't specify a value of required optimization parameter ${camelToSnake(name)}`);
      }
      if (!(name in group)) group[name] = value;
    }
    if (new Set(params).size !== params.length) {
      warn(
        "optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
      );
    }
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    if (params.some((p) => seen.has(p as Tensor))) throw new Error("some parameters appear in more than one parameter group");
    this.paramGroups.push(group as G);
  }

  /** The state of one parameter, made empty on first use (Python's defaultdict(dict)). */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (!s) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /**
   * Resets the gradients. PyTorch 1.13's default is setToNone = false (zero them in place), which
   * kindling keeps; PyTorch 2.x made true the default.
   */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    const setToNone = opts.setToNone ?? false;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        if (setToNone) {
          p.grad = null;
        } else {
          const g = p.grad;
          if (g.gradFn !== null) g.detach_();
          else if (g.requiresGrad) g.requiresGrad_(false);
          g.zero_();
        }
      }
    }
  }

  /** One update. `closure` re-evaluates the model and returns the loss, which step returns. */
  step<L = Tensor>(closure?: () => L): L | undefined {
    this.stepCount++;
    let loss: L | undefined;
    if (closure) loss = enableGrad(closure);
    noGrad(() => {
      for (const group of this.paramGroups) this.updateGroup(group);
    });
    return loss;
  }

  /** The arithmetic of one group's update, run without recording history. */
  protected abstract updateGroup(group: G): void;

  /** PyTorch's state_dict(): the live state tensors, keyed by each parameter's index. */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    let start = 0;
    const paramGroups = this.paramGroups.map((group) => {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(group)) {
        if (k === "params") continue;
        packed[camelToSnake(k)] = Array.isArray(v) ? Object.freeze([...v]) : v;
      }
      const ids: number[] = [];
      group.params.forEach((p, i) => {
        if (!index.has(p)) index.set(p, start + i);
        ids.push(index.get(p)!);
      });
      packed.params = ids;
      start += ids.length;
      return packed;
    });
    const state = new Map<number, ParamState>();
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state.set(i, { ...s });
    }
    return { state, param_groups: paramGroups };
  }

  /**
   * PyTorch's load_state_dict(): copies the saved state onto this optimizer's parameters (matched
   * by position), casting floating-point state to each parameter's dtype (except `step`), and
   * takes the saved groups' options. Accepts a Map-based dict as torch.load returns it.
   */
  loadStateDict(stateDict: OptimizerStateDict | Map<string, unknown> | Record<string, unknown>): void {
    const savedGroups = getKey(stateDict, "param_groups");
    if (!Array.isArray(savedGroups)) throw new TypeError("optimizer state dict has no param_groups list");
    const groups = this.paramGroups;
    if (groups.length !== savedGroups.length) throw new Error("loaded state dict has a different number of parameter groups");
    const savedIds = savedGroups.map((g) => {
      const ids = getKey(g, "params");
      if (!Array.isArray(ids)) throw new TypeError("a saved parameter group has no params list");
      return ids.map((id) => Number(id));
    });
    if (groups.some((g, i) => g.params.length !== savedIds[i].length)) {
      throw new Error("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    }
    const idMap = new Map<number, Tensor>();
    groups.forEach((g, i) => {
      g.params.forEach((p, j) => {
        idMap.set(savedIds[i][j], p);
      });
    });

    const state = new Map<Tensor, ParamState>();
    for (const [k, v] of entriesOf(getKey(stateDict, "state") ?? new Map())) {
      const param = idMap.get(Number(k));
      if (!param) continue;
      const s: ParamState = {};
      for (const [key, value] of entriesOf(v)) s[String(key)] = castState(param, value, String(key));
      state.set(param, s);
    }
    this.paramGroups = groups.map((g, i) => {
      const group: Record<string, unknown> = {};
      for (const [k, v] of entriesOf(savedGroups[i])) {
        if (k === "params") continue;
        group[snakeToCamel(String(k))] = copyValue(v);
      }
      group.params = g.params;
      return group as G;
    });
    this.state = state;
    this.afterLoad();
  }

  /** Upgrades state saved by older PyTorch versions (a plain-number step, for example). */
  protected afterLoad(): void {}

  /** The repr PyTorch prints: each group's options in sorted (snake_case) order. */
  toString(): string {
    let out = `${this.constructor.name} (`;
    this.paramGroups.forEach((group, i) => {
      out += `\nParameter Group ${i}\n`;
      const keys = Object.keys(group)
        .filter((k) => k !== "params")
        .map((k) => [camelToSnake(k), k] as const)
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      for (const [snake, k] of keys) out += `    ${snake}: ${pyRepr(group[k])}\n`;
    });
    return `${out})`;
  }
}

/** Python's repr of a group option; arrays print as tuples (betas is a tuple in PyTorch). */
function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return pyNumber(v);
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return `(${v.map(pyRepr).join(", ")}${v.length === 1 ? "," : ""})`;
  return String(v);
}

function copyValue(v: unknown): unknown {
  if (v instanceof Tensor) return v.detach().clone();
  if (Array.isArray(v)) return Object.isFrozen(v) ? Object.freeze(v.map(copyValue)) : v.map(copyValue);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, copyValue(x)]));
  return v;
}

/** A copy of saved state for `param`: floating-point tensors take its dtype, except `step`. */
function castState(param: Tensor, value: unknown, key: string): unknown {
  if (value instanceof Tensor) {
    let t = value.detach().clone();
    if (key !== "step" && param.dtype.isFloatingPoint && t.dtype !== param.dtype) t = t.to(param.dtype);
    return t;
  }
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, x]) => [String(k), castState(param, x, String(k))]));
  if (Array.isArray(value)) {
    const items = value.map((x) => castState(param, x, ""));
    return Object.isFrozen(value) ? Object.freeze(items) : items;
  }
  return value;
}
