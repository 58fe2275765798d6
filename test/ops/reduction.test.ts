// mean()'s path for a float tensor with nothing to record (a loss's reduction, every training
// step): the same 0-d result, to the bit, as the recorded path.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";

test("x.mean() without grad: 0-d, the bits of the recorded path, for both float dtypes and many sizes", () => {
  torch.manualSeed(5);
  for (const dtype of [torch.float32, torch.float64]) {
    for (const shape of [[1], [64, 1], [3, 5], [1000], [4097], [2, 3, 4]]) {
      const x = torch.randn(shape, { dtype }).mul(3);
      const plain = x.mean();
      const recorded = x.clone().requiresGrad_().mean();
      assert.deepEqual(plain.shape, [], `${dtype.name} ${shape}`);
      assert.equal(plain.dtype, dtype);
      assert.equal(recorded.gradFn?.name, "MeanBackward0");
      assert.ok(Object.is(plain.item(), recorded.item()), `${dtype.name} ${shape}: ${plain.item()} vs ${recorded.item()}`);
      // The same as summing and dividing by hand.
      assert.ok(Object.is(plain.item(), x.sum().div(x.numel()).item()), `${dtype.name} ${shape}: sum / n`);
    }
  }
  // The sum it divides is its own: x and a second mean are untouched.
  const x = torch.tensor([1, 2, 3, 6]);
  const a = x.mean();
  const b = x.mean();
  assert.equal(a.item(), 3);
  assert.equal(b.item(), 3);
  assert.deepEqual(x.tolist(), [1, 2, 3, 6]);
});
