// The bridge between kindling Tensors and the io layer's RawTensor records, and between the
// Maps a pickle holds and the plain objects JavaScript code works with.
import { dtypes } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
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
 */
export function toPlain(value: unknown): unknown {
  if (value instanceof Tensor || value === null || typeof value !== "object") return value;
  if (value instanceof Map) {
    if (![...value.keys()].every((k) => typeof k === "string")) {
      return new Map([...value].map(([k, v]) => [k, toPlain(v)]));
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) defineOwn(out, k as string, toPlain(v));
    return out;
  }
  if (Array.isArray(value)) {
    const arr = value.map(toPlain);
    return Object.isFrozen(value) ? Object.freeze(arr) : arr;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) defineOwn(out, k, toPlain(v));
  return out;
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
