// Making tensors: from JavaScript data, and the constant-filled and range constructors.
import { fma32, fma64 } from "../random/fma.js";
import { bool, type DType, float32, float64, getDefaultDtype, int32, int64, type TypedArray, uint8 } from "../tensor/dtype.js";
import { allocArray, allocOffHeap } from "../tensor/alloc.js";
import { shapeArgs } from "../tensor/shape.js";
import { Storage } from "../tensor/storage.js";
import { Tensor } from "../tensor/tensor.js";
import { checkDevice } from "./device.js";
import { backendOf, splitOptions } from "./util.js";
import { tracer } from "./trace.js";

export interface TensorOptions {
  dtype?: DType;
  device?: string;
  requiresGrad?: boolean;
}

type Data = number | bigint | boolean | Tensor | TypedArray | ReadonlyArray<Data>;

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

/** torch.tensor: numbers make float32 (the default dtype), BigInts int64, booleans bool (API.md). */
export function tensor(data: Data, opts: TensorOptions = {}): Tensor {
  const device = checkDevice(opts.device ?? "cpu");
  // A flat list of numbers (a dataset's getItem builds one or two per sample, a DataLoader
  // epoch thousands): no shape walk, and the tensor built directly, its shape and strides known.
  if (Array.isArray(data) && typeof data[0] === "number") {
    const dtype = opts.dtype ?? getDefaultDtype();
    const values = flatNumbers(data, dtype);
    if (values !== null) return finish(new Tensor(new Storage(values, device), [values.length], [1], 0, dtype), opts);
  }
  if (data instanceof Tensor) {
    const c = backendOf(data).copy(data.detach(), opts.dtype ?? data.dtype);
    return finish(device === c.device ? c : Tensor.make(c.shape, c.dtype, c.storage.data, device), opts);
  }
  if (Array.isArray(data) && hasTensorLeaf(data)) {
    // torch.tensor([label for label in labels]) with 0-d tensors among the items: each one-element
    // tensor counts as its scalar, and its dtype joins the inference (a float64 item makes float64)
    const leafDtypes: DType[] = [];
    const plain = scalarsOf(data, leafDtypes);
    if (opts.dtype !== undefined) return tensor(plain, opts);
    const base = tensor(plain, { device: opts.device });
    const dtype = leafDtypes.reduce((acc, d) => (d.isFloatingPoint && acc.isFloatingPoint && d.itemsize > acc.itemsize ? d : acc), base.dtype);
    return tensor(plain, { ...opts, dtype });
  }
  const shape: number[] = [];
  // The shape comes from the first element at each depth; every other branch is checked against it.
  let probe: Data = data;
  while (Array.isArray(probe) || ArrayBuffer.isView(probe)) {
    const arr = probe as ArrayLike<Data>;
    shape.push(arr.length);
    if (arr.length === 0) break;
    probe = arr[0];
  }
  let inferred: DType;
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    inferred = data instanceof Float64Array ? float64 : data instanceof Int32Array ? int32 : data instanceof Uint8Array ? uint8 : getDefaultDtype();
  } else if (typeof probe === "bigint" || typeof probe === "boolean") inferred = inferLeaves(data);
  else inferred = getDefaultDtype();
  const dtype = opts.dtype ?? inferred;
  let n = 1;
  for (let d = 0; d < shape.length; d++) n *= shape[d];
  const out = allocArray(dtype, n);
  fillFrom(data, 0, shape, dtype, out, 0);
  return finish(Tensor.make(shape, dtype, out, device), opts);
}

/** The values of an array of plain numbers in dtype, or null when an element is anything else. */
function flatNumbers(data: readonly unknown[], dtype: DType): TypedArray | null {
  const n = data.length;
  const values = allocOffHeap(dtype, n);
  if (dtype.isFloatingPoint) {
    // The common case, with storedValue's per-element dtype tests taken out of the loop.
    for (let i = 0; i < n; i++) {
      const v = data[i];
      if (typeof v !== "number") return null;
      values[i] = v;
    }
    return values;
  }
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (typeof v !== "number") return null;
    values[i] = storedValue(v, dtype);
  }
  return values;
}

/**
 * The dtype PyTorch infers from mixed leaves, as Python's ints, floats and bools map here to
 * BigInts, numbers and booleans: any number makes the default float dtype (`[1n, 2.5]` is float,
 * as `[1, 2.5]` in PyTorch), else any BigInt int64, else bool. Walked only when the first leaf
 * is a BigInt or a boolean (a number first already gives the widest answer).
 */
