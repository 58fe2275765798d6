// toString() of tensors that carry autograd state, against PyTorch 1.13's str() of the same tensors
// (test/fixtures/ops/autograd.json, built by scripts/fixtures/ops.py).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { linear } from "../../src/ops/linalg.js";
import { loadFixture } from "../ops/fixture.js";

const { strings } = loadFixture<{ strings: Record<string, string> }>("autograd.json");

test("toString() of tensors with grad_fn / requires_grad is PyTorch's str()", () => {
  const w = torch.tensor([[0.5, -1.25, 2], [0.75, 0, -0.5]], { requiresGrad: true });
  const b = torch.tensor([0.1, -0.2], { requiresGrad: true });
  const x = torch.tensor([[1, 2, 3]]);
  const built: Record<string, () => { toString(): string }> = {
    leaf: () => w,
    leaf64: () => torch.tensor([1.5, -2], { dtype: torch.float64, requiresGrad: true }),
    sigmoid: () => w.sigmoid(),
    addmm: () => linear(x, w, b),
    torchAddmm: () => torch.addmm(b, x, w.t()),
    mul: () => w.mul(2),
    sum: () => w.sum(),
    mean64: () => torch.tensor([1, 2], { dtype: torch.float64, requiresGrad: true }).mean(),
    view: () => w.view(3, 2),
    maxDim: () => w.max(1),
    detached: () => w.sigmoid().detach(),
    noGrad: () => torch.noGrad(() => w.mul(2)),
    int: () => torch.tensor([1n, 2n, 3n]),
    toDouble: () => w.double(),
    cloned: () => w.clone(),
    scalar: () => w.sum().mul(0.5),
  };
  assert.deepEqual(Object.keys(built).sort(), Object.keys(strings).sort());
  for (const [name, make] of Object.entries(built)) {
    assert.equal(String(make()), strings[name], name);
  }
});
