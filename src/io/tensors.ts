// The bridge between kindling Tensors and the io layer's RawTensor records, and between the
// Maps a pickle holds and the plain objects JavaScript code works with.
import { dtypes } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { FileFormatError } from "./format-error.js";
import { type RawTensor, isRawTensor } from "./raw-tensor.js";

export function toRaw(value: object): RawTensor | undefined {
  if (!(value instanceof Tensor)) return undefined;
  // A private copy of the values, so later in-place changes cannot leak into a pending write.
  const data = value.values().slice() as RawTensor["data"];
  const raw: RawTensor = { dtype: value.dtype.name, shape: value.shape.slice(), data };
  // torch.save keeps requires_grad; state dicts hold detached tensors, so theirs is false.
  if (value.requiresGrad) raw.requiresGrad = true;
  return raw;
}

export function fromRaw(raw: RawTensor): Tensor {
  const t = Tensor.make(raw.shape.slice(), dtypes[raw.dtype], raw.data);
  if (raw.requiresGrad) t.requiresGrad = true;
  return t;
}

/**
 * Dicts come back from a file as Maps (to keep integer keys and order). Those whose keys are all
 * strings -- state dicts, checkpoints -- are handed to user code as plain objects, as a state dict
 * is used in JavaScript: state["0.weight"], checkpoint.epoch. A dict with any other key stays a
 * Map, so an optimizer's `state` keeps its integer keys (as Optimizer.stateDict() gives it) and
 * saving what was loaded writes the same Python dict back.
 *
 * Each distinct container is converted once, and a container reached twice (Python's pickle memo
 * shares objects: `x = [x, x]` sixty times is an 813-byte file) comes back as one shared object, so
 * the work is linear in the file's size. The walk uses an explicit stack, so nesting depth cannot
 * overflow the call stack. `maxEntries` bounds the total number of entries converted (a backstop:
 * a file cannot describe more entries than it has bytes); past it, a FileFormatError.
 */
export function toPlain(value: unknown, maxEntries = Number.POSITIVE_INFINITY): unknown {
  if (isLeaf(value)) return value;
  const converted = new Map<object, unknown>();
  const tuples: unknown[][] = [];
  const work: object[] = [];
  let entries = 0;
  const out = (v: unknown): unknown => {
    if (isLeaf(v)) return v;
    let shell = converted.get(v as object);
    if (shell === undefined) {
      shell = shellOf(v as object);
      if (Array.isArray(v) && Object.isFrozen(v)) tuples.push(shell as unknown[]);
      converted.set(v as object, shell);
      work.push(v as object);
    }
    return shell;
  };
  const count = (n: number): void => {
    entries += n;
    if (entries > maxEntries) {
      throw new FileFormatError(`the loaded object has more than ${maxEntries} entries in its lists and dicts, more than its file can describe`);
    }
  };
  const result = out(value);
  while (work.length > 0) {
    const v = work.pop()!;
    const shell = converted.get(v);
    if (Array.isArray(v)) {
      count(v.length);
      const arr = shell as unknown[];
      for (let i = 0; i < v.length; i++) arr[i] = out(v[i]);
    } else if (v instanceof Map) {
      count(v.size);
      if (shell instanceof Map) for (const [k, x] of v) shell.set(k, out(x));
      else for (const [k, x] of v) defineOwn(shell as Record<string, unknown>, k as string, out(x));
    } else {
      const own = Object.entries(v);
      count(own.length);
      for (const [k, x] of own) defineOwn(shell as Record<string, unknown>, k, out(x));
    }
  }
  // Tuples are frozen once every one of their items is in place.
  for (const t of tuples) Object.freeze(t);
  return result;
}

function isLeaf(v: unknown): boolean {
  return v instanceof Tensor || v === null || typeof v !== "object";
}

/** The empty container `v` becomes: a Map keeps non-string keys, other dicts become plain objects. */
function shellOf(v: object): unknown {
  if (Array.isArray(v)) return new Array(v.length);
  if (v instanceof Map) {
    for (const k of v.keys()) if (typeof k !== "string") return new Map();
    return {};
  }
  return {};
}

/** A name -> tensor mapping (a state dict), which safetensors can hold; anything else needs .pt. */
export function isTensorMapping(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Tensor || isRawTensor(value)) {
    return false;
  }
  if (value instanceof Map) return [...value].every(([k, v]) => typeof k === "string" && (v instanceof Tensor || isRawTensor(v)));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((v) => v instanceof Tensor || isRawTensor(v));
}

function defineOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty, not assignment: a key such as "__proto__" must stay an ordinary entry.
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
