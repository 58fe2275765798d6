// Reading test/fixtures/book/*.json (scripts/fixtures/book_fixture.py and the scripts using it):
// tensors dumped as shape and values (inf, -inf and nan as strings), the upstream weights those
// scripts multiply outputs by before backward, comparisons exact or within a relative bound, and
// the indexing fixture shared by the meshgrid and advanced-indexing tests.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../../src/index.js";

type Tensor = torch.Tensor;

export interface Dump {
  shape: number[];
  values: number[];
}

export type IndexItemDump = { tensor: unknown } | { slice: [number | null, number | null, number | null] } | { int: number };

/** test/fixtures/book/indexing.json. */
export interface IndexingFixture {
  meshgrid: {
    cases: Array<{ sizes: number[]; indexing: "ij" | "xy"; inputs: Dump[]; grids: Dump[]; grads: Dump[] }>;
    scalar: Dump[];
  };
  swin: Array<{ windowSize: number; index: number[][]; bias: Dump }>;
  advanced: {
    cases: Array<{ shape: number[]; items: IndexItemDump[]; result: Dump; grad: Dump }>;
    errors: { outOfBounds: string; shapeMismatch: string };
  };
}

const NON_FINITE: Record<string, number> = { inf: Number.POSITIVE_INFINITY, "-inf": Number.NEGATIVE_INFINITY, nan: Number.NaN };

export function loadBookFixture<T>(name: string): T {
  const text = readFileSync(join(import.meta.dirname, "..", "fixtures", "book", name), "utf8");
  return JSON.parse(text, (_k, v) => (typeof v === "string" && v in NON_FINITE ? NON_FINITE[v] : v)) as T;
}

export function tensorOf(d: Dump): Tensor {
  return torch.tensor(d.values).reshape(d.shape);
}

/** arange(numel) * scale + shift in float64, shaped: the fixture scripts' upstream gradient. */
export function upstreamWeights(shape: number[], scale: number, shift: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return torch.arange(n, { dtype: torch.float64 }).reshape(shape).mul(scale).add(shift);
}

export function assertDump(got: Tensor, want: Dump, what: string): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  assert.deepEqual(
    (got.detach().contiguous().flatten().tolist() as number[]).map(Number),
    want.values,
    what,
  );
}

/**
 * got within rel * max(scale, minScale) of want, element by element, where scale is want's largest
 * finite magnitude: float32 through a few layers, where PyTorch's and our summation orders differ
 * by ulps scaled by the values' size. Equal values (infinities too) pass.
 */
export function assertNear(got: Tensor, want: Dump, what: string, rel = 2e-5, minScale = 0): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const g = Array.from(got.detach().contiguous().values() as ArrayLike<number>, Number);
  let scale = 0;
  for (const v of want.values) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  const bound = rel * Math.max(scale, minScale);
  for (let i = 0; i < g.length; i++) {
    const w = want.values[i];
    if (w === g[i]) continue;
    if (!(Math.abs(g[i] - w) <= bound)) assert.fail(`${what}[${i}]: expected ${w}, got ${g[i]} (scale ${scale})`);
  }
}
