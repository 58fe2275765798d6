import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as torch from "kindling";
import { makeBlobs, makeMoons, makePassFail, makeXor, type GeneratedData } from "kindling/datasets";

interface Table {
  x: number[][];
  y: number[];
}
const fixtures: Record<string, Table> = JSON.parse(
  readFileSync(new URL("../fixtures/datasets/tables.json", import.meta.url), "utf8"),
);

const gen = (seed: number) => new torch.Generator().manualSeed(seed);

function assertSame(data: GeneratedData, expected: Table, tolerance = 0): void {
  const x = data.x.tolist() as number[][];
  const y = data.y.tolist() as number[];
  assert.deepEqual(y, expected.y);
  assert.equal(x.length, expected.x.length);
  for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < x[i].length; j++) {
      const diff = Math.abs(x[i][j] - expected.x[i][j]);
      assert.ok(diff <= tolerance, `x[${i}][${j}] = ${x[i][j]}, PyTorch ${expected.x[i][j]}`);
    }
  }
}

test("makeXor draws PyTorch's bits and noise", () => {
  const data = makeXor({ n: 12, generator: gen(0) });
  assertSame(data, fixtures.xor);
  assert.equal(String(data.x.dtype), "torch.float32");
  assert.deepEqual(data.x.shape, [12, 2]);
  assertSame(makeXor({ n: 12, noise: 0.2, generator: gen(1) }), fixtures.xor_noise);
});

test("makeXor's target is the exclusive or of its bits", () => {
  const data = makeXor({ n: 200, generator: gen(9) });
  const x = data.x.tolist() as number[][];
  const y = data.y.tolist() as number[];
  x.forEach(([a, b], i) => {
    assert.equal(y[i], a !== b ? 1 : 0);
  });
  assert.deepEqual(data.featureNames, ["x1", "x2"]);
  assert.equal(data.featureKind, "boolean");
});

test("makePassFail matches PyTorch, balanced and uniform", () => {
  assertSame(makePassFail({ n: 20, generator: gen(2) }), fixtures.pass_fail);
  assertSame(makePassFail({ n: 20, balanced: false, generator: gen(3) }), fixtures.pass_fail_uniform);
});

test("makePassFail follows the chapter's rule and is half passes", () => {
  const data = makePassFail({ n: 301, generator: gen(11) });
  const x = data.x.tolist() as number[][];
  const y = data.y.tolist() as number[];
  assert.equal(y.filter((v) => v === 1).length, 150);
  x.forEach((row, i) => {
    assert.ok(row.every((v) => Number.isInteger(v) && v >= 0 && v <= 100));
    const pass = row.every((v) => v >= 40) && row[0] + row[1] + row[2] >= 180;
    assert.equal(y[i], pass ? 1 : 0, `row ${row}`);
  });
  assert.deepEqual([...data.featureNames, data.targetName], ["x", "y", "z", "pass"]);
});

test("makeMoons matches PyTorch to float32 rounding of cos and sin", () => {
  assertSame(makeMoons({ n: 15, noise: 0.1, generator: gen(4) }), fixtures.moons, 1e-6);
});

test("makeBlobs matches PyTorch and labels are int64", () => {
  const data = makeBlobs({ n: 17, centers: 3, std: 1.5, generator: gen(5) });
  assertSame(data, fixtures.blobs);
  assert.equal(String(data.y.dtype), "torch.int64");
});

test("makeBlobs takes given centres", () => {
  const data = makeBlobs({ n: 4, centers: [[0, 0], [100, 100]], std: 0, generator: gen(6) });
  const x = data.x.tolist() as number[][];
  const y = data.y.tolist() as number[];
  y.forEach((label, i) => {
    assert.deepEqual(x[i], label === 0 ? [0, 0] : [100, 100]);
  });
  assert.equal(y.filter((v) => v === 1).length, 2);
});

test("the default generator is used when none is given, as PyTorch", () => {
  torch.manualSeed(0);
  const a = makeXor({ n: 12 });
  assertSame(a, fixtures.xor);
});

test("bad arguments name themselves", () => {
  assert.throws(() => makeXor({ n: 0 }), /makeXor: n must be an integer >= 1, got 0/);
  assert.throws(() => makeMoons({ noise: -1 }), /makeMoons: noise must be a finite number >= 0, got -1/);
  assert.throws(() => makeBlobs({ centers: [[0, 0], [1]] }), /makeBlobs: centers must be/);
  assert.throws(() => makePassFail({ minimum: 101 }), /no marks of 0\.\.100 pass/);
  assert.throws(() => makePassFail({ n: 10, minimum: 0, meanAtLeast: 0, generator: gen(0) }), /failing half is still short/);
});
