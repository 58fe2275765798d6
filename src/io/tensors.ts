// The bridge between kindling Tensors and the io layer's RawTensor records, and between the
// Maps a pickle holds and the plain objects JavaScript code works with.
import { dtypes } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import type { RawTensor } from "./raw-tensor.js";

export function toRaw(value: object): RawTensor | undefined {
  if (!(value instanceof Tensor)) return undefined;
  // A private copy of the values, so later in-place changes cannot leak into a pending write.
  const data = value.values().slice() as RawTensor["data"];
  return { dtype: value.dtype.name, shape: value.shape.slice(), data };
}

export function fromRaw(raw: RawTensor): Tensor {
  return Tensor.make(raw.shape.slice(), dtypes[raw.dtype], raw.data);
}

/**
 * Dicts come back from a file as Maps (to keep integer keys and order); hand them to user code as
 * plain objects, as a state dict or checkpoint is used in JavaScript: state["layer.0.weight"].
 */
export function toPlain(value: unknown): unknown {
  if (value instanceof Tensor || value === null || typeof value !== "object") return value;
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = toPlain(v);
    return out;
  }
  if (Array.isArray(value)) {
    const arr = value.map(toPlain);
    return Object.isFrozen(value) ? Object.freeze(arr) : arr;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = toPlain(v);
  return out;
}
