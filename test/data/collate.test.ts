import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { data } from "../../src/index.js";
import { after, encode, fixture, rebuild } from "./fixture.js";

test("defaultCollate: numbers, booleans, strings, tuples, lists, dicts and tensors as default_collate", () => {
  const cases = fixture.collate.cases as Array<{ batch: Record<string, unknown>[]; collated: unknown }>;
  for (const c of cases) {
    const batch = c.batch.map(rebuild);
    assert.deepEqual(encode(data.defaultCollate(batch)), c.collated, JSON.stringify(c.batch).slice(0, 200));
  }
  assert.ok(cases.length >= 14);
});

test("defaultCollate: PyTorch's errors", () => {
  for (const e of fixture.collate.errors as Array<{ batch: Array<Record<string, unknown> | null>; error: string; message: string }>) {
    const batch = e.batch.map((s) => (s === null ? null : rebuild(s)));
    if (e.message.startsWith("default_collate:")) {
      assert.throws(() => data.defaultCollate(batch), (err: Error) => err instanceof TypeError && err.message.startsWith("default_collate: batch must contain"));
    } else assert.throws(() => data.defaultCollate(batch), { message: e.message });
  }
});

/** The sample scripts/fixtures/data.py's nested_sample(i) makes. */
function nestedSample(i: number) {
  return {
    x: torch.tensor([i, i * 2.5], { dtype: torch.float32 }),
    label: i % 3,
    weight: i + 0.25,
    flag: i % 2 === 0,
    name: `s${i}`,
    pair: [torch.tensor(BigInt(i)), [i * 10, i / 4 + 0.3]] as [torch.Tensor, number[]],
    grid: torch.arange(6, { dtype: torch.int64 }).reshape(2, 3).add(i),
    f64: torch.tensor([i / 3], { dtype: torch.float64 }),
  };
}

class Nested extends data.Dataset<ReturnType<typeof nestedSample>> {
  constructor(readonly n: number) {
    super();
  }
  getItem(i: number) {
    return nestedSample(i);
  }
  get length() {
    return this.n;
  }
}

test("DataLoader: nested samples collated through a shuffled loader, values and dtypes", () => {
  const c = fixture.collate.loader;
  torch.manualSeed(c.seed);
  const loader = new data.DataLoader(new Nested(c.n), { batchSize: c.batchSize, shuffle: true });
  const epochs = [0, 1].map(() => [...loader].map(encode));
  assert.deepEqual(epochs, c.epochs);
  assert.deepEqual(after(), c.globalAfter);
  // the collated type follows the sample's
  const batch = [...loader][0];
  const x: torch.Tensor = batch.x;
  const names: string[] = batch.name;
  const pair: [torch.Tensor, torch.Tensor[]] = batch.pair;
  assert.equal(x.shape[0], 3);
  assert.equal(names.length, 3);
  assert.equal(pair[1][1].dtype, torch.float64);
});

test("defaultCollate: stacking keeps autograd, views and non-contiguous tensors right", () => {
  const w = torch.tensor([1, 2], { dtype: torch.float32, requiresGrad: true });
  const stacked = data.defaultCollate([w, w.mul(2)]);
  assert.notEqual(stacked.gradFn, null);
  stacked.sum().backward();
  assert.deepEqual(w.grad?.tolist(), [3, 3]);
  const m = torch.arange(6).reshape(2, 3);
  const cols = data.defaultCollate([m.t(), m.t()]);
  assert.deepEqual(cols.tolist(), [m.t().tolist(), m.t().tolist()]);
  const rows = data.defaultCollate([m.select(0, 1), m.select(0, 0)]);
  assert.deepEqual(rows.tolist(), [[3, 4, 5], [0, 1, 2]]);
  const big = torch.arange(100, { dtype: torch.float64 });
  assert.deepEqual(data.defaultCollate([big, big]).sum().item(), 9900);
  const typed = data.defaultCollate([new Float32Array([1, 2]), new Float32Array([3, 4])]);
  assert.equal(typed.dtype, torch.float32);
  assert.deepEqual(typed.tolist(), [[1, 2], [3, 4]]);
  assert.equal(data.defaultCollate([1n, 2n]).dtype, torch.int64);
  const maps = data.defaultCollate([new Map([["a", 1]]), new Map([["a", 2]])]);
  assert.deepEqual(maps.get("a")?.tolist(), [1, 2]);
});

