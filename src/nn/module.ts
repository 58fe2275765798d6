// nn.Module: the base class of every layer and model. Submodules and Parameters are discovered
// from the instance's own properties (class fields, constructor assignments) in the order they
// were first seen, which is their definition order, plus those registered explicitly; names and
// traversal orders follow PyTorch's so stateDict keys and reprs match.
import { noGrad } from "../autograd/index.js";
import type { DType } from "../tensor/dtype.js";
import { formatShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { BackwardHook, type FullBackwardHook } from "./hooks.js";
import { Parameter } from "./parameter.js";

export type { FullBackwardHook } from "./hooks.js";

type Kind = "param" | "buffer" | "module";

export type ForwardPreHook = (module: Module, inputs: unknown[]) => unknown[] | unknown | undefined | void;
export type ForwardHook = (module: Module, inputs: unknown[], output: unknown) => unknown | undefined | void;

/** A handle whose remove() unregisters the hook it was returned for. */
export interface RemovableHandle {
  readonly id: number;
  remove(): void;
}

export interface IncompatibleKeys {
  missingKeys: string[];
  unexpectedKeys: string[];
}

export type StateDict = Record<string, Tensor>;

interface ModuleState {
  training: boolean;
  /** Name -> kind, in registration (definition) order; values live on the instance's properties. */
  order: Map<string, Kind>;
  nonPersistent: Set<string>;
  preHooks: Map<number, ForwardPreHook>;
  hooks: Map<number, ForwardHook>;
  backwardHooks: Map<number, FullBackwardHook>;
  /** How many hooks of all three kinds are registered: forward's fast path tests this alone. */
  hookCount: number;
  /** The forward installed on the instance (see the constructor). */
  forwardRunner: ForwardImpl | null;
  /**
   * What the last sync saw: the own keys in order and what each held (a ValueClass). A module
   * whose keys and classes are unchanged would sync to the same registry, so the walk is skipped
   * (Sequential.forward reads the registry every step). Null after anything else changed `order`.
   */
  seenKeys: string[] | null;
  seenClasses: ValueClass[];
  /** The values those keys held then: a value still the same object has the same class. */
  seenValues: unknown[];
  /** childModuleNames' answer, valid while seenKeys is the array it was made for. */
  moduleNames: { forKeys: string[]; names: string[] } | null;
}

/** What sync distinguishes in a property's value. */
enum ValueClass {
  Nullish,
  Param,
  Module,
  Other,
}
function classOf(v: unknown): ValueClass {
  return v instanceof Parameter ? ValueClass.Param : v instanceof Module ? ValueClass.Module : v === null || v === undefined ? ValueClass.Nullish : ValueClass.Other;
}

const states = new WeakMap<Module, ModuleState>();
let nextHookId = 0;

function stateOf(m: Module): ModuleState {
  const s = states.get(m);
  if (!s) throw new Error("cannot use a Module before Module's constructor ran (call super() first)");
  return s;
}

function memberOf(m: Module, name: string): unknown {
  return (m as unknown as Record<string, unknown>)[name];
}
function setValue(m: Module, name: string, v: unknown): void {
  (m as unknown as Record<string, unknown>)[name] = v;
}

/** Brings the registry up to date with the instance's own properties (class fields are defined after Module's constructor). */
function sync(m: Module): ModuleState {
  const s = stateOf(m);
  const keys = Object.keys(m);
  if (unchangedSinceSync(m, s, keys)) return s;
  for (const key of keys) {
    const v = memberOf(m, key);
    const known = s.order.get(key);
    if (known === "buffer") continue;
    const kind: Kind | null = v instanceof Parameter ? "param" : v instanceof Module ? "module" : null;
    if (kind === null) {
      // A registered parameter or module set to null stays registered, as PyTorch keeps None entries.
      if (known !== undefined && v !== null && v !== undefined) s.order.delete(key);
      continue;
    }
    if (known === kind) continue;
    if (known !== undefined) s.order.delete(key);
    s.order.set(key, kind);
  }
  for (const key of s.order.keys()) if (!Object.hasOwn(m, key)) s.order.delete(key);
  const classes = new Array<ValueClass>(keys.length);
  const values = new Array<unknown>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    values[i] = memberOf(m, keys[i]);
    classes[i] = classOf(values[i]);
  }
  s.seenKeys = keys;
  s.seenClasses = classes;
  s.seenValues = values;
  return s;
}

