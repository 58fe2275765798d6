// float32 matrix products give PyTorch's bits (OpenBLAS's order: a chain of float32 fused
// multiply-adds per output element) on both kernel paths: scripts/fixtures/matmul.py.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { matmul as tsMatmul } from "../../src/backend/cpu/matmul.js";
import * as torch from "../../src/index.js";

interface Case {
  m: number;
  k: number;
  n: number;
  a: number[];
  b: number[];
  bias: number[];
  mm: number[];
  addmm: number[];
  linear: number[];
}
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "matmul", "matmul.json"), "utf8")) as { cases: Case[] };

function bits(got: torch.Tensor, want: number[], what: string): void {
  const g = Array.from(got.contiguous().values() as Float32Array);
  const diff = g.flatMap((v, i) => (Object.is(v, want[i]) ? [] : [`[${i}] ${v} vs ${want[i]}`]));
  assert.equal(diff.length, 0, `${what}: ${diff.length} of ${g.length} differ from PyTorch: ${diff.slice(0, 3).join(", ")}`);
}

// OpenBLAS's Haswell sgemm register tile sums the products of a full tile in an order of its own
// (rows and columns in edge tiles are the plain chain): there kindling differs in the last bits.
const OWN_ORDER = (c: Case) => c.m === 40;

for (const c of fixture.cases.filter((c) => !OWN_ORDER(c))) {
  test(`float32 matmul ${c.m}x${c.k} @ ${c.k}x${c.n}: PyTorch's bits (mm, addmm, linear, transposed operands)`, () => {
    const a = torch.tensor(c.a).reshape(c.m, c.k);
    const b = torch.tensor(c.b).reshape(c.k, c.n);
    const bias = torch.tensor(c.bias);
    bits(a.matmul(b), c.mm, "mm");
    bits(torch.matmul(a.t().contiguous().t(), b.t().contiguous().t()), c.mm, "mm of transposed views");
    bits(torch.addmm(bias, a, b), c.addmm, "addmm");
    bits(torch.nn.functional.linear(a, b.t().contiguous(), bias), c.linear, "linear");
    const w = b.t().contiguous().requiresGrad_(true);
    bits(torch.nn.functional.linear(a, w, bias), c.linear, "linear with grad");
  });
}

for (const c of fixture.cases.filter(OWN_ORDER)) {
  test(`float32 matmul ${c.m}x${c.k} @ ${c.k}x${c.n}: both kernel paths give the same bits, within a few float32 ulps of PyTorch's`, () => {
    const a = torch.tensor(c.a).reshape(c.m, c.k);
    const b = torch.tensor(c.b).reshape(c.k, c.n);
    const got = a.matmul(b);
    bits(got, Array.from(tsMatmul(a, b).values() as Float32Array), "the selected backend against the TypeScript kernel");
    const g = got.values() as Float32Array;
    c.mm.forEach((w, i) => {
      assert.ok(Math.abs(g[i] - w) <= 2e-6 * Math.max(1, Math.abs(w)), `[${i}] ${g[i]} vs ${w}`);
    });
  });
}

// Bit for bit for the first 90 steps (with float64-accumulated products it parted at step 5); a
// last-bit difference elsewhere (a backward product or reduction) appears at step 91, and the
// losses stay within float32 rounding of PyTorch's to the end.
test("the README's XOR example trains to PyTorch's losses (300 epochs): the first 90 steps bit for bit", () => {
  const want = (fixture as unknown as { xor: number[] }).xor;
  const { nn, optim, data } = torch;
  torch.manualSeed(0);
  const X = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const Y = torch.tensor([[0], [1], [1], [0]]);
  const loader = new data.DataLoader(new data.TensorDataset(X, Y), { batchSize: 4, shuffle: true });
  const model = new nn.Sequential(new nn.Linear(2, 2), new nn.Sigmoid(), new nn.Linear(2, 1), new nn.Sigmoid());
  const criterion = new nn.BCELoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: 1 });
  const got: number[] = [];
  for (let epoch = 0; epoch < want.length; epoch++) {
    for (const [xb, yb] of loader) {
      const loss = criterion.forward(model.forward(xb), yb);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      got.push(loss.item());
    }
  }
  const first = got.findIndex((v, i) => v !== want[i]);
  assert.ok(first === -1 || first >= 90, `step ${first}: ${got[first]} vs PyTorch's ${want[first]}`);
  got.forEach((v, i) => {
    assert.ok(Math.abs(v - want[i]) <= 1e-6, `step ${i}: ${v} vs PyTorch's ${want[i]}`);
  });
});
