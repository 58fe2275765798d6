// Shared helpers for the convolution fixture tests (test/fixtures/convolution, written by
// scripts/fixtures/convolution.py): rebuild tensors, compare with a tolerance scaled to the values.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../../src/index.js";

export interface TDump {
  shape: number[];
  dtype: string;
  values: number[];
}

export function loadConvFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "convolution", `${name}.json`), "utf8")) as T;
}

const DTYPES: Record<string, torch.DType> = { float32: torch.float32, float64: torch.float64 };

/** The fixture's tensor; with transpose [a, b], the stored (contiguous) values read as a transposed view. */
export function rebuild(d: TDump, transpose: [number, number] | null = null): torch.Tensor {
  const t = torch.tensor(d.values, { dtype: DTYPES[d.dtype] }).reshape(d.shape);
  return transpose ? t.transpose(transpose[0], transpose[1]) : t;
}

/**
 * Values agree within a tolerance scaled to the largest magnitude of the expected tensor:
 * convolutions sum many products in an order that differs from PyTorch's (oneDNN's blocking).
 */
export function assertNear(got: torch.Tensor | null | undefined, want: TDump | null, what: string): void {
  if (want === null) {
    assert.ok(got === null || got === undefined, `${what}: expected no tensor`);
    return;
  }
  assert.ok(got, `${what}: got no tensor`);
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  assert.equal(got.dtype.name, want.dtype, `${what}: dtype`);
  const g = Array.from(got.contiguous().values() as ArrayLike<number>, Number);
  let scale = 0;
  for (const v of want.values) scale = Math.max(scale, Math.abs(v));
  const rel = want.dtype === "float64" ? 1e-12 : 2e-6;
  const atol = rel * Math.max(scale, 1);
  for (let i = 0; i < g.length; i++) {
    const w = want.values[i];
    if (!(Math.abs(g[i] - w) <= atol + rel * Math.abs(w))) assert.fail(`${what}[${i}]: expected ${w}, got ${g[i]} (scale ${scale})`);
  }
}
