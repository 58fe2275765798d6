// Shared helpers for the nn fixture tests: load JSON fixtures, rebuild tensors, compare values.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../../src/index.js";

export interface TDump {
  shape: number[];
  dtype: string;
  values: number[];
}

const NON_FINITE: Record<string, number> = { inf: Number.POSITIVE_INFINITY, "-inf": Number.NEGATIVE_INFINITY, nan: Number.NaN };

/** Reads a fixture; non-finite floats are stored as the strings "inf", "-inf" and "nan". */
export function loadFixture<T>(name: string): T {
  const text = readFileSync(join(import.meta.dirname, "..", "fixtures", "nn", `${name}.json`), "utf8");
  return JSON.parse(text, (_k, v) => (typeof v === "string" && v in NON_FINITE ? NON_FINITE[v] : v)) as T;
}

const DTYPES: Record<string, torch.DType> = { float32: torch.float32, float64: torch.float64, int64: torch.int64, bool: torch.bool };

export function fromDump(d: TDump): torch.Tensor {
  return torch.tensor(d.values, { dtype: DTYPES[d.dtype] }).reshape(d.shape);
}

/** Tolerances: float32 to a few ulps of the values' scale, float64 to ~1e-12 relative. */
export function tol(dtype: string): { atol: number; rtol: number } {
  if (dtype === "exact") return { atol: 0, rtol: 0 };
  return dtype === "float64" ? { atol: 1e-12, rtol: 1e-10 } : { atol: 2e-6, rtol: 2e-5 };
}

export function assertClose(got: torch.Tensor | number[] | null, want: TDump | number[] | null, dtype: string, what: string): void {
  if (want === null) {
    assert.equal(got, null, `${what}: expected null`);
    return;
  }
  assert.ok(got !== null, `${what}: got null`);
  const g = Array.isArray(got) ? got : Array.from(got.contiguous().values() as ArrayLike<number>, Number);
  const w = Array.isArray(want) ? want : want.values;
  if (!Array.isArray(want) && !Array.isArray(got)) assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  assert.equal(g.length, w.length, `${what}: length`);
  const { atol, rtol } = tol(dtype);
  for (let i = 0; i < w.length; i++) {
    if ((Number.isNaN(w[i]) && Number.isNaN(g[i])) || w[i] === g[i]) continue;
    const bound = atol + rtol * Math.abs(w[i]);
    if (!(Math.abs(g[i] - w[i]) <= bound)) assert.fail(`${what}[${i}]: expected ${w[i]}, got ${g[i]} (allowed ±${bound.toExponential(2)})`);
  }
}