function unchangedSinceSync(m: Module, s: ModuleState, keys: string[]): boolean {
  const seen = s.seenKeys;
  if (seen === null || seen.length !== keys.length) return false;
  const values = s.seenValues;
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] !== seen[i]) return false;
    // The same object as before needs no class test (the usual case: nothing was reassigned).
    const v = memberOf(m, keys[i]);
    if (v !== values[i] && classOf(v) !== s.seenClasses[i]) return false;
  }
  return true;
}

function entries<K extends Kind>(m: Module, kind: K): Array<[string, (K extends "module" ? Module : K extends "param" ? Parameter : Tensor) | null]> {
  const s = sync(m);
  const out: Array<[string, never]> = [];
  for (const [name, k] of s.order) {
    if (k !== kind) continue;
    const v = memberOf(m, name);
    out.push([name, (v ?? null) as never]);
  }
  return out;
}

/**
 * The names of a module's registered children, in order, null entries included: what
 * childEntries walks, without building its pairs (Sequential.forward reads it every step). The
 * values are the instance's properties, read by the caller.
 */
export function childModuleNames(m: Module): readonly string[] {
  const s = sync(m);
  const keys = s.seenKeys;
  if (keys !== null && s.moduleNames?.forKeys === keys) return s.moduleNames.names;
  const names: string[] = [];
  for (const [name, k] of s.order) if (k === "module") names.push(name);
  if (keys !== null) s.moduleNames = { forKeys: keys, names };
  return names;
}

/** A module's registered children in order, duplicates and null entries included (for containers). */
export function childEntries(m: Module): Array<[string, Module | null]> {
  return entries(m, "module");
}

function checkName(what: string, name: string): void {
  if (typeof name !== "string") throw new TypeError(`${what} name should be a string. Got ${typeof name}`);
  if (name.includes(".")) throw new Error(`${what} name can't contain ".", got: ${name}`);
  if (name === "") throw new Error(`${what} name can't be empty string ""`);
}

function typeName(v: unknown): string {
  if (v instanceof Tensor) return `torch.${{ float32: "Float", float64: "Double", int32: "Int", int64: "Long", uint8: "Byte", bool: "Bool" }[v.dtype.name] ?? ""}Tensor`;
  if (v === null || v === undefined) return "None";
  return (v as object).constructor?.name ?? typeof v;
}

/** Indents every line but the first, as PyTorch's _addindent. */
function addIndent(s: string, spaces: number): string {
  const lines = s.split("\n");
  if (lines.length === 1) return s;
  const pad = " ".repeat(spaces);
  return [lines[0], ...lines.slice(1).map((l) => pad + l)].join("\n");
}

export class Module {
  constructor() {
    const s: ModuleState = {
      training: true,
      order: new Map(),
      nonPersistent: new Set(),
      preHooks: new Map(),
      hooks: new Map(),
      backwardHooks: new Map(),
      hookCount: 0,
      forwardRunner: null,
      seenKeys: null,
      seenClasses: [],
      seenValues: [],
      moduleNames: null,
    };
    states.set(this, s);
    // `forward` on the instance is PyTorch's `module(...)`: it runs the class's forward with the
    // hooks, whoever calls it (user code, a container, call()). A call through super.forward()
    // reaches the parent class's method directly, so, as in PyTorch, hooks fire once per call.
    installForward(this, s, null);
  }

  /**
   * The computation; subclasses define it. Calling `module.forward(...)` runs it as PyTorch's
   * `module(...)`: forward pre-hooks, this method, forward hooks (and full backward hooks).
   */
  forward(..._inputs: any[]): any {
    throw new Error(`Module [${this.constructor.name}] is missing the required "forward" function`);
  }

  /** PyTorch's `module(*inputs)`; the same as `forward(...)`, which runs the hooks too. */
  call(...inputs: any[]): any {
    return this.forward(...inputs);
  }