function inferLeaves(data: Data): DType {
  let sawBigint = false;
  const walk = (node: Data): boolean => {
    if (Array.isArray(node)) {
      for (const v of node as ReadonlyArray<Data>) if (walk(v)) return true;
      return false;
    }
    if (typeof node === "number") return true;
    if (typeof node === "bigint") sawBigint = true;
    return false;
  };
  if (walk(data)) return getDefaultDtype();
  return sawBigint ? int64 : bool;
}

const INT_RANGE: Record<string, [number, number]> = { int64: [-(2 ** 63), 2 ** 63], int32: [-(2 ** 31), 2 ** 31], uint8: [0, 256] };

/** A value as dtype stores it: 0/1 for bool, truncated toward zero for integers (out of range: PyTorch's overflow error). */
function storedValue(v: number, dtype: DType): number {
  if (dtype === bool) return v !== 0 ? 1 : 0;
  if (dtype.isFloatingPoint) return v;
  const t = Math.trunc(v);
  const range = INT_RANGE[dtype.name];
  // uint8 wraps in PyTorch (a C cast), as Uint8Array does; the signed types raise.
  if (dtype.name !== "uint8" && range !== undefined && !(t >= range[0] && t < range[1])) {
    throw new RangeError(`value cannot be converted to type ${dtype.name} without overflow`);
  }
  return t;
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * A BigInt as a number. Beyond int64 it is PyTorch's overflow; for an integer dtype, a value
 * beyond ±2^53 that a float64 cannot hold exactly is an error too: kindling stores int64 values
 * as float64 numbers, and rounding silently would give a wrong integer.
 */
function bigintValue(v: bigint, dtype: DType): number {
  if (v > INT64_MAX || v < INT64_MIN) throw new RangeError("Overflow when unpacking long");
  const n = Number(v);
  if (!dtype.isFloatingPoint && dtype !== bool && BigInt(n) !== v) {
    throw new RangeError(
      `tensor: the integer ${v} cannot be held exactly: kindling keeps int64 values as float64 numbers, which hold every integer up to 2^53 (9007199254740992) in magnitude but not this one`,
    );
  }
  return n;
}

function hasTensorLeaf(data: ReadonlyArray<Data>): boolean {
  for (const item of data) {
    if (item instanceof Tensor) return true;
    if (Array.isArray(item) && hasTensorLeaf(item)) return true;
  }
  return false;
}

/** The data with each tensor item replaced by its one element (BigInt for integers, boolean for bool). */
function scalarsOf(data: Data, dtypes: DType[]): Data {
  if (data instanceof Tensor) {
    if (data.numel() !== 1) throw new RangeError("only one element tensors can be converted to Python scalars");
    dtypes.push(data.dtype);
    const v = data.item();
    if (data.dtype === bool) return Boolean(v);
    return data.dtype.isFloatingPoint ? v : BigInt(v);
  }
  if (Array.isArray(data)) return data.map((d) => scalarsOf(d, dtypes));
  return data;
}

/**
 * Writes the numbers of nested data into out from pos, checking every branch against shape;
 * returns the next position. A module-level function rather than a closure made per tensor()
 * call: tsx keeps function names, which costs a defineProperty per closure, and data loaders
 * call tensor() for every sample.
 */
function fillFrom(node: Data, depth: number, shape: readonly number[], dtype: DType, out: TypedArray, pos: number): number {
  if (depth === shape.length) {
    if (Array.isArray(node)) throw new TypeError(`tensor: expected a number at depth ${depth}, got a sequence`);
    let v: number;
    if (typeof node === "number") v = node;
    else if (typeof node === "bigint") v = bigintValue(node, dtype);
    else if (typeof node === "boolean") v = node ? 1 : 0;
    else throw new TypeError(`tensor: could not convert ${String(node)} (${typeof node}) to a number`);
    out[pos] = storedValue(v, dtype);
    return pos + 1;
  }
  const arr = node as ArrayLike<Data>;
  if (!(Array.isArray(arr) || ArrayBuffer.isView(arr))) {
    throw new RangeError(`tensor: expected sequence of length ${shape[depth]} at dim ${depth} (got a scalar)`);
  }
  if (arr.length !== shape[depth]) {
    throw new RangeError(`tensor: expected sequence of length ${shape[depth]} at dim ${depth} (got ${arr.length})`);
  }
  if (depth === shape.length - 1 && ArrayBuffer.isView(arr)) {
    for (let i = 0; i < arr.length; i++) out[pos++] = storedValue(arr[i] as number, dtype);
    return pos;
  }
  for (let i = 0; i < arr.length; i++) pos = fillFrom(arr[i], depth + 1, shape, dtype, out, pos);
  return pos;
}

type ShapeAndOptions = Array<number | readonly number[] | TensorOptions>;

function parseShape(args: ShapeAndOptions): [number[], TensorOptions] {
  const [rest, opts] = splitOptions<TensorOptions>(args);
  return [shapeArgs(rest as Array<number | number[]>), opts];
}

export function full(shape: readonly number[], value: number | boolean, opts: TensorOptions = {}): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("full", full, [shape, value, opts]);
  const dtype = opts.dtype ?? (typeof value === "boolean" ? bool : getDefaultDtype());
  const t = Tensor.make(shapeArgs([shape]), dtype, undefined, checkDevice(opts.device ?? "cpu"));
  const v = Number(value);
  t.storage.data.fill(dtype === bool ? (v !== 0 ? 1 : 0) : dtype.isFloatingPoint ? v : Math.trunc(v));
  return finish(t, opts);
}

