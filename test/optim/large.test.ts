// Optimizer steps on a parameter large enough for the native in-place update (2,051 elements),
// against PyTorch 1.13's bits (scripts/fixtures/optim_large.py); the same file checks the
// TypeScript path when run with KINDLING_NO_NATIVE=1. Also: the in-place update bumps the version
// counter once, leaves views and aliases right, and keeps autograd's errors.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as torch from "../../src/index.js";

interface Run {
  optimizer: string;
  dtype: "float32" | "float64";
  options: Record<string, number | boolean>;
  param: string;
}
const fixture = JSON.parse(readFileSync(new URL("../fixtures/optim/large.json", import.meta.url), "utf8")) as {
  n: number;
  steps: number;
  runs: Record<string, Run>;
};

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function bits(t: torch.Tensor): string {
  const v = t.contiguous().values();
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
}

function make(run: Run): { p: torch.Tensor; step: (s: number) => void } {
  const { n } = fixture;
  const dtype = run.dtype === "float32" ? torch.float32 : torch.float64;
  const p = torch.tensor(Array.from({ length: n }, (_, i) => (((i * 6151) % 1999) - 999) / 512), { dtype, requiresGrad: true });
  const opts = Object.fromEntries(Object.entries(run.options).map(([k, v]) => [camel(k), v]));
  const ctors: Record<string, new (params: torch.Tensor[], opts: Record<string, unknown>) => { step(): unknown }> = {
    sgd: torch.optim.SGD,
    sgd_momentum: torch.optim.SGD,
    sgd_nesterov: torch.optim.SGD,
    adam: torch.optim.Adam,
    rmsprop: torch.optim.RMSprop,
  };
  const ctor = ctors[run.optimizer];
  assert.ok(ctor, run.optimizer);
  const opt = new ctor([p], opts);
  return {
    p,
    step: (s: number) => {
      p.grad = torch.tensor(Array.from({ length: n }, (_, i) => (((i * 7919 + s * 104729) % 2001) - 1000) / 1024), { dtype });
      opt.step();
    },
  };
}

for (const [name, run] of Object.entries(fixture.runs)) {
  test(`${name}: ${fixture.steps} steps on ${fixture.n} elements give PyTorch's bits`, () => {
    const { p, step } = make(run);
    for (let s = 0; s < fixture.steps; s++) step(s);
    assert.equal(bits(p), run.param);
  });
}

test("an optimizer step bumps the parameter's version once and writes through to its views", () => {
  for (const n of [10, 5000]) {
    const p = torch.ones([n]).requiresGrad_(true);
    const view = p.detach().narrow(0, 1, 3);
    p.grad = torch.full([n], 2);
    const opt = new torch.optim.SGD([p], { lr: 0.5 });
    const before = p.version;
    opt.step();
    assert.equal(p.version, before + 1);
    assert.deepEqual(view.tolist(), [0, 0, 0]);
    assert.equal(p.sum().item(), 0);
  }
});

test("the in-place update outside an optimizer keeps autograd's rules", () => {
  // A leaf that requires grad cannot be updated in place while grad mode is on, large or small.
  for (const n of [10, 5000]) {
    const p = torch.ones([n]).requiresGrad_(true);
    p.grad = torch.ones([n]);
    const opt = new torch.optim.SGD([p], { lr: 0.5 });
    assert.doesNotThrow(() => opt.step());
    assert.throws(() => torch.enableGrad(() => p.add_(p.grad!, { alpha: -0.5 })), /a leaf Variable that requires grad/);
  }
});

test("a gradient that aliases the parameter (the same memory) updates in place correctly", () => {
  for (const n of [10, 5000]) {
    const p = torch.arange(n, { dtype: torch.float32 }).requiresGrad_(true);
    p.grad = p.detach(); // same storage, same offset
    new torch.optim.SGD([p], { lr: 0.25 }).step();
    const v = p.values();
    for (const i of [0, 1, n - 1]) assert.equal(v[i], Math.fround(i + i * Math.fround(-0.25)));
  }
});
