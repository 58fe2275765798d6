// sort, argsort and topk against PyTorch 1.13 (scripts/fixtures/sorting.py): values, indices,
// grad_fn names and the gradient of (values * w).sum(); float64 gradients by finite differences.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as torch from "kindling";
import { gradcheck } from "../helpers/gradcheck.js";

interface Case {
  op: "sort" | "topk";
  kw: { dim: number; descending?: boolean; k?: number; largest?: boolean };
  dtype: "float32" | "float64";
  x: number[][];
  values: number[][];
  indices: number[][];
  grad: number[][];
  grad_fn: string;
}
const fixture = JSON.parse(readFileSync(new URL("../fixtures/ops/sorting.json", import.meta.url), "utf8")) as {
  cases: Case[];
  nan: { ascending: number[]; descending: number[]; topk: number[] };
};

function run(c: Case, x: torch.Tensor) {
  return c.op === "sort"
    ? x.sort(c.kw.dim, { descending: c.kw.descending, stable: true })
    : x.topk(c.kw.k!, c.kw.dim, { largest: c.kw.largest });
}

for (const c of fixture.cases) {
  test(`${c.op} ${JSON.stringify(c.kw)} ${c.dtype}: values, indices, grad_fn and gradient as PyTorch`, () => {
    const x = torch.tensor(c.x, { dtype: torch[c.dtype], requiresGrad: true });
    const { values, indices } = run(c, x);
    assert.deepEqual(values.tolist(), c.values);
    assert.equal(String(indices.dtype), "torch.int64");
    assert.equal(values.gradFn?.name, c.grad_fn);
    const w = torch.arange(values.numel(), { dtype: values.dtype }).reshape(values.shape).add(1);
    values.mul(w).sum().backward();
    if (c.op === "sort") {
      // A stable sort fixes the order of ties, so indices and gradients are PyTorch's exactly.
      assert.deepEqual(indices.tolist(), c.indices);
      assert.deepEqual(x.grad!.tolist(), c.grad);
    } else {
      // topk's order among equal values is unspecified (PyTorch's partial sort picks either), so
      // check the indices name the values, and the gradient lands on them.
      assert.deepEqual(x.detach().gather(c.kw.dim, indices).tolist(), c.values);
      const expected = torch.zeros(x.shape, { dtype: x.dtype }).scatterAdd(c.kw.dim, indices, w);
      assert.deepEqual(x.grad!.tolist(), expected.tolist());
      assert.equal(x.grad!.sum().item(), torch.tensor(c.grad, { dtype: x.dtype }).sum().item());
    }
  });
}

test("NaN sorts as the largest value, as in PyTorch", () => {
  const x = torch.tensor([2, Number.NaN, -1, 5]);
  assert.deepEqual(x.argsort().tolist(), fixture.nan.ascending);
  assert.deepEqual(x.argsort({ descending: true }).tolist(), fixture.nan.descending);
  assert.deepEqual(x.topk(2).indices.tolist(), fixture.nan.topk);
});

test("results destructure as [values, indices]; bad k is an error naming topk", () => {
  const [values, indices] = torch.sort(torch.tensor([3, 1, 2]));
  assert.deepEqual(values.tolist(), [1, 2, 3]);
  assert.deepEqual(indices.tolist(), [1, 2, 0]);
  assert.throws(() => torch.topk(torch.tensor([1, 2]), 3), /topk: selected index k out of range/);
});

test("float64 gradients of sort and topk agree with finite differences", () => {
  const x = torch.randn([3, 4], { dtype: torch.float64, generator: new torch.Generator().manualSeed(3) }).requiresGrad_();
  gradcheck((t) => t.sort(1).values, [x]);
  gradcheck((t) => t.topk(2, 0, { largest: false }).values, [x]);
});
