// add_/sub_ straight into the tensor's memory (no graph to record): the same values as the
// out-of-place op, PyTorch's single rounding of a + alpha * b, the version bump, and every case
// that must still take the general path (graphs, other dtypes, broadcasting, overlapping views).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "kindling";

test("add_/sub_ of same-shape float tensors equal the out-of-place ops and bump the version", () => {
  for (const dtype of [torch.float32, torch.float64]) {
    for (const n of [1, 7, 64, 5000]) {
      torch.manualSeed(n);
      const a = torch.randn(n, { dtype });
      const b = torch.randn(n, { dtype });
      for (const alpha of [1, 0.3, -2.5]) {
        const x = a.clone();
        const v = x.version;
        assert.equal(x.add_(b, { alpha }), x);
        assert.deepEqual(x.tolist(), a.add(b, { alpha }).tolist(), `${dtype} add_ n=${n} alpha=${alpha}`);
        assert.equal(x.version, v + 1);
        const y = a.clone();
        y.sub_(b, { alpha });
        assert.deepEqual(y.tolist(), a.sub(b, { alpha }).tolist(), `${dtype} sub_ n=${n} alpha=${alpha}`);
      }
    }
  }
});

test("add_ rounds a + alpha * b once in float32, as PyTorch 1.13 (1 + 2^-23, not 1 + 2^-22)", () => {
  const x = torch.full([40], 1 + 2 ** -23);
  x.add_(torch.full([40], 2 ** -24 * (1 - 2 ** -23)), { alpha: 1 + 2 ** -23 });
  assert.deepEqual(x.tolist(), new Array(40).fill(1 + 2 ** -23));
});

test("the manual gradient step: a leaf that requires grad, updated under noGrad", () => {
  const w = torch.tensor([1, 2, 3], { requiresGrad: true });
  w.mul(w).sum().backward();
  torch.noGrad(() => w.sub_(w.grad!.mul(0.1)));
  assert.deepEqual(w.tolist(), [0.800000011920929, 1.600000023841858, 2.4000000953674316]); // PyTorch 1.13: w.sub_(w.grad * 0.1) under no_grad
  assert.equal(w.requiresGrad, true);
  assert.equal(w.gradFn, null);
  // With grad on, the leaf check still fires.
  assert.throws(() => w.add_(torch.ones(3)), /leaf Variable that requires grad/);
});

test("graphs, broadcasting, other dtypes and aliasing take the general path with its results", () => {
  const a = torch.tensor([1, 2, 3], { requiresGrad: true });
  const h = a.mul(2);
  h.add_(torch.tensor([1, 1, 1]));
  assert.equal(h.gradFn!.name, "AddBackward0");
  h.sum().backward();
  assert.deepEqual(a.grad!.tolist(), [2, 2, 2]);
  const m = torch.zeros(2, 3);
  m.add_(torch.tensor([1, 2, 3]));
  assert.deepEqual(m.tolist(), [[1, 2, 3], [1, 2, 3]]);
  const f = torch.tensor([1.5, 2.5]);
  f.add_(torch.tensor([1, 2], { dtype: torch.float64 }));
  assert.deepEqual(f.tolist(), [2.5, 4.5]);
  const x = torch.tensor([1, 2, 3]);
  x.add_(x);
  assert.deepEqual(x.tolist(), [2, 4, 6]);
  const i = torch.tensor([1n, 2n]);
  i.add_(torch.tensor([3n, 4n]), { alpha: 2 });
  assert.deepEqual(i.tolist(), [7, 10]);
});

test("float64 add with alpha overflows to inf (PyTorch 1.13: tensor([inf])), in place and out of place", () => {
  const big = () => torch.tensor([1e308], { dtype: torch.float64 });
  const b = torch.tensor([1e299], { dtype: torch.float64 });
  assert.deepEqual(big().add(b, { alpha: 1e9 }).tolist(), [Infinity]);
  const y = big();
  y.add_(b, { alpha: 1e9 });
  assert.deepEqual(y.tolist(), [Infinity]);
});
