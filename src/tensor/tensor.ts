// The Tensor: a strided view of a Storage, plus the autograd fields the graph needs.
// Operations (add, matmul, sum, ...) are attached to the prototype by src/ops, so this layer
// stays free of any kernel or graph code.
import { allocArray } from "./alloc.js";
import { type DType, getDefaultDtype, int64, bool as boolDtype, type TypedArray } from "./dtype.js";
import { formatTensor } from "./format.js";
import { contiguousStrides, isContiguous, numelOf, normalizeDim, } from "./shape.js";
import { type Device, Storage } from "./storage.js";
import { gatherStrided } from "./strided.js";

/** What a Tensor knows of the graph node that produced it; src/ops defines the real class. */
export interface GradFn {
  readonly name: string;
}

/** What tolist() returns: a number (or boolean, for bool tensors) nested as deep as the tensor. */
export type NestedList = number | boolean | NestedList[];

export class Tensor {
  storage!: Storage;
  shape!: number[];
  strides!: number[];
  offset!: number;
  dtype!: DType;
  private _grad: Tensor | null = null;
  /** The node that made this tensor; null for leaves. */
  gradFn: GradFn | null = null;
  /** For a multi-output node: which of its outputs this tensor is. */
  outputNr = 0;
  /** Set by retainGrad() on a non-leaf. */
  retainsGrad = false;
  /** The leaf's gradient accumulator node, made once so every use of the leaf shares it. */
  gradAccumulator: unknown = null;
  /** The tensor whose memory this view shares, for views made by view ops (null otherwise). */
  base: Tensor | null = null;
  /** Hooks run on this tensor's gradient before it is accumulated (registerHook). */
  hooks: Array<(grad: Tensor) => Tensor | undefined | void> | null = null;
  private _requiresGrad = false;

  /** PyTorch's legacy `torch.Tensor(data)`: a copy in the default dtype. Prefer torch.tensor(data). */
  constructor(data: ReadonlyArray<unknown>);
  /** PyTorch's legacy `torch.Tensor(2, 3)`: a tensor of these sizes (zero-filled). */
  constructor(...sizes: number[]);
  constructor(storage: Storage, shape: number[], strides: number[], offset: number, dtype: DType);
  constructor(storage: Storage | ReadonlyArray<unknown> | number, shape?: number[] | number, strides?: number[] | number, offset?: number, dtype?: DType | number) {
    // `new torch.Tensor([1, 2])` (PyTorch's legacy constructor, from data or sizes) returns the
    // tensor src/ops/legacy.ts builds; the layers below construct with a Storage. The branch
    // lives in a function of its own so this constructor, run for every tensor, stays small.
    // biome-ignore lint/correctness/noConstructorReturn: PyTorch's torch.Tensor(data) makes a tensor from data
    if (!(storage instanceof Storage)) return legacyTensor(storage, shape, strides, offset, dtype);
    this.storage = storage;
    this.shape = shape as number[];
    this.strides = strides as number[];
    this.offset = offset as number;
    this.dtype = dtype as DType;
  }

  /** A new contiguous tensor over fresh (or given) memory. */
  static make(shape: number[], dtype: DType, data?: TypedArray, device: Device = "cpu"): Tensor {
    const n = numelOf(shape);
    const buf = data ?? allocArray(dtype, n);
    return new Tensor(new Storage(buf, device), shape, contiguousStrides(shape), 0, dtype);
  }

  /**
   * Gradient accumulated into a leaf (or a tensor that called retainGrad()) by backward().
   * Assigning one of another dtype, size or device is an error, as in PyTorch.
   */
  get grad(): Tensor | null {
    return this._grad;
  }
  set grad(g: Tensor | null) {
    if (g !== null) {
      if (!(g instanceof Tensor)) {
        throw new TypeError(`assigned grad expected to be a Tensor or None but got grad of type ${g === undefined ? "undefined" : ((g as object).constructor?.name ?? typeof g)}`);
      }
      if (g.dtype !== this.dtype) throw new TypeError("assigned grad has data of a different type");
      if (g.storage.device !== this.storage.device) throw new Error("assigned grad has data located on a different device");
      const a = g.shape;
      const b = this.shape;
      let same = a.length === b.length;
      for (let i = 0; same && i < a.length; i++) same = a[i] === b[i];
      if (!same) throw new RangeError("assigned grad has data of a different size");
    }
    this._grad = g;
  }

