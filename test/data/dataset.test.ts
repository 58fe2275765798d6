import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as torch from "../../src/index.js";
import { data } from "../../src/index.js";

test("TensorDataset: items are the tensors' rows; lengths must agree", () => {
  const x = torch.arange(6, { dtype: torch.float32 }).reshape(3, 2);
  const y = torch.tensor([0n, 1n, 0n]);
  const ds = new data.TensorDataset(x, y);
  assert.equal(ds.length, 3);
  const [xi, yi] = ds.getItem(1);
  assert.deepEqual(xi.tolist(), [2, 3]);
  assert.equal(yi.item(), 1);
  assert.deepEqual(ds.getItem(-1)[0].tolist(), [4, 5]);
  assert.throws(() => ds.getItem(3), { message: "index 3 is out of bounds for dimension 0 with size 3" });
  assert.throws(() => new data.TensorDataset(x, torch.zeros(2)), { message: "Size mismatch between tensors" });
  assert.ok(ds instanceof data.Dataset);
});

test("Subset and ConcatDataset index through to their datasets", () => {
  const a = new data.TensorDataset(torch.arange(5));
  const b = new data.TensorDataset(torch.arange(10, 13));
  const sub = new data.Subset(a, [4, 0, 2]);
  assert.equal(sub.length, 3);
  assert.equal(sub.getItem(0)[0].item(), 4);
  assert.equal(sub.getItem(-1)[0].item(), 2);
  assert.throws(() => sub.getItem(3), RangeError);
  const cat = new data.ConcatDataset([a, b]);
  assert.equal(cat.length, 8);
  assert.deepEqual(cat.cumulativeSizes, [5, 8]);
  assert.deepEqual(Array.from({ length: 8 }, (_, i) => cat.getItem(i)[0].item()), [0, 1, 2, 3, 4, 10, 11, 12]);
  assert.equal(cat.getItem(-3)[0].item(), 10);
  assert.throws(() => cat.getItem(-9), { message: "absolute value of index should not exceed dataset length" });
  assert.throws(() => new data.ConcatDataset([]), { message: "datasets should not be an empty iterable" });
});

const datasets = fileURLToPath(new URL("../../../shared/datasets/", import.meta.url));
const binaryCsv = join(datasets, "binary.csv");
const skipShared = existsSync(binaryCsv) ? false : `shared dataset ${binaryCsv} is missing`;

test("readCsv: toTensor gives float32 [rows, columns], or 1-D for one column", { skip: skipShared }, () => {
  const table = data.readCsv(binaryCsv);
  const all = table.toTensor();
  assert.equal(all.dtype, torch.float32);
  assert.deepEqual(all.shape, [1000, 4]);
  assert.deepEqual(all.select(0, 0).tolist(), [86, 22, 1, 0]);
  const xy = table.toTensor(["x", "pass"]);
  assert.deepEqual(xy.shape, [1000, 2]);
  assert.deepEqual(xy.select(0, -1).tolist(), [90, 1]);
  const pass = table.toTensor("pass");
  assert.deepEqual(pass.shape, [1000]);
  assert.equal(pass.sum().item(), table.column("pass").reduce((s, v) => s + v, 0));
});

test("parseCsv: in-memory text with the same toTensor", () => {
  const table = data.parseCsv("a,b\n1,2.5\n3,True\n");
  assert.deepEqual(table.toTensor().tolist(), [[1, 2.5], [3, 1]]);
  assert.deepEqual(table.toTensor(1).tolist(), [2.5, 1]);
});
