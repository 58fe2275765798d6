// Containers: Sequential (typed by its layers), ModuleList and ModuleDict. Children are named
// "0", "1", ... (or by the given keys), as in PyTorch, so their parameters get the same dotted names.
import { childModuleNames, childEntries as registeredChildren, Module } from "../module.js";

function childEntries(m: Module): Array<[string, Module]> {
  return registeredChildren(m).filter((e): e is [string, Module] => e[1] !== null);
}

function checkIndex(i: number, n: number): number {
  if (!Number.isInteger(i) || i < -n || i >= n) throw new RangeError(`index ${i} is out of range`);
  return i < 0 ? i + n : i;
}

function childAt(m: Module, name: string): Module {
  return (m as unknown as Record<string, Module>)[name];
}

/** Renumbers children 0..n-1 after an insertion or removal, keeping their order. */
function renumber(m: Module, mods: Module[]): void {
  const rec = m as unknown as Record<string, Module>;
  for (const [name] of childEntries(m)) delete rec[name];
  for (const [i, mod] of mods.entries()) m.addModule(String(i), mod);
}

/**
 * Runs its layers one after another. Built from layers (`new Sequential(a, b)`) or from named
 * layers (`new Sequential({ fc: a, act: b })`); `at(i)` keeps each layer's type.
 */
export class Sequential<T extends Module[] = Module[]> extends Module {
  constructor(...layers: T);
  constructor(named: Record<string, Module> | Map<string, Module>);
  constructor(...args: unknown[]) {
    super();
    if (args.length === 1 && !(args[0] instanceof Module) && args[0] !== null && typeof args[0] === "object") {
      const named = args[0] instanceof Map ? [...(args[0] as Map<string, Module>)] : Object.entries(args[0] as Record<string, Module>);
      for (const [name, m] of named) this.addModule(name, m);
    } else {
      for (const [i, m] of args.entries()) this.addModule(String(i), m as Module);
    }
  }

  private layers(): Module[] {
    return childEntries(this).map(([, m]) => m);
  }

  /** The layer at index i (negative counts from the end). */
  at<I extends number>(i: I): T[I] {
    const names = childEntries(this);
    return names[checkIndex(i, names.length)][1] as T[I];
  }

  get length(): number {
    return childEntries(this).length;
  }

  [Symbol.iterator](): Iterator<T[number]> {
    return (this.layers() as T[number][])[Symbol.iterator]();
  }

  append(module: Module): this {
    this.addModule(String(this.length), module);
    return this;
  }
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }
  insert(index: number, module: Module): this {
    const mods = this.layers();
    const n = mods.length;
    if (!Number.isInteger(index) || index < -n || index > n) throw new RangeError(`Index out of range: ${index}`);
    mods.splice(index < 0 ? index + n : index, 0, module);
    renumber(this, mods);
    return this;
  }
  /** Removes and returns the layer at index i. */
  pop(i = -1): Module {
    const mods = this.layers();
    const [m] = mods.splice(checkIndex(i, mods.length), 1);
    renumber(this, mods);
    return m;
  }
  /** A new Sequential of layers start..end (PyTorch's seq[start:end]), sharing the modules. */
  slice(start?: number, end?: number): Sequential {
    const named = childEntries(this);
    const picked = named.slice(start, end);
    return new Sequential(new Map(picked));
  }

  override forward(input: unknown): any {
    let x = input;
    // The registry's own list, without the filtered copies layers() makes: this runs every step.
    for (const name of childModuleNames(this)) {
      const m = (this as unknown as Record<string, Module | null>)[name];
      if (m) x = m.forward(x);
    }
    return x;
  }
}

/** A list of modules registered as children "0", "1", ...; it has no forward of its own. */
export class ModuleList<T extends Module = Module> extends Module {
  constructor(modules: Iterable<T> = []) {
    super();
    for (const m of modules) this.append(m);
  }
  private items(): T[] {
    return childEntries(this).map(([, m]) => m as T);
  }
  at(i: number): T {
    const items = this.items();
    return items[checkIndex(i, items.length)];
  }
  /** Replaces the module at index i. */
  set(i: number, module: T): void {
    const names = childEntries(this);
    this.addModule(names[checkIndex(i, names.length)][0], module);
  }
  get length(): number {
    return childEntries(this).length;
  }
  [Symbol.iterator](): Iterator<T> {
    return this.items()[Symbol.iterator]();
  }
  append(module: T): this {
    this.addModule(String(this.length), module);
    return this;
  }
  extend(modules: Iterable<T>): this {
    for (const m of modules) this.append(m);
    return this;
  }
  insert(index: number, module: T): void {
    const mods: Module[] = this.items();
    const n = mods.length;
    const at = index < 0 ? Math.max(0, index + n) : Math.min(index, n);
    mods.splice(at, 0, module);
    renumber(this, mods);
  }
  pop(i = -1): T {
    const mods = this.items();
    const [m] = mods.splice(checkIndex(i, mods.length), 1);
    renumber(this, mods);
    return m;
  }
}

/** Modules by name, in insertion order. */
export class ModuleDict<T extends Module = Module> extends Module {
  constructor(modules: Record<string, T> | Map<string, T> | Iterable<[string, T]> = {}) {
    super();
    this.update(modules);
  }
  get(key: string): T {
    if (!this.has(key)) throw new RangeError(`ModuleDict has no key '${key}'`);
    return childAt(this, key) as T;
  }
  set(key: string, module: T): void {
    this.addModule(key, module);
  }
  has(key: string): boolean {
    return childEntries(this).some(([k]) => k === key);
  }
  /** Removes the module under key and returns it. */
  pop(key: string): T {
    const m = this.get(key);
    delete (this as unknown as Record<string, unknown>)[key];
    return m;
  }
  clear(): void {
    for (const k of this.keys()) delete (this as unknown as Record<string, unknown>)[k];
  }
  keys(): string[] {
    return childEntries(this).map(([k]) => k);
  }
  values(): T[] {
    return childEntries(this).map(([, m]) => m as T);
  }
  items(): Array<[string, T]> {
    return childEntries(this) as Array<[string, T]>;
  }
  get length(): number {
    return childEntries(this).length;
  }
  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }
  update(modules: Record<string, T> | Map<string, T> | Iterable<[string, T]>): void {
    const pairs =
      modules instanceof Map || Symbol.iterator in Object(modules) ? [...(modules as Iterable<[string, T]>)] : Object.entries(modules as Record<string, T>);
    for (const [k, m] of pairs) this.addModule(k, m);
  }
}
