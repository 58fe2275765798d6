// Float sums and means with PyTorch 1.13's exact bits (test/fixtures/sum/*.json, written by
// scripts/fixtures/sum.py): full sums of 0 .. 3,000,007 elements, sums over every dim and set of
// dims of 2-D and 3-D tensors, contiguous, transposed, permuted, sliced with a step and narrowed.
// The inputs are regenerated here from the same seeds (kindling draws PyTorch's numbers).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as torch from "kindling";
import type { Tensor } from "kindling";

type ViewOp = ["permute", number[]] | ["slice", number, number, number | null, number] | ["narrow", number, number, number];
interface Case {
  seed: number;
  gen: "randn" | "rand";
  dtype: "float32" | "float64";
  shape: number[];
  view?: ViewOp[];
}
interface FullCase extends Case {
  sum: number;
  mean: number | "nan";
}
interface DimCase extends Case {
  viewShape: number[];
  results: { dims: number[]; numel: number; sum: [number, number][]; mean?: number[] }[];
}
interface LiteralCase {
  dtype: "float32" | "float64";
  values: number | number[];
  sum: number;
  mean: number;
}

function load<T>(name: string): { torch: string; cases: T[] } {
  return JSON.parse(readFileSync(new URL(`../fixtures/sum/${name}`, import.meta.url), "utf8"));
}

function make(c: Case): Tensor {
  torch.manualSeed(c.seed);
  let x = c.gen === "randn" ? torch.randn(c.shape) : torch.rand(c.shape);
  // float64 inputs: float32 draws widened, plus a second draw scaled by 2^-30 (as sum.py).
  if (c.dtype === "float64") x = x.double().add(torch.rand(c.shape).double().mul(2 ** -30));
  for (const op of c.view ?? []) {
    if (op[0] === "permute") x = x.permute(op[1]);
    else if (op[0] === "slice") x = x.slice(op[1], op[2], op[3] ?? undefined, op[4]);
    else x = x.narrow(op[1], op[2], op[3]);
  }
  return x;
}

/** Equal bit for bit, the sign of zero included. */
function same(actual: number, expected: number | "nan", what: string): void {
  if (expected === "nan") assert.ok(Number.isNaN(actual), `${what}: expected NaN, got ${actual}`);
  else assert.ok(Object.is(actual, expected), `${what}: expected ${expected}, got ${actual}`);
}

test("full sums and means of 0 .. 3,000,007 elements have PyTorch's bits", () => {
  const { cases } = load<FullCase>("full.json");
  assert.ok(cases.length > 400);
  for (const c of cases) {
    const x = make(c);
    const what = `${c.gen}(${c.shape}) ${c.dtype} seed ${c.seed}`;
    same(x.sum().item() as number, c.sum, `${what} sum`);
    same(x.mean().item() as number, c.mean, `${what} mean`);
  }
});

test("sums over dims of 2-D and 3-D tensors, contiguous and strided, have PyTorch's bits", () => {
  const { cases } = load<DimCase>("dims.json");
  assert.ok(cases.length > 250);
  let checked = 0;
  for (const c of cases) {
    const x = make(c);
    assert.deepEqual(x.shape, c.viewShape);
    for (const r of c.results) {
      const what = `${c.dtype} [${c.shape}] ${JSON.stringify(c.view)} sum(${r.dims})`;
      const s = x.sum(r.dims);
      const v = s.reshape(-1).values();
      assert.equal(v.length, r.numel, what);
      for (const [i, e] of r.sum) same(v[i], e, `${what}[${i}]`);
      checked += r.sum.length;
      if (r.mean) {
        const m = x.mean(r.dims).reshape(-1).values();
        for (const [i, e] of r.mean.entries()) same(m[i], e, `${what} mean[${i}]`);
      }
    }
  }
  assert.ok(checked > 10000);
});

test("sums of literal values: signed zeros, cancellation, the BCE mean", () => {
  const { cases } = load<LiteralCase>("literal.json");
  for (const c of cases) {
    const x = torch.tensor(c.values, { dtype: torch[c.dtype] });
    same(x.sum().item() as number, c.sum, `${c.dtype} sum(${c.values})`);
    same(x.mean().item() as number, c.mean, `${c.dtype} mean(${c.values})`);
  }
});

interface VarStdCase extends Case {
  results: { dims: number[] | null; unbiased: boolean; var: [number, number][]; std: [number, number][] }[];
}

test("float32 var and std (float64 accumulation, one rounding) have PyTorch's bits", () => {
  const { cases } = load<VarStdCase>("var_std.json");
  for (const c of cases) {
    const x = make(c);
    for (const r of c.results) {
      const opts = { unbiased: r.unbiased };
      const v = (r.dims ? x.var(r.dims, opts) : x.var(opts)).reshape(-1).values();
      const s = (r.dims ? x.std(r.dims, opts) : x.std(opts)).reshape(-1).values();
      const what = `[${c.shape}] dims ${r.dims} unbiased ${r.unbiased}`;
      for (const [i, e] of r.var) same(v[i], e, `${what} var[${i}]`);
      for (const [i, e] of r.std) same(s[i], e, `${what} std[${i}]`);
    }
  }
});
