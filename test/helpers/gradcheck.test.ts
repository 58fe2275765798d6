import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { gradcheck, gradgradcheck } from "./gradcheck.js";

const f64 = (v: number[][] | number[]) => torch.tensor(v, { dtype: torch.float64, requiresGrad: true });

test("gradcheck accepts correct derivatives, including through non-contiguous inputs", () => {
  const a = f64([[0.3, -1.2, 0.7], [2.0, 0.1, -0.4]]);
  const b = f64([[1.5, 0.2], [-0.3, 0.8], [0.9, -1.1]]);
  assert.equal(gradcheck((x, y) => x.matmul(y).tanh(), [a, b]), true);
  assert.equal(gradcheck((x) => x.t().exp().sum(0), [a]), true);
  assert.equal(gradgradcheck((x, y) => x.matmul(y).sigmoid(), [a, b]), true);
});

test("gradcheck rejects a wrong derivative and names the mismatch", () => {
  const x = f64([0.5, -0.25, 1.5]);
  // y = x^2 recorded with a derivative of x instead of 2x (detach().mul(x) keeps only one factor's path).
  const wrong = (t: torch.Tensor) => t.detach().mul(t);
  assert.throws(() => gradcheck(wrong, [x]), /Jacobian mismatch for output 0 with respect to input 0, element 0/);
});

test("gradcheck insists on float64 inputs", () => {
  const x = torch.tensor([1, 2], { requiresGrad: true });
  assert.throws(() => gradcheck((t) => t.mul(2), [x]), /needs float64/);
});
