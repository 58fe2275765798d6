// The autograd features against PyTorch 1.13 (test/fixtures/ops/autograd.json, from
// scripts/fixtures/ops.py): accumulation, non-scalar backward, retain_graph, retain_grad,
// autograd.grad with create_graph, grad modes, detach, leaves, node names and error messages.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { linear } from "../../src/ops/linalg.js";
import { gradcheck, gradgradcheck } from "../helpers/gradcheck.js";
import { decode, type Encoded, loadFixture } from "../ops/fixture.js";

interface Fixture {
  messages: Record<string, string>;
  values: {
    secondDerivative: { x: number[]; grad: Encoded[]; grad2: Encoded[] };
    accumulate: { first: Encoded[]; second: Encoded[] };
    nonScalar: Encoded[];
    retainGrad: { h: Encoded[]; x: Encoded[] };
  };
}
const fx = loadFixture<Fixture>("autograd.json");
const M = fx.messages;

function close(actual: ArrayLike<number>, expected: Encoded[], rtol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const e = decode(expected[i]);
    assert.ok(Math.abs(actual[i] - e) <= rtol * Math.abs(e), `${what}[${i}]: ${actual[i]} vs PyTorch's ${e}`);
  }
}

/** Runs fn and returns its error's message (fails if it does not throw). */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail("expected an error");
}

test("leaves accumulate .grad across two backward calls", () => {
  const x = torch.tensor([1, -2, 3], { requiresGrad: true });
  x.mul(x).sum().backward();
  close(x.grad!.values(), fx.values.accumulate.first, 0, "after one backward");
  x.exp().sum().backward();
  close(x.grad!.values(), fx.values.accumulate.second, 1e-7, "after two");
  assert.equal(x.grad!.requiresGrad, false);
  assert.equal(x.grad!.gradFn, null);
});

test("backward(gradient) for a non-scalar output; without it PyTorch's error", () => {
  const x = torch.tensor([[1, 2], [3, 4]], { requiresGrad: true });
  const y = x.tanh();
  assert.throws(() => y.backward(), { message: M.implicit });
  y.backward(torch.tensor([[0.5, -1], [2, 0.25]]));
  close(x.grad!.values(), fx.values.nonScalar, 1e-6, "grad");
  assert.throws(() => x.tanh().backward(torch.ones(3)), /Mismatch in shape/);
});

test("a second backward needs retainGraph, with PyTorch's message", () => {
  const x = torch.tensor([1, 2], { requiresGrad: true });
  const y = x.exp().mul(x).sum();
  y.backward(null, { retainGraph: true });
  y.backward();
  const once = [Math.E * 2, Math.exp(2) * 3];
  close(x.grad!.values(), once.map((v) => 2 * v), 1e-6, "two backward passes accumulate");
  assert.throws(() => y.backward(), { message: M.twice });
  // Nodes that save nothing can run twice, as in PyTorch.
  const z = x.add(1).sum();
  z.backward();
  z.backward();
});

test("retainGrad keeps the gradient of a non-leaf", () => {
  const x = torch.tensor([0.3, 0.7], { requiresGrad: true });
  const h = x.sigmoid();
  h.retainGrad();
  h.mul(h).sum().backward();
  close(h.grad!.values(), fx.values.retainGrad.h, 1e-6, "h.grad");
  close(x.grad!.values(), fx.values.retainGrad.x, 1e-6, "x.grad");
  const k = x.sigmoid();
  k.sum().backward();
  assert.equal(k.grad, null, "no .grad on a non-leaf that did not ask");
});

test("autograd.grad returns gradients without touching .grad, and createGraph gives second derivatives", () => {
  const { x: xs, grad, grad2 } = fx.values.secondDerivative;
  const x = torch.tensor(xs, { dtype: torch.float64, requiresGrad: true });
  const y = x.sin().mul(x.pow(3)).sum();
  const [g] = torch.autograd.grad(y, x, { createGraph: true });
  assert.ok(g!.requiresGrad, "createGraph records the backward pass");
  close(g!.values(), grad, 1e-14, "first derivative");
  const [g2] = torch.autograd.grad(g!.sum(), x);
  close(g2!.values(), grad2, 1e-14, "second derivative");
  assert.equal(x.grad, null);
  const z = torch.tensor([1], { requiresGrad: true });
  const w = torch.tensor([1], { requiresGrad: true });
  assert.throws(() => torch.autograd.grad(z.mul(2).sum(), [z, w]), (e: Error) => e.message.startsWith(M.unused));
  const [gz, gw] = torch.autograd.grad(z.mul(2).sum(), [z, w], { allowUnused: true });
  assert.deepEqual(Array.from(gz!.values()), [2]);
  assert.equal(gw, null);
});