test("defaultCollate: [x, y] tuples of scalar and 1-D tensors (one-pass stacking) and every case it leaves to the general path", () => {
  const f32 = torch.float32;
  const pairs = [0, 1, 2].map((i) => [torch.tensor([i, i + 0.5], { dtype: f32 }), torch.tensor([i * 10], { dtype: f32 }), torch.tensor(BigInt(i))]);
  const [x, y, k] = data.defaultCollate(pairs) as torch.Tensor[];
  assert.deepEqual(x.shape, [3, 2]);
  assert.deepEqual(x.tolist(), [[0, 0.5], [1, 1.5], [2, 2.5]]);
  assert.deepEqual(y.shape, [3, 1]);
  assert.deepEqual(y.tolist(), [[0], [10], [20]]);
  assert.equal(k.dtype, torch.int64);
  assert.deepEqual(k.shape, [3]);
  assert.deepEqual(k.tolist(), [0, 1, 2]);
  assert.ok(x.isContiguous() && x.gradFn === null && !x.requiresGrad);
  // Strided 1-D views and views at an offset are read element by element.
  const m = torch.arange(12, { dtype: f32 }).reshape(3, 4);
  const [cols, rows] = data.defaultCollate([[m.select(1, 1), m.select(0, 2)], [m.select(1, 3), m.select(0, 0)]]) as torch.Tensor[];
  assert.deepEqual(cols.tolist(), [[1, 5, 9], [3, 7, 11]]);
  assert.deepEqual(rows.tolist(), [[8, 9, 10, 11], [0, 1, 2, 3]]);
  // Left to the general path, with its results: mixed dtypes promote through torch.stack; a
  // tensor needing grad keeps its graph; 2-D tensors and non-tensor fields collate as before.
  const mixed = data.defaultCollate([[torch.tensor([1], { dtype: f32 })], [torch.tensor([2], { dtype: torch.float64 })]]) as torch.Tensor[];
  assert.equal(mixed[0].dtype, torch.float64);
  assert.deepEqual(mixed[0].tolist(), [[1], [2]]);
  const w = torch.tensor([1, 2], { dtype: f32, requiresGrad: true });
  const [g] = data.defaultCollate([[w], [w.mul(3)]]) as torch.Tensor[];
  assert.notEqual(g.gradFn, null);
  g.sum().backward();
  assert.deepEqual(w.grad?.tolist(), [4, 4]);
  const [grid, label] = data.defaultCollate([[m, 1], [m, 2]]) as torch.Tensor[];
  assert.deepEqual(grid.shape, [2, 3, 4]);
  assert.deepEqual(label.tolist(), [1, 2]);
  // And the general path's errors: a short tuple, a non-tuple, a shape that differs.
  assert.throws(() => data.defaultCollate([[x, y], [x]]), { message: "each element in list of batch should be of equal size" });
  assert.throws(() => data.defaultCollate([[torch.ones(2)], torch.ones(2)]), /default_collate: batch must contain/);
  assert.throws(() => data.defaultCollate([[torch.ones(2)], [torch.ones(3)]]), /stack expects each tensor to be equal size/);
});

test("defaultConvert: typed arrays become tensors, the rest is kept", () => {
  const out = data.defaultConvert({ a: new Float64Array([1, 2]), b: [3, "x"], t: torch.ones(1) });
  assert.ok(out.a instanceof torch.Tensor);
  assert.equal(out.a.dtype, torch.float64);
  assert.deepEqual(out.b, [3, "x"]);
});