export function zeros(...args: ShapeAndOptions): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("zeros", zeros, [...args]);
  const [shape, opts] = parseShape(args);
  return full(shape, 0, opts);
}
export function ones(...args: ShapeAndOptions): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("ones", ones, [...args]);
  const [shape, opts] = parseShape(args);
  return full(shape, 1, opts);
}
/** Uninitialised in PyTorch; zero-filled here (typed arrays always are). */
export function empty(...args: ShapeAndOptions): Tensor {
  return zeros(...args);
}

function likeOptions(t: Tensor, opts: TensorOptions): TensorOptions {
  return { dtype: opts.dtype ?? t.dtype, device: opts.device ?? t.device, requiresGrad: opts.requiresGrad };
}
export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("zerosLike", zerosLike, [t, opts]);
  return full(t.shape, 0, likeOptions(t, opts));
}
export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("onesLike", onesLike, [t, opts]);
  return full(t.shape, 1, likeOptions(t, opts));
}
export function fullLike(t: Tensor, value: number | boolean, opts: TensorOptions = {}): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("fullLike", fullLike, [t, value, opts]);
  return full(t.shape, value, likeOptions(t, opts));
}
export function emptyLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return full(t.shape, 0, likeOptions(t, opts));
}

/** torch.arange(end) / arange(start, end, step): int64 when every argument is an integer. */
export function arange(...args: Array<number | TensorOptions>): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("arange", arange, [...args]);
  const [nums, opts] = splitOptions<TensorOptions>(args) as [number[], TensorOptions];
  let [start, end, step] = [0, 0, 1];
  if (nums.length === 1) end = nums[0];
  else if (nums.length === 2) [start, end] = nums;
  else if (nums.length === 3) [start, end, step] = nums;
  else throw new TypeError(`arange: expected 1 to 3 numbers, got ${nums.length}`);
  if (step === 0) throw new RangeError("arange: step must be nonzero");
  if ((step > 0 && end < start) || (step < 0 && end > start)) {
    throw new RangeError("arange: upper bound and larger bound inconsistent with step sign");
  }
  const dtype = opts.dtype ?? (nums.every(Number.isInteger) ? int64 : getDefaultDtype());
  const n = Math.ceil((end - start) / step);
  const t = Tensor.make([n], dtype, undefined, checkDevice(opts.device ?? "cpu"));
  const d = t.storage.data;
  if (dtype.isFloatingPoint) fillArange(d, start, step, n, dtype);
  else {
    // Integer types compute in int64: start and step are truncated first.
    const s = Math.trunc(start);
    const st = Math.trunc(step);
    for (let i = 0; i < n; i++) d[i] = s + i * st;
  }
  return finish(t, opts);
}

/**
 * PyTorch 1.13's arange kernel (AVX2 build) for floating types: start + step * i in double with one
 * fused multiply-add; where two vectors of the output fit, each vector rounds its first value to
 * the tensor's type and adds k * step (fused) for lane k.
 */
function fillArange(d: TypedArray, start: number, step: number, n: number, dtype: DType): void {
  const lanes = 32 / dtype.itemsize;
  const f32 = dtype === float32;
  let i = 0;
  for (; i <= n - 2 * lanes; i += 2 * lanes) {
    for (let v = 0; v < 2; v++) {
      const first = i + v * lanes;
      const v0 = fma64(step, first, start);
      const base = f32 ? Math.fround(v0) : v0;
      d[first] = base;
      for (let k = 1; k < lanes; k++) d[first + k] = fma64(k, step, base);
    }
  }
  for (; i < n; i++) d[i] = fma64(step, i, start);
}

