// Reading test/fixtures/attention/*.json (written by scripts/fixtures/attention.py) and comparing
// values with tolerances per dtype.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../../src/index.js";

export interface TDump {
  shape: number[];
  dtype: string;
  values: Array<number | string>;
}

const NON_FINITE: Record<string, number> = { inf: Number.POSITIVE_INFINITY, "-inf": Number.NEGATIVE_INFINITY, nan: Number.NaN };
const DTYPES: Record<string, torch.DType> = { float32: torch.float32, float64: torch.float64, int64: torch.int64, bool: torch.bool };

export function loadAttentionFixture<T>(name: string): T {
  const text = readFileSync(join(import.meta.dirname, "..", "fixtures", "attention", `${name}.json`), "utf8");
  return JSON.parse(text, (_k, v) => (typeof v === "string" && v in NON_FINITE ? NON_FINITE[v] : v)) as T;
}

export function fromDump(d: TDump): torch.Tensor {
  return torch.tensor(d.values as number[], { dtype: DTYPES[d.dtype] }).reshape(d.shape);
}

/** Float64 agrees to rounding of a different summation order; float32 to a few ulps of the values' scale. */
export function tolOf(dtype: string): { atol: number; rtol: number } {
  return dtype === "float64" ? { atol: 1e-11, rtol: 1e-9 } : { atol: 1e-5, rtol: 1e-4 };
}

export function assertClose(got: torch.Tensor | null | undefined, want: TDump | null, what: string, tol = tolOf(want?.dtype ?? "float64")): void {
  if (want === null) {
    assert.ok(got === null || got === undefined, `${what}: expected null`);
    return;
  }
  assert.ok(got, `${what}: got nothing`);
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const g = Array.from(got.detach().contiguous().values() as ArrayLike<number>, Number);
  const w = want.values as number[];
  for (let i = 0; i < w.length; i++) {
    if ((Number.isNaN(w[i]) && Number.isNaN(g[i])) || w[i] === g[i]) continue;
    const bound = tol.atol + tol.rtol * Math.abs(w[i]);
    if (!(Math.abs(g[i] - w[i]) <= bound)) assert.fail(`${what}[${i}]: expected ${w[i]}, got ${g[i]} (allowed ±${bound.toExponential(2)})`);
  }
}

/** One case of sdpa.json: inputs, the output, the upstream gradient and the inputs' gradients (float64), and the float32 output. */
export interface SdpaCase {
  name: string;
  q: TDump;
  k: TDump;
  v: TDump;
  mask: TDump | null;
  isCausal: boolean;
  scale: number | null;
  output: TDump;
  upstream: TDump;
  grads: TDump[];
  output32: TDump;
}
