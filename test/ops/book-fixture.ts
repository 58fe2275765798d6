// Reading test/fixtures/book/*.json (scripts/fixtures/book_indexing.py, roll.py): tensors dumped as
// shape and values, the upstream weights those scripts multiply outputs by before backward, and
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

export function loadBookFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "book", name), "utf8")) as T;
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