/** torch.linspace, computed as PyTorch's CPU kernel computes it, so the values agree bit for bit. */
/** linspace(start, end, steps, { dtype, device }), or linspace(start, end, { steps, dtype }) for torch.linspace(0, 1, steps=5). */
export function linspace(start: number, end: number, stepsOrOpts: number | (TensorOptions & { steps: number }), opts: TensorOptions = {}): Tensor {
  let steps: number;
  if (typeof stepsOrOpts === "object" && stepsOrOpts !== null) {
    ({ steps, ...opts } = stepsOrOpts);
  } else steps = stepsOrOpts;
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError("linspace: number of steps must be non-negative");
  const dtype = opts.dtype ?? getDefaultDtype();
  const t = Tensor.make([steps], dtype, undefined, checkDevice(opts.device ?? "cpu"));
  const d = t.storage.data;
  if (steps === 1) d[0] = dtype.isFloatingPoint ? start : Math.trunc(start);
  else if (steps > 1) fillLinspace(d, start, end, steps, dtype);
  return finish(t, opts);
}

/**
 * PyTorch 1.13's linspace kernel (AVX2 build): start, end and step in the tensor's type (double
 * for integers), filled from both ends (start + step * i below the halfway point, end - step *
 * (steps - i - 1) from it) with one fused multiply-add each; where two vectors of the output fit,
 * each vector instead takes that value for its first lane and adds k * step for lane k, still
 * picking the end by the vector's first index.
 */
function fillLinspace(d: TypedArray, start: number, end: number, steps: number, dtype: DType): void {
  const f32 = dtype === float32;
  const integral = !dtype.isFloatingPoint;
  const r = f32 ? Math.fround : (v: number) => v;
  const fma = f32 ? fma32 : fma64;
  const s = integral ? Math.trunc(start) : r(start);
  const e = integral ? Math.trunc(end) : r(end);
  const step = r(r(e - s) / (steps - 1));
  const half = Math.floor(steps / 2);
  const store = integral ? (v: number) => (Number.isFinite(v) ? Math.trunc(v) : 0) : r;
  const at = (i: number) => (i < half ? fma(step, i, s) : fma(-step, steps - i - 1, e));
  const lanes = 32 / dtype.itemsize;
  let i = 0;
  for (; i <= steps - 2 * lanes; i += 2 * lanes) {
    for (let v = 0; v < 2; v++) {
      const first = i + v * lanes;
      const base = integral ? Math.trunc(at(first)) : at(first);
      d[first] = store(base);
      for (let k = 1; k < lanes; k++) d[first + k] = store(base + r(k * step));
    }
  }
  for (; i < steps; i++) d[i] = store(at(i));
}

/** logspace(start, end, steps, base?, { dtype }), or logspace(start, end, { steps, base, dtype }). */
export function logspace(
  start: number,
  end: number,
  stepsOrOpts: number | (TensorOptions & { steps: number; base?: number }),
  baseOrOpts: number | (TensorOptions & { base?: number }) = 10,
  opts: TensorOptions = {},
): Tensor {
  let steps: number;
  let base = 10;
  if (typeof stepsOrOpts === "object" && stepsOrOpts !== null) {
    const { steps: s, base: b, ...rest } = stepsOrOpts;
    steps = s;
    base = b ?? 10;
    opts = rest;
  } else {
    steps = stepsOrOpts;
    if (typeof baseOrOpts === "object" && baseOrOpts !== null) {
      const { base: b, ...rest } = baseOrOpts;
      base = b ?? 10;
      opts = rest;
    } else base = baseOrOpts;
  }
  const lin = linspace(start, end, steps, { dtype: float64 });
  const dtype = opts.dtype ?? getDefaultDtype();
  const t = Tensor.make([steps], dtype, undefined, checkDevice(opts.device ?? "cpu"));
  for (let i = 0; i < steps; i++) t.storage.data[i] = base ** lin.storage.data[i];
  return finish(t, opts);
}

export function eye(n: number, m?: number | TensorOptions, opts: TensorOptions = {}): Tensor {
  if (typeof m === "object") {
    opts = m;
    m = undefined;
  }
  const cols = m ?? n;
  const t = full([n, cols], 0, opts);
  for (let i = 0; i < Math.min(n, cols); i++) t.storage.data[i * cols + i] = 1;
  return t;
}