  /**
   * Registers hook(module, inputs) to run before every forward; a returned value (an array of
   * inputs, or one value) replaces the inputs. Returns a handle whose remove() unregisters it.
   */
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    const s = stateOf(this);
    return addHook(this, s, s.preHooks, hook);
  }
  /** Registers hook(module, inputs, output) to run after every forward; a returned value replaces the output. */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    const s = stateOf(this);
    return addHook(this, s, s.hooks, hook);
  }
  /**
   * Registers hook(module, gradInput, gradOutput) to run when the gradients of the module's
   * inputs have been computed (PyTorch's register_full_backward_hook). gradInput and gradOutput
   * have one entry per input and output, null where no gradient flows; a returned array replaces
   * gradInput. The module's tensor inputs and outputs are passed through an identity node
   * (BackwardHookFunctionBackward) for this, as in PyTorch.
   */
  registerFullBackwardHook(hook: FullBackwardHook<this>): RemovableHandle {
    const s = stateOf(this);
    return addHook(this, s, s.backwardHooks, hook as FullBackwardHook);
  }

  get training(): boolean {
    return stateOf(this).training;
  }
  set training(mode: boolean) {
    stateOf(this).training = mode;
  }

  // ---- registration ----

  registerParameter(name: string, param: Parameter | null): void {
    checkName("parameter", name);
    const s = sync(this);
    if (name in this && memberOf(this, name) != null && s.order.get(name) !== "param") throw new Error(`attribute '${name}' already exists`);
    if (param !== null && !(param instanceof Parameter)) {
      throw new TypeError(`cannot assign '${typeName(param)}' object to parameter '${name}' (torch.nn.Parameter or None required)`);
    }
    setValue(this, name, param);
    if (!s.order.has(name)) s.order.set(name, "param");
    s.seenKeys = null;
  }

  registerBuffer(name: string, tensor: Tensor | null, opts: { persistent?: boolean } = {}): void {
    checkName("buffer", name);
    const s = sync(this);
    if (name in this && memberOf(this, name) != null && s.order.get(name) !== "buffer") throw new Error(`attribute '${name}' already exists`);
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new TypeError(`cannot assign '${typeName(tensor)}' object to buffer '${name}' (torch Tensor or None required)`);
    }
    setValue(this, name, tensor);
    if (!s.order.has(name)) s.order.set(name, "buffer");
    s.seenKeys = null;
    if (opts.persistent === false) s.nonPersistent.add(name);
    else s.nonPersistent.delete(name);
  }

  addModule(name: string, module: Module | null): void {
    if (module !== null && !(module instanceof Module)) throw new TypeError(`${typeName(module)} is not a Module subclass`);
    checkName("module", name);
    const s = sync(this);
    if (name in this && memberOf(this, name) != null && s.order.get(name) !== "module") throw new Error(`attribute '${name}' already exists`);
    setValue(this, name, module);
    if (!s.order.has(name)) s.order.set(name, "module");
    s.seenKeys = null;
  }
  registerModule(name: string, module: Module | null): void {
    this.addModule(name, module);
  }

  // ---- traversal ----

  namedChildren(): Array<[string, Module]> {
    const out: Array<[string, Module]> = [];
    const seen = new Set<Module>();
    for (const [name, m] of entries(this, "module")) {
      if (m && !seen.has(m)) {
        seen.add(m);
        out.push([name, m]);
      }
    }
    return out;
  }
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  namedModules(opts: { prefix?: string; removeDuplicate?: boolean } = {}): Array<[string, Module]> {
    const out: Array<[string, Module]> = [];
    const removeDuplicate = opts.removeDuplicate ?? true;
    const memo = new Set<Module>();
    const walk = (m: Module, prefix: string): void => {
      if (removeDuplicate) {
        if (memo.has(m)) return;
        memo.add(m);
      }
      out.push([prefix, m]);
      for (const [name, child] of entries(m, "module")) {
        if (child) walk(child, prefix ? `${prefix}.${name}` : name);
      }
    };
    walk(this, opts.prefix ?? "");
    return out;
  }
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  private namedMembers<T extends Tensor>(kind: "param" | "buffer", opts: { prefix?: string; recurse?: boolean; removeDuplicate?: boolean }): Array<[string, T]> {
    const removeDuplicate = opts.removeDuplicate ?? true;
    const prefix = opts.prefix ?? "";
    const mods: Array<[string, Module]> = (opts.recurse ?? true) ? this.namedModules({ prefix, removeDuplicate }) : [[prefix, this]];
    const memo = new Set<Tensor>();
    const out: Array<[string, T]> = [];
    for (const [modPrefix, m] of mods) {
      for (const [name, v] of entries(m, kind)) {
        if (v === null) continue;
        if (removeDuplicate) {
          if (memo.has(v)) continue;
          memo.add(v);
        }
        out.push([modPrefix ? `${modPrefix}.${name}` : name, v as T]);
      }
    }
    return out;
  }

  namedParameters(opts: { prefix?: string; recurse?: boolean; removeDuplicate?: boolean } = {}): Array<[string, Parameter]> {
    return this.namedMembers<Parameter>("param", opts);
  }
  parameters(opts: { recurse?: boolean } | boolean = {}): Parameter[] {
    const recurse = typeof opts === "boolean" ? opts : opts.recurse;
    return this.namedParameters({ recurse }).map(([, p]) => p);
  }
  namedBuffers(opts: { prefix?: string; recurse?: boolean; removeDuplicate?: boolean } = {}): Array<[string, Tensor]> {
    return this.namedMembers<Tensor>("buffer", opts);
  }
  buffers(opts: { recurse?: boolean } | boolean = {}): Tensor[] {
    const recurse = typeof opts === "boolean" ? opts : opts.recurse;
    return this.namedBuffers({ recurse }).map(([, b]) => b);
  }

  /** The module at a dotted path ("layer1.0"); "" is this module. */
  getSubmodule(target: string): Module {
    if (target === "") return this;
    let mod: Module = this;
    for (const item of target.split(".")) {
      const next = memberOf(mod, item);
      if (next === undefined) throw new Error(`${mod.constructor.name} has no attribute \`${item}\``);
      if (!(next instanceof Module)) throw new Error(`\`${item}\` is not an nn.Module`);
      mod = next;
    }
    return mod;
  }

  // ---- modes and conversions ----

  train(mode = true): this {
    if (typeof mode !== "boolean") throw new TypeError("training mode is expected to be boolean");
    for (const m of this.modules()) stateOf(m).training = mode;
    return this;
  }
  eval(): this {
    return this.train(false);
  }

  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /**
   * Sets the parameters' gradients to zero (or to null with setToNone). The default is PyTorch
   * 1.13's setToNone = false: with an optimizer, a zero gradient and a missing one differ (momentum
   * and weight decay still act on a zero gradient), so 2.x's default could change results.
   */
  zeroGrad(setToNone = false): void {
    for (const p of this.parameters()) {
      if (p.grad === null) continue;
      if (setToNone) {
        p.grad = null;
        continue;
      }
      if (p.grad.gradFn !== null) p.grad.detach_();
      else p.grad.requiresGrad_(false);
      p.grad.zero_();
    }
  }

  /** Calls fn on every submodule (children first, depth first) and then on this module. */
  apply(fn: (module: Module) => void): this {
    for (const m of this.children()) m.apply(fn);
    fn(this);
    return this;
  }

  /** Converts every parameter (in place, keeping the same Parameter objects, as PyTorch 1.13) and buffer. */
  protected applyToTensors(fn: (t: Tensor) => Tensor): this {
    for (const m of this.children()) m.applyToTensors(fn);
    noGrad(() => {
      for (const [name, p] of entries(this, "param")) {
        if (p === null) continue;
        p.data = fn(p);
        if (p.grad !== null) p.grad.data = fn(p.grad);
        void name;
      }
      for (const [name, b] of entries(this, "buffer")) {
        if (b !== null) setValue(this, name, fn(b));
      }
    });
    return this;
  }

  /** module.to(device), to(dtype), to(device, { dtype }) or to(tensor): floating point tensors take the dtype. */
  to(target: string | DType | Tensor, opts: { dtype?: DType } = {}): this {
    let device: string | undefined;
    let dtype: DType | undefined = opts.dtype;
    if (typeof target === "string") device = target;
    else if (target instanceof Tensor) {
      device = target.device;
      dtype = target.dtype;
    } else dtype = target;
    if (dtype && !dtype.isFloatingPoint) {
      throw new TypeError(`nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=${dtype}`);
    }
    return this.applyToTensors((t) => {
      let r = t;
      if (device !== undefined && r.device !== device) r = r.to(device);
      if (dtype !== undefined && r.dtype.isFloatingPoint && r.dtype !== dtype) r = r.to(dtype);
      return r;
    });
  }
  float(): this {
    return this.applyToTensors((t) => (t.dtype.isFloatingPoint ? t.float() : t));
  }
  double(): this {
    return this.applyToTensors((t) => (t.dtype.isFloatingPoint ? t.double() : t));
  }
  cpu(): this {
    return this.to("cpu");
  }

  // ---- state dict ----

  /** Parameters and persistent buffers by dotted name, detached (keepVars keeps them as they are). */
  stateDict(opts: { prefix?: string; keepVars?: boolean; destination?: StateDict } = {}): StateDict {
    const out: StateDict = opts.destination ?? {};
    const walk = (m: Module, prefix: string): void => {
      const s = sync(m);
      for (const [name, p] of entries(m, "param")) if (p !== null) out[prefix + name] = opts.keepVars ? p : p.detach();
      for (const [name, b] of entries(m, "buffer")) {
        if (b !== null && !s.nonPersistent.has(name)) out[prefix + name] = opts.keepVars ? b : b.detach();
      }
      for (const [name, child] of entries(m, "module")) if (child) walk(child, `${prefix}${name}.`);
    };
    walk(this, opts.prefix ?? "");
    return out;
  }

  /**
   * Copies values from a state dict (object or Map) into the parameters and buffers. With strict
   * (the default), missing and unexpected keys are errors; shape mismatches always are; every
   * problem is listed in one error, worded as PyTorch's.
   */
  loadStateDict(stateDict: StateDict | Map<string, Tensor>, opts: { strict?: boolean } | boolean = {}): IncompatibleKeys {
    const strict = typeof opts === "boolean" ? opts : (opts.strict ?? true);
    if (stateDict === null || typeof stateDict !== "object") throw new TypeError(`Expected state_dict to be dict-like, got ${typeof stateDict}.`);
    const dict = stateDict instanceof Map ? stateDict : new Map(Object.entries(stateDict));
    const missingKeys: string[] = [];
    const unexpectedKeys: string[] = [];
    const errors: string[] = [];
    const load = (m: Module, prefix: string, keys: string[]): void => {
      const s = sync(m);
      const local = new Map<string, Tensor>();
      for (const [name, p] of entries(m, "param")) if (p !== null) local.set(name, p);
      for (const [name, b] of entries(m, "buffer")) if (b !== null && !s.nonPersistent.has(name)) local.set(name, b);
      for (const [name, param] of local) {
        const key = prefix + name;
        if (!keys.includes(key)) {
          missingKeys.push(key);
          continue;
        }
        let input = dict.get(key) as unknown;
        if (!(input instanceof Tensor)) {
          errors.push(`While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received ${typeName(input)}`);
          continue;
        }
        if (param.dim() === 0 && input.dim() === 1) input = input.select(0, 0);
        const inT = input as Tensor;
        if (inT.shape.length !== param.shape.length || inT.shape.some((d, i) => d !== param.shape[i])) {
          errors.push(
            `size mismatch for ${key}: copying a param with shape torch.Size(${formatShape(inT.shape)}) from checkpoint, the shape in current model is torch.Size(${formatShape(param.shape)}).`,
          );
          continue;
        }
        try {
          noGrad(() => param.copy_(inT));
        } catch (e) {
          errors.push(
            `While copying the parameter named "${key}", whose dimensions in the model are torch.Size(${formatShape(param.shape)}) and whose dimensions in the checkpoint are torch.Size(${formatShape(inT.shape)}), an exception occurred : ${(e as Error).message}.`,
          );
        }
      }
      const children = entries(m, "module");
      // Collected whatever strict says (PyTorch returns them); only strict makes them errors.
      const childNames = new Set(children.map(([n]) => n));
      for (const key of keys) {
        if (!key.startsWith(prefix)) continue;
        const inputName = key.slice(prefix.length).split(".", 1)[0];
        if (!childNames.has(inputName) && !local.has(inputName)) unexpectedKeys.push(key);
      }
      for (const [name, child] of children) {
        if (!child) continue;
        const childPrefix = `${prefix}${name}.`;
        load(child, childPrefix, keys.filter((k) => k.startsWith(childPrefix)));
      }
    };
    load(this, "", [...dict.keys()]);
    if (strict) {
      if (unexpectedKeys.length > 0) errors.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}. `);
      if (missingKeys.length > 0) errors.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(", ")}. `);
    }
    if (errors.length > 0) throw new Error(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join("\n\t")}`);
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing ----

  /** The module's own settings, printed inside its parentheses (PyTorch's extra_repr). */
  extraRepr(): string {
    return "";
  }

  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split("\n") : [];
    const childLines: string[] = [];
    for (const [name, m] of entries(this, "module")) {
      childLines.push(`(${name}): ${addIndent(m ? m.toString() : "None", 2)}`);
    }
    const lines = [...extraLines, ...childLines];
    let main = `${this.constructor.name}(`;
    if (lines.length > 0) {
      if (extraLines.length === 1 && childLines.length === 0) main += extraLines[0];
      else main += `\n  ${lines.join("\n  ")}\n`;
    }
    return `${main})`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

function addHook<H>(m: Module, s: ModuleState, map: Map<number, H>, hook: H): RemovableHandle {
  if (typeof hook !== "function") throw new TypeError(`hook must be a function, got ${typeName(hook)}`);
  // A forward assigned to the instance (an arrow-function class field, or `m.forward = fn`)
  // replaced the runner: run that function with the hooks instead.
  const own = Object.getOwnPropertyDescriptor(m, "forward");
  if (own && typeof own.value === "function" && own.value !== s.forwardRunner) installForward(m, s, own.value as ForwardImpl);
  const id = nextHookId++;
  map.set(id, hook);
  s.hookCount++;
  return {
    id,
    remove: () => {
      if (map.delete(id)) s.hookCount--;
    },
  };
}

type ForwardImpl = (...inputs: any[]) => any;

/**
 * Installs the instance's forward: the class's method (or the function given), run with the
 * module's hooks when it has any. Not enumerable: the registry walks the enumerable own properties.
 */
function installForward(m: Module, s: ModuleState, own: ForwardImpl | null): void {
  const runner = function forward(...inputs: any[]): any {
    const impl = own ?? (Object.getPrototypeOf(m) as { forward: ForwardImpl }).forward;
    if (s.hookCount === 0) return impl.apply(m, inputs);
    return forwardWithHooks(m, s, impl, inputs);
  };
  s.forwardRunner = runner;
  Object.defineProperty(m, "forward", { value: runner, writable: true, configurable: true, enumerable: false });
}

/** PyTorch's Module._call_impl with hooks: pre-hooks, backward-hook setup, forward, forward hooks. */
function forwardWithHooks(m: Module, s: ModuleState, impl: ForwardImpl, inputs: any[]): any {
  let args: unknown[] = inputs;
  for (const hook of [...s.preHooks.values()]) {
    const r = hook(m, args);
    if (r !== undefined && r !== null) args = Array.isArray(r) ? r : [r];
  }
  let bw: BackwardHook | null = null;
  if (s.backwardHooks.size > 0) {
    bw = new BackwardHook(m, [...s.backwardHooks.values()]);
    args = bw.setupInput(args);
  }
  let out = impl.apply(m, args);
  for (const hook of [...s.hooks.values()]) {
    const r = hook(m, args, out);
    if (r !== undefined && r !== null) out = r;
  }
  if (bw) out = bw.setupOutput(out);
  return out;
}

/** PyTorch's str() of a float in a repr: 1 -> "1.0", 0.01 -> "0.01", 1e-05 -> "1e-05". */
export function pyFloat(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
  if (v === Number.POSITIVE_INFINITY) return "inf";
  if (v === Number.NEGATIVE_INFINITY) return "-inf";
  if (Number.isNaN(v)) return "nan";
  const s = String(v);
  // JavaScript writes 1e-5 as "0.00001" and 1e-7 as "1e-7"; Python switches to exponents below 1e-4, with two exponent digits.
  const abs = Math.abs(v);
  if (abs < 1e-4 || abs >= 1e16) {
    const [mant, exp] = v.toExponential().split("e");
    const e = Number(exp);
    return `${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  return s;
}

/** Python's repr of a bool. */
export function pyBool(v: boolean): string {
  return v ? "True" : "False";
}