  get device(): Device {
    return this.storage.device;
  }

  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  set requiresGrad(v: boolean) {
    if (v && !this.dtype.isFloatingPoint) {
      throw new TypeError(`only Tensors of floating point dtype can require gradients (got ${this.dtype})`);
    }
    if (!v && this.gradFn !== null) {
      throw new Error(
        "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
      );
    }
    this._requiresGrad = v;
  }
  /** Set by the op that creates a non-leaf: skips the leaf-only checks of the setter. */
  setRequiresGradUnchecked(v: boolean): void {
    this._requiresGrad = v;
  }

  requiresGrad_(requiresGrad = true): this {
    this.requiresGrad = requiresGrad;
    return this;
  }

  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** The counter shared by every view of this memory; in-place writes bump it. */
  get version(): number {
    return this.storage.version;
  }

  numel(): number {
    return numelOf(this.shape);
  }
  dim(): number {
    return this.shape.length;
  }
  get ndim(): number {
    return this.shape.length;
  }
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return this.shape.slice();
    return this.shape[normalizeDim(dim, this.shape.length, "size")];
  }
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    if (dim === undefined) return this.strides.slice();
    return this.strides[normalizeDim(dim, this.shape.length, "stride")];
  }
  storageOffset(): number {
    return this.offset;
  }
  isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }
  isFloatingPoint(): boolean {
    return this.dtype.isFloatingPoint;
  }
  elementSize(): number {
    return this.dtype.itemsize;
  }

  /** The elements in row-major order, as a typed array of the storage's kind (a copy unless contiguous and whole). */
  values(): TypedArray {
    const data = this.storage.data;
    const n = this.numel();
    if (this.isContiguous()) {
      if (this.offset === 0 && data.length === n) return data;
      return data.subarray(this.offset, this.offset + n);
    }
    const out = allocArray(this.dtype, n);
    gatherStrided(data, this.shape, this.strides, this.offset, out);
    return out;
  }

  item(): number;
  item(): number | boolean {
    const n = this.numel();
    if (n !== 1) throw new RangeError(`only one element tensors can be converted to Python scalars (a Tensor with ${n} elements cannot be converted to Scalar)`);
    const v = this.storage.data[this.offset];
    return this.dtype === boolDtype ? v !== 0 : v;
  }

  // Typed loosely, as Python's list is: callers index and cast it as the shape they know.
  tolist(): any {
    const flat = this.values();
    const isBool = this.dtype === boolDtype;
    const shape = this.shape;
    if (shape.length === 0) return isBool ? flat[0] !== 0 : flat[0];
    let pos = 0;
    const build = (d: number): NestedList => {
      const out = new Array(shape[d]);
      if (d === shape.length - 1) {
        for (let i = 0; i < shape[d]; i++) out[i] = isBool ? flat[pos++] !== 0 : flat[pos++];
      } else {
        for (let i = 0; i < shape[d]; i++) out[i] = build(d + 1);
      }
      return out;
    };
    return build(0);
  }

  toString(): string {
    const extras: { device?: string; gradFn?: string; requiresGrad?: boolean } = {};
    if (this.device !== "cpu") extras.device = this.device;
    if (this.gradFn) extras.gradFn = this.gradFn.name;
    else if (this.requiresGrad) extras.requiresGrad = true;
    return formatTensor(this.values(), this.shape, this.dtype, extras);
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
  get [Symbol.toStringTag](): string {
    return "Tensor";
  }

  /** The default dtype a float tensor of this kind gets, for dtype-suffix decisions. */
  static defaultDtypeFor(integral: boolean): DType {
    return integral ? int64 : getDefaultDtype();
  }
}

let legacyConstructor: ((args: unknown[]) => Tensor) | null = null;

function legacyTensor(...given: unknown[]): Tensor {
  if (legacyConstructor === null) throw new TypeError("new Tensor(data) is not available: use torch.tensor(data)");
  const args = given.slice();
  while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
  return legacyConstructor(args);
}
/** Sets what `new Tensor(data)` (not a Storage) builds: src/ops/legacy.ts, which knows the creation ops. */
export function setLegacyConstructor(fn: (args: unknown[]) => Tensor): void {
  legacyConstructor = fn;
}

/** A tensor that shares `t`'s memory with its own shape/strides (no history: ops add that). */
export function viewOf(t: Tensor, shape: number[], strides: number[], offset: number): Tensor {
  return new Tensor(t.storage, shape, strides, offset, t.dtype);
}