test("second derivatives of the core ops agree with finite differences (gradgradcheck)", () => {
  const a = torch.tensor([[0.3, -0.8, 1.1], [0.5, 0.2, -0.4]], { dtype: torch.float64, requiresGrad: true });
  const b = torch.tensor([[0.7, -0.2], [0.1, 0.9], [-0.6, 0.4]], { dtype: torch.float64, requiresGrad: true });
  const fns: Array<[string, (...t: torch.Tensor[]) => torch.Tensor]> = [
    ["matmul/tanh", (p, q) => p.matmul(q).tanh()],
    ["sigmoid*exp", (p) => p.sigmoid().mul(p.exp())],
    ["div/log", (p) => p.div(p.square().add(1)).add(p.square().add(1).log())],
    ["pow/sqrt", (p) => p.square().add(0.5).pow(1.5).add(p.square().add(1).sqrt())],
    ["softmax-like", (p) => p.exp().div(p.exp().sum(1, { keepdim: true }))],
    ["logsumexp/var", (p) => p.logsumexp(1).add(p.var(0).sum())],
    ["norm/std", (p) => p.norm(2, 1).add(p.std(1))],
    ["max/where", (p) => p.amax(1).add(torch.where(p.gt(0), p, p.mul(0.1)).sum())],
  ];
  for (const [name, fn] of fns) {
    const inputs = fn.length === 2 ? [a, b] : [a];
    gradcheck(fn, inputs, { name });
    gradgradcheck(fn, inputs, { name });
  }
});

test("noGrad and enableGrad switch recording; detach cuts the graph and shares memory", () => {
  const x = torch.tensor([1, 2], { requiresGrad: true });
  const y = torch.noGrad(() => x.mul(2));
  assert.equal(y.requiresGrad, false);
  assert.equal(y.gradFn, null);
  const z = torch.noGrad(() => torch.enableGrad(() => x.mul(2)));
  assert.equal(z.gradFn?.name, "MulBackward0");
  assert.equal(torch.isGradEnabled(), true);
  assert.equal(torch.noGrad(() => torch.isGradEnabled()), false);
  const d = x.mul(3).detach();
  assert.equal(d.requiresGrad, false);
  assert.equal(d.isLeaf, true);
  const e = x.detach();
  e.storage.data[0] = 5;
  assert.deepEqual(x.tolist(), [5, 2], "detach shares memory");
  assert.equal(e.version, x.version, "and the version counter");
});

test("isLeaf, requiresGrad and PyTorch's errors about them", () => {
  const x = torch.tensor([1, 2], { requiresGrad: true });
  const c = torch.tensor([1, 2]);
  assert.equal(x.isLeaf, true);
  assert.equal(c.isLeaf, true);
  const y = x.mul(2);
  assert.equal(y.isLeaf, false);
  assert.equal(y.requiresGrad, true);
  assert.equal(c.mul(x).requiresGrad, true);
  assert.equal(c.mul(2).requiresGrad, false);
  assert.throws(() => {
    y.requiresGrad = false;
  }, { message: M.nonLeafRequiresGradFalse });
  assert.ok(messageOf(() => torch.tensor([1n, 2n]).requiresGrad_()).startsWith(M.intRequiresGrad));
  assert.ok(messageOf(() => torch.tensor([1, 2], { dtype: torch.int64, requiresGrad: true })).startsWith(M.intRequiresGrad));
  assert.throws(() => c.sum().backward(), { message: M.noGradFn });
});

