// Loading test/fixtures/recurrent/*.json (written by scripts/fixtures/recurrent.py) and comparing
// against it. Float32 recurrences compound rounding over the time steps, so their tolerance is
// a little wider than a single op's; float64 stays near the last bits.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type * as torch from "../../../src/index.js";
import type { TDump } from "../fixture.js";

export { fromDump, type TDump } from "../fixture.js";

const NON_FINITE: Record<string, number> = { inf: Number.POSITIVE_INFINITY, "-inf": Number.NEGATIVE_INFINITY, nan: Number.NaN };

export function loadRecurrent<T>(name: string): T {
  const text = readFileSync(join(import.meta.dirname, "..", "..", "fixtures", "recurrent", `${name}.json`), "utf8");
  return JSON.parse(text, (_k, v) => (typeof v === "string" && v in NON_FINITE ? NON_FINITE[v] : v)) as T;
}

export function tolFor(dtype: string): { atol: number; rtol: number } {
  return dtype === "float64" ? { atol: 1e-12, rtol: 1e-10 } : { atol: 1e-5, rtol: 1e-4 };
}

export function close(got: torch.Tensor | null | undefined, want: TDump | null, dtype: string, what: string): void {
  if (want === null) {
    assert.ok(got === null || got === undefined, `${what}: expected nothing`);
    return;
  }
  assert.ok(got, `${what}: missing`);
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const g = Array.from(got.contiguous().values() as ArrayLike<number | bigint>, Number);
  const { atol, rtol } = tolFor(dtype);
  for (let i = 0; i < want.values.length; i++) {
    const w = want.values[i];
    if ((Number.isNaN(w) && Number.isNaN(g[i])) || w === g[i]) continue;
    const bound = atol + rtol * Math.abs(w);
    if (!(Math.abs(g[i] - w) <= bound)) assert.fail(`${what}[${i}]: expected ${w}, got ${g[i]} (allowed ±${bound.toExponential(2)})`);
  }
}
