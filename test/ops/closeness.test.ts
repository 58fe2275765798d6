// torch.isclose / allclose / equal, as functions and methods, against PyTorch 1.13's answers for
// the same inputs (printed by torch.isclose(...).tolist() and friends).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "kindling";

const a = () => torch.tensor([1, 2, Infinity, -Infinity, Number.NaN, 1e-9, 100, 0]);
const b = () => torch.tensor([1, 2.00001, Infinity, Infinity, Number.NaN, 0, 100.001, 1e-8]);

test("isclose: default tolerances, equalNan, custom rtol/atol", () => {
  assert.deepEqual(torch.isclose(a(), b()).tolist(), [true, true, true, false, false, true, true, true]);
  assert.deepEqual(torch.isclose(a(), b(), { equalNan: true }).tolist(), [true, true, true, false, true, true, true, true]);
  assert.deepEqual(a().isclose(b(), { rtol: 1e-3, atol: 0 }).tolist(), [true, true, true, false, false, false, true, false]);
});

test("allclose over everything, broadcasting as PyTorch does", () => {
  assert.equal(torch.allclose(a().narrow(0, 0, 2), b().narrow(0, 0, 2)), true);
  assert.equal(torch.allclose(a(), b(), { equalNan: true }), false);
  assert.equal(torch.allclose(torch.tensor([1, 2]), torch.tensor([1])), false);
  assert.equal(torch.tensor([1, 2]).allclose(torch.tensor([1, 2.0000001])), true);
});

test("isclose and allclose reject two dtypes with PyTorch's message", () => {
  assert.throws(() => torch.allclose(torch.tensor([1, 2]), torch.tensor([1, 2], { dtype: torch.float64 })), { name: "TypeError", message: "Float did not match Double" });
});

test("equal: same shape and values; dtypes may differ; NaN is never equal", () => {
  assert.equal(torch.equal(torch.tensor([1]), torch.tensor([1.0], { dtype: torch.float64 })), true);
  assert.equal(torch.equal(torch.tensor([1, 2], { dtype: torch.int64 }), torch.tensor([1, 2])), true);
  assert.equal(torch.equal(torch.tensor([1, 2]), torch.tensor([1])), false);
  assert.equal(torch.equal(torch.tensor([[1, 2]]), torch.tensor([1, 2])), false);
  assert.equal(torch.tensor([Number.NaN]).equal(torch.tensor([Number.NaN])), false);
  assert.throws(() => torch.equal(torch.tensor([1]), 1 as unknown as torch.Tensor), { name: "TypeError", message: "equal(): argument 'other' (position 2) must be Tensor, not number" });
});
