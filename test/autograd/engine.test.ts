import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "kindling";

// The engine keeps a pass's bookkeeping on the graph's nodes; a backward started by a hook in the
// middle of another must leave the outer pass's counts and pending gradients as it found them.
// Expected values from PyTorch 1.13 (same script in Python).

test("a backward run from a hook, through nodes the outer pass still has to run, adds up as PyTorch's", () => {
  for (const hooked of [0, 1]) {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    const a = y.mul(5);
    const b = y.mul(7);
    const z = a.sum().add(b.sum());
    const w = y.mul(3).sum();
    [a, b][hooked].registerHook(() => {
      w.backward(undefined, { retainGraph: true });
    });
    z.backward();
    assert.deepEqual(x.grad!.tolist(), [30, 30]);
  }
});

test("autograd.grad from a hook captures its own gradients; the outer backward's are unchanged", () => {
  const x = torch.tensor([1, 2], { requiresGrad: true });
  const y = x.mul(x);
  const w = y.mul(3).sum();
  const y2 = y.mul(1);
  const z = y2.mul(5).sum();
  const got: number[][] = [];
  y2.registerHook(() => {
    got.push(torch.autograd.grad([w], [x], { retainGraph: true })[0]!.tolist() as number[]);
  });
  z.backward();
  assert.deepEqual(x.grad!.tolist(), [10, 20]);
  assert.deepEqual(got, [[6, 12]]);
});
