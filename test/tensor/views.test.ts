// Views share memory as PyTorch's do: a write through a view shows in its base (and the other way),
// views share the version counter, and contiguous()/reshape() copy only when they must.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

const grid = () => torch.arange(12).reshape(3, 4).float();

function sharesMemory(a: Tensor, b: Tensor): boolean {
  return a.storage === b.storage;
}

test("writes through every kind of view are visible in the base", () => {
  const views: Array<[string, (x: Tensor) => Tensor, number[][]]> = [
    ["view", (x) => x.view(4, 3), [[100, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]],
    ["reshape", (x) => x.reshape(-1), [[100, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]],
    ["transpose", (x) => x.transpose(0, 1).select(0, 2), [[0, 1, 100, 3], [4, 5, 6, 7], [8, 9, 10, 11]]],
    ["t", (x) => x.t().narrow(0, 3, 1), [[0, 1, 2, 100], [4, 5, 6, 7], [8, 9, 10, 11]]],
    ["permute", (x) => x.permute(1, 0).select(1, 2), [[0, 1, 2, 3], [4, 5, 6, 7], [100, 9, 10, 11]]],
    ["squeeze", (x) => x.unsqueeze(0).squeeze(0).select(0, 1), [[0, 1, 2, 3], [100, 5, 6, 7], [8, 9, 10, 11]]],
    ["unsqueeze", (x) => x.unsqueeze(1).select(0, 2), [[0, 1, 2, 3], [4, 5, 6, 7], [100, 9, 10, 11]]],
    ["flatten", (x) => x.flatten().narrow(0, 5, 1), [[0, 1, 2, 3], [4, 100, 6, 7], [8, 9, 10, 11]]],
    ["narrow", (x) => x.narrow(1, 1, 2), [[0, 100, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]],
    ["select", (x) => x.select(1, 3), [[0, 1, 2, 100], [4, 5, 6, 7], [8, 9, 10, 11]]],
    ["slice step", (x) => x.slice(1, 1, undefined, 2).select(0, 1), [[0, 1, 2, 3], [4, 100, 6, 7], [8, 9, 10, 11]]],
    ["unbind", (x) => x.unbind(1)[2], [[0, 1, 100, 3], [4, 5, 6, 7], [8, 9, 10, 11]]],
    ["chunk", (x) => x.chunk(2, 1)[1], [[0, 1, 100, 3], [4, 5, 6, 7], [8, 9, 10, 11]]],
    ["split", (x) => x.split([2, 1], 0)[1], [[0, 1, 2, 3], [4, 5, 6, 7], [100, 9, 10, 11]]],
    ["detach", (x) => x.detach().select(0, 0), [[100, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]],
  ];
  for (const [name, make, expected] of views) {
    const x = grid();
    const v = make(x);
    assert.ok(sharesMemory(x, v), `${name} shares memory`);
    // Write the first element of the view: index [0, 0, ...].
    let first = v;
    while (first.dim() > 0) first = first.select(0, 0);
    const before = x.version;
    first.fill_(100);
    assert.deepEqual(x.tolist(), expected, name);
    assert.equal(x.version, before + 1, `${name}: the version counter is shared`);
    assert.equal(v.version, x.version);
  }
});

test("writes into the base show through existing views, including expanded ones", () => {
  const x = grid();
  const t = x.t();
  const e = x.select(0, 0).expand(2, 4);
  x.select(1, 0).copy_(torch.tensor([-1, -2, -3]));
  assert.deepEqual(t.select(0, 0).tolist(), [-1, -2, -3]);
  assert.deepEqual(e.tolist(), [[-1, 1, 2, 3], [-1, 1, 2, 3]]);
  assert.deepEqual(e.stride(), [0, 1]);
});

test("in-place ops through views change the base: add_, mul_, sub_, div_, copy_, zero_, fill_, clamp_", () => {
  const x = grid();
  x.narrow(0, 0, 1).add_(1);
  x.select(0, 1).mul_(torch.tensor([2, 2, 2, 2]));
  x.t().narrow(0, 0, 1).sub_(0.5);
  x.select(1, 3).div_(2);
  x.select(0, 2).narrow(0, 1, 2).clamp_(9.5, 9.75);
  assert.deepEqual(x.tolist(), [[0.5, 2, 3, 2], [7.5, 10, 12, 7], [7.5, 9.5, 9.75, 5.5]]);
  x.select(0, 0).zero_();
  x.select(0, 2).fill_(-1);
  assert.deepEqual(x.tolist(), [[0, 0, 0, 0], [7.5, 10, 12, 7], [-1, -1, -1, -1]]);
  // In place on the whole tensor: the results equal the out-of-place ops, cast to the tensor's dtype.
  const y = torch.tensor([1, 2, 3], { dtype: torch.int64 });
  y.mul_(2).add_(torch.tensor([1n, 1n, 1n]));
  assert.deepEqual(y.tolist(), [3, 5, 7]);
  assert.equal(y.dtype, torch.int64);
  assert.throws(() => y.div_(2), /result type Float can't be cast to the desired output type Long/);
  assert.throws(() => torch.zeros(2, 3).add_(torch.ones(4, 2, 3)), /output with shape \[2, 3\] doesn't match the broadcast shape \[4, 2, 3\]/);
});

test("contiguous() copies only when needed; reshape views when it can", () => {
  const x = grid();
  assert.equal(x.contiguous(), x, "a contiguous tensor is returned as is");
  const t = x.t();
  assert.equal(t.isContiguous(), false);
  const c = t.contiguous();
  assert.notEqual(c.storage, x.storage, "a transposed tensor is copied");
  assert.equal(c.isContiguous(), true);
  assert.deepEqual(c.tolist(), t.tolist());
  assert.ok(sharesMemory(x, x.reshape(6, 2)), "reshape of a contiguous tensor is a view");
  assert.ok(!sharesMemory(x, t.reshape(12)), "reshape of a transposed tensor copies");
  assert.ok(sharesMemory(x, x.narrow(1, 0, 2).reshape(3, 1, 2)), "a view when the strides allow it");
  assert.ok(x.narrow(0, 1, 1).isContiguous(), "a row slice is contiguous");
  assert.equal(x.narrow(1, 1, 2).isContiguous(), false);
  assert.equal(torch.zeros(1, 3).expand(1, 3).isContiguous(), true);
  assert.equal(torch.zeros(3, 1).expand(3, 2).isContiguous(), false);
  // strides and offsets as PyTorch reports them
  assert.deepEqual(x.stride(), [4, 1]);
  assert.deepEqual(t.stride(), [1, 4]);
  assert.equal(x.select(0, 2).storageOffset(), 8);
  assert.deepEqual(x.unsqueeze(1).stride(), [4, 4, 1]);
  assert.deepEqual(x.unsqueeze(2).stride(), [4, 1, 1]);
  assert.deepEqual(x.slice(1, 0, undefined, 2).stride(), [4, 2]);
});

test("clone copies; .data shares memory without history", () => {
  const x = torch.tensor([1, 2, 3], { requiresGrad: true });
  const c = x.clone();
  assert.notEqual(c.storage, x.storage);
  const d = x.data;
  assert.equal(d.requiresGrad, false);
  d.storage.data[0] = 7;
  assert.equal((x.tolist() as number[])[0], 7);
});

test("a 0-D tensor views as any all-ones shape, as PyTorch 1.13 (scripts/fixtures/scalar_view.py)", () => {
  const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "book", "scalar-view.json"), "utf8")) as {
    cases: Array<{ shape: number[]; viewShape: number[]; strides: number[]; gradFn: string; grad: number }>;
    error: string;
  };
  for (const c of fixture.cases) {
    const x = torch.tensor(2.5, { dtype: torch.float64, requiresGrad: true });
    const v = x.view(c.shape);
    assert.deepEqual(v.shape, c.viewShape, `view(${c.shape}) shape`);
    assert.deepEqual(v.stride(), c.strides, `view(${c.shape}) strides`);
    assert.equal(v.gradFn?.name, c.gradFn);
    assert.ok(sharesMemory(v, x));
    v.mul(3).sum().backward();
    assert.equal((x.grad as Tensor).item(), c.grad);
  }
  // kindling's message adds the op and the input shape around PyTorch's
  assert.throws(() => torch.tensor(2.5).view(2), (e: Error) => e.message.includes(fixture.error));
});
