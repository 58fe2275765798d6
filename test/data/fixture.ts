// The fixtures written by scripts/fixtures/data.py (PyTorch 1.13), and helpers to compare with them.

import { readFileSync } from "node:fs";
import * as torch from "../../src/index.js";

export const fixture = JSON.parse(readFileSync(new URL("../fixtures/data/data.json", import.meta.url), "utf8"));

/** Two float32 uniforms from a generator (or the default one), as the fixtures' after(). */
export function after(generator?: torch.Generator): number[] {
  return (generator ? torch.rand(2, { generator }) : torch.rand(2)).tolist() as number[];
}

/** A collated value as the fixtures encode it. */
export function encode(value: unknown): unknown {
  if (value instanceof torch.Tensor) {
    const values = Array.from(value.contiguous().values() as ArrayLike<number>, (v) => (value.dtype === torch.bool ? v !== 0 : v));
    return { tensor: { dtype: String(value.dtype), shape: value.shape, values } };
  }
  if (Array.isArray(value)) return { list: value.map(encode) };
  if (typeof value === "string") return { str: value };
  if (value !== null && typeof value === "object") {
    return { dict: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v)])) };
  }
  throw new TypeError(`cannot encode ${String(value)}`);
}

const DTYPES: Record<string, torch.DType> = {
  "torch.float32": torch.float32,
  "torch.float64": torch.float64,
  "torch.int64": torch.int64,
  "torch.int32": torch.int32,
  "torch.bool": torch.bool,
};

/** A sample the fixtures describe with Python type tags, as the equivalent JavaScript value. */
export function rebuild(d: Record<string, unknown>): unknown {
  if ("tensor" in d) {
    const t = d.tensor as { dtype: string; shape: number[]; values: Array<number | boolean> };
    return torch.tensor(t.values as number[], { dtype: DTYPES[t.dtype] }).reshape(t.shape);
  }
  if ("int" in d) return d.int;
  if ("float" in d) return d.float;
  if ("bool" in d) return d.bool;
  if ("str" in d) return d.str;
  if ("list" in d) return (d.list as Record<string, unknown>[]).map(rebuild);
  if ("tuple" in d) return (d.tuple as Record<string, unknown>[]).map(rebuild);
  if ("dict" in d) return Object.fromEntries(Object.entries(d.dict as Record<string, Record<string, unknown>>).map(([k, v]) => [k, rebuild(v)]));
  throw new TypeError(`unknown tag in ${JSON.stringify(d)}`);
}