test("grad_fn names are PyTorch's", () => {
  const x = torch.tensor([[0.5, -1], [2, 0.25]], { requiresGrad: true });
  const w = torch.tensor([[1, 2], [3, 4]], { requiresGrad: true });
  const b = torch.tensor([0.1, 0.2], { requiresGrad: true });
  const names: Array<[torch.Tensor, string]> = [
    [x.sigmoid(), "SigmoidBackward0"],
    [linear(x, w, b), "AddmmBackward0"],
    [linear(x, w), "MmBackward0"],
    [torch.addmm(b, x, w), "AddmmBackward0"],
    [x.mul(2), "MulBackward0"],
    [x.add(x), "AddBackward0"],
    [x.sub(1), "SubBackward0"],
    [x.rsub(1), "RsubBackward1"],
    [x.div(2), "DivBackward0"],
    [x.pow(2), "PowBackward0"],
    [x.pow(x), "PowBackward1"],
    [x.sum(), "SumBackward0"],
    [x.sum(0), "SumBackward1"],
    [x.mean(), "MeanBackward0"],
    [x.max(), "MaxBackward1"],
    [x.max(0).values, "MaxBackward0"],
    [x.t(), "TBackward0"],
    [x.T, "PermuteBackward0"],
    [x.view(4), "ViewBackward0"],
    [x.reshape(4), "ReshapeAliasBackward0"],
    [x.t().reshape(4), "UnsafeViewBackward0"],
    [x.unsqueeze(0), "UnsqueezeBackward0"],
    [x.unsqueeze(0).squeeze(), "SqueezeBackward0"],
    [x.unsqueeze(0).squeeze(0), "SqueezeBackward1"],
    [x.select(0, 1), "SelectBackward0"],
    [x.narrow(1, 0, 1), "SliceBackward0"],
    [x.unbind()[0], "UnbindBackward0"],
    [x.chunk(2)[0], "SplitBackward0"],
    [x.split([1, 1])[0], "SplitWithSizesBackward0"],
    [torch.stack([x, x]), "StackBackward0"],
    [torch.cat([x, x]), "CatBackward0"],
    [x.clone(), "CloneBackward0"],
    [x.t().contiguous(), "CloneBackward0"],
    [x.double(), "ToCopyBackward0"],
    [x.clamp(0, 1), "ClampBackward1"],
    [x.clamp(0), "ClampBackward1"],
    [x.clampMin(0), "ClampMinBackward0"],
    [x.relu(), "ReluBackward0"],
    [x.matmul(w), "MmBackward0"],
    [x.exp(), "ExpBackward0"],
    [x.norm(), "NormBackward1"],
  ];
  for (const [t, name] of names) assert.equal(t.gradFn?.name, name);
  // Ops that return an input unchanged add no node.
  assert.equal(x.flatten(1).gradFn, null);
  assert.equal(x.contiguous(), x);
});

test("an in-place change to a value saved for backward raises PyTorch's error", () => {
  const upTo = (m: string) => m.slice(0, m.indexOf(" Hint:"));
  const x = torch.tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
  const y = x.sigmoid();
  const z = y.mul(2);
  y.mul_(3);
  assert.equal(y.gradFn?.name, "MulBackward0", "the in-place op moves y's history");
  const m = messageOf(() => z.sum().backward());
  assert.ok(m.startsWith(upTo(M.inplaceOutput)), `${m}\nvs\n${M.inplaceOutput}`);

  const a = torch.tensor([1, 2], { requiresGrad: true });
  const b = a.mul(1);
  const w = torch.ones(2, { requiresGrad: true });
  const c = b.mul(w);
  b.add_(1);
  const m2 = messageOf(() => c.sum().backward());
  assert.ok(m2.startsWith(upTo(M.inplaceInput)), `${m2}\nvs\n${M.inplaceInput}`);

  assert.throws(() => torch.tensor([1], { requiresGrad: true }).add_(1), { message: M.leafInplace });
  // Allowed: in-place on a leaf under noGrad (what optimizers do), and on values nobody saved.
  const p = torch.tensor([1, 2], { requiresGrad: true });
  torch.noGrad(() => p.mul_(2));
  assert.deepEqual(p.tolist(), [2, 4]);
  const q = p.mul(1);
  q.add_(1);
  q.sum().backward();
  assert.deepEqual(p.grad!.tolist(), [1, 1]);
});

test("in-place ops on views of tensors that take part in autograd are refused with a clear error", () => {
  // PyTorch rebases the base onto a CopySlices node; kindling does not implement that and says so
  // rather than computing a wrong gradient.
  const x = torch.tensor([1, 2, 3], { requiresGrad: true });
  const base = x.mul(1);
  assert.throws(() => base.narrow(0, 0, 2).mul_(2), /in-place operations on a view of a tensor that requires grad/);
  const plain = torch.zeros(3);
  const w = torch.ones(2, { requiresGrad: true });
  assert.throws(() => plain.narrow(0, 0, 2).add_(w), /in-place operations on a view/);
  assert.throws(() => plain.narrow(0, 0, 2).copy_(w), /in-place operations on a view/);
  // Without grad, writes through views are fine.
  torch.noGrad(() => base.narrow(0, 0, 2).mul_(2));
  assert.deepEqual(base.tolist(), [2, 4, 3]);
  plain.narrow(0, 1, 2).add_(torch.ones(2));
  assert.deepEqual(plain.tolist(), [0, 1, 1]);
});

test("item and tolist give JavaScript numbers (booleans for bool)", () => {
  assert.equal(torch.tensor([2.5]).item(), 2.5);
  assert.equal(torch.tensor(0.1).item(), Math.fround(0.1));
  assert.equal(torch.tensor(0.1, { dtype: torch.float64 }).item(), 0.1);
  assert.equal(torch.tensor([[7n]]).item(), 7);
  assert.equal(torch.tensor([true]).item() as unknown, true);
  assert.ok(messageOf(() => torch.ones(2).item()).startsWith(M.item));
  assert.deepEqual(torch.tensor([[1n, 2n], [3n, 4n]]).tolist(), [[1, 2], [3, 4]]);
  assert.deepEqual(torch.tensor([true, false]).tolist(), [true, false]);
  assert.deepEqual(torch.tensor([[1, 2, 3], [4, 5, 6]]).t().tolist(), [[1, 4], [2, 5], [3, 6]]);
  assert.deepEqual(torch.zeros(2, 0).tolist(), [[], []]);
  assert.equal(torch.tensor(3n).tolist(), 3);
  assert.deepEqual(torch.tensor([Number.NaN, Number.POSITIVE_INFINITY]).tolist(), [Number.NaN, Number.POSITIVE_INFINITY]);
});

