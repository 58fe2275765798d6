import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { data } from "../../src/index.js";
import { after, fixture } from "./fixture.js";

interface SplitCase {
  seed: number;
  generatorSeed: number;
  mode: "default" | "positional" | "keyword";
  n: number;
  lengths: number[];
  sizes: number[];
  parts: number[][];
  globalAfter: number[];
  generatorAfter: number[];
}

test("randomSplit: counts and fractions, default/positional/keyword generators, as random_split", (t) => {
  const warn = t.mock.method(console, "warn", () => {});
  const cases = fixture.randomSplit.cases as SplitCase[];
  for (const c of cases) {
    torch.manualSeed(c.seed);
    const gen = new torch.Generator().manualSeed(c.generatorSeed);
    const ds = new data.TensorDataset(torch.arange(c.n));
    const parts =
      c.mode === "default"
        ? data.randomSplit(ds, c.lengths)
        : c.mode === "positional"
          ? data.randomSplit(ds, c.lengths, gen)
          : data.randomSplit(ds, c.lengths, { generator: gen });
    const where = `seed ${c.seed} ${c.mode} n=${c.n} lengths=${JSON.stringify(c.lengths)}`;
    assert.deepEqual(parts.map((p) => p.length), c.sizes, where);
    assert.deepEqual(parts.map((p) => [...p.indices]), c.parts, where);
    // the subsets index the dataset through those indices
    for (const [k, p] of parts.entries()) {
      if (p.length > 0) assert.equal((p.getItem(-1)[0] as torch.Tensor).item(), c.parts[k][c.parts[k].length - 1], where);
    }
    assert.deepEqual(after(), c.globalAfter, `${where}: default generator position`);
    assert.deepEqual(after(gen), c.generatorAfter, `${where}: generator position`);
  }
  assert.ok(cases.length >= 200);
  // fractions that leave a split empty warn, as PyTorch does
  assert.ok(warn.mock.calls.some((call) => String(call.arguments[0]).includes("Length of split at index")));
});

test("randomSplit: PyTorch's errors for lengths that do not fit", () => {
  for (const e of fixture.randomSplit.errors as Array<{ n: number; lengths: number[]; error: string }>) {
    assert.throws(() => data.randomSplit(new data.TensorDataset(torch.arange(e.n)), e.lengths), { message: e.error });
  }
});

test("randomSplit: the acceptance split of 100 items with torch.manualSeed(4)", () => {
  const [train, val, test] = data.randomSplit(new data.TensorDataset(torch.arange(100)), [80, 10, 10], torch.manualSeed(4));
  assert.deepEqual(
    [train.length, val.length, test.length],
    [80, 10, 10],
  );
  assert.deepEqual([...val.indices], [45, 11, 43, 88, 3, 41, 83, 56, 93, 96]);
  assert.deepEqual([...test.indices], [87, 6, 26, 82, 39, 46, 94, 1, 76, 18]);
});