test("in-place ops carry history as PyTorch's: node names and gradients", () => {
  const x = torch.tensor([1, 2], { requiresGrad: true });
  const w = torch.tensor([3, -1], { requiresGrad: true });
  const steps: Array<[(y: torch.Tensor) => torch.Tensor, string]> = [
    [(y) => y.clamp_(0, 3), "ClampBackward1"],
    [(y) => y.add_(1), "AddBackward0"],
    [(y) => y.sub_(w, { alpha: 2 }), "SubBackward0"],
    [(y) => y.div_(2), "DivBackward0"],
    [(y) => y.mul_(w), "MulBackward0"],
  ];
  const y = x.mul(2);
  let ref = x.mul(2);
  for (const [step, name] of steps) {
    step(y);
    assert.equal(y.gradFn?.name, name);
  }
  ref = ref.clamp(0, 3).add(1).sub(w, { alpha: 2 }).div(2).mul(w);
  assert.deepEqual(y.tolist(), ref.tolist());
  const [gx, gw] = torch.autograd.grad(y.sum(), [x, w], { retainGraph: true });
  const [rx, rw] = torch.autograd.grad(ref.sum(), [x, w]);
  assert.deepEqual(gx!.tolist(), rx!.tolist());
  assert.deepEqual(gw!.tolist(), rw!.tolist());

  // zero_ / fill_ cut the old history (zero gradient); copy_ sends the gradient to its source.
  const z = x.mul(2).zero_();
  assert.equal(z.gradFn?.name, "ZeroBackward0");
  assert.deepEqual(torch.autograd.grad(z.sum(), x)[0]!.tolist(), [0, 0]);
  const f = x.mul(2).fill_(5);
  assert.equal(f.gradFn?.name, "FillBackward2");
  assert.deepEqual(f.tolist(), [5, 5]);
  const c = x.mul(2);
  c.copy_(x.double().mul(3));
  assert.equal(c.gradFn?.name, "CopyBackwards");
  c.sum().backward();
  assert.deepEqual(x.grad!.tolist(), [3, 3]);
  assert.equal(x.grad!.dtype, torch.float32);
  const into = torch.zeros(2, 2);
  into.copy_(w);
  assert.equal(into.gradFn?.name, "CopyBackwards");
  into.sum().backward();
  assert.deepEqual(w.grad!.tolist(), [2, 2], "the broadcast source's gradient is summed");
});

test("in-place ops whose derivative reads the original value (mul_, div_, pow_) differentiate it, as PyTorch's", () => {
  // PyTorch 1.13: x = [1, 2], w = [3, -1]; y = x * 2; y.mul_(w) -> x.grad [6, -2], w.grad [2, 4];
  // y.div_(w) -> x.grad [2/3, -2], w.grad [-2/9, -4].
  const x = torch.tensor([1, 2], { dtype: torch.float64, requiresGrad: true });
  const w = torch.tensor([3, -1], { dtype: torch.float64, requiresGrad: true });
  const y = x.mul(2);
  y.mul_(w);
  y.sum().backward();
  assert.deepEqual(x.grad!.tolist(), [6, -2]);
  assert.deepEqual(w.grad!.tolist(), [2, 4]);
  const [gx, gw] = torch.autograd.grad(x.mul(2).div_(w).sum(), [x, w]);
  assert.deepEqual(gx!.tolist(), [2 / 3, -2]);
  assert.deepEqual(gw!.tolist(), [-2 / 9, -4]);
  for (const [name, inplace, outOfPlace] of [
    ["pow_", (t: torch.Tensor) => t.pow_(w), (t: torch.Tensor) => t.pow(w)],
    ["sigmoid_", (t: torch.Tensor) => t.sigmoid_(), (t: torch.Tensor) => t.sigmoid()],
    ["clamp_", (t: torch.Tensor) => t.clamp_(0.5, 3), (t: torch.Tensor) => t.clamp(0.5, 3)],
  ] as const) {
    const a = torch.autograd.grad(inplace(x.mul(1.5)).sum(), [x, w], { allowUnused: true });
    const b = torch.autograd.grad(outOfPlace(x.mul(1.5)).sum(), [x, w], { allowUnused: true });
    assert.deepEqual(a.map((g) => g?.tolist() ?? null), b.map((g) => g?.tolist() ?? null), name);
  }
});
