// Module hooks through forward(): the order and values of every hook call, PyTorch's recorded on
// the same user-written models (scripts/fixtures/hooks.py), whoever calls forward.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { nn } from "../../src/index.js";

type Dump = { shape: number[]; values: number[] } | { number: number } | null | Dump[];
interface Event {
  hook: "pre" | "forward" | "backward" | "backward-start";
  module?: string;
  inputs?: Dump;
  output?: Dump;
  gradInput?: Dump;
  gradOutput?: Dump;
}
interface Case {
  name: string;
  model: "Net" | "SubNet" | "Split";
  dtype: "float32" | "float64";
  xRequiresGrad?: boolean;
  replace?: boolean;
  params: Record<string, { shape: number[]; values: number[] }>;
  x: { shape: number[]; values: number[] };
  output: Dump;
  events: Event[];
  grads?: Record<string, { shape: number[]; values: number[] }>;
  xGrad: Dump;
  afterRemove?: number;
}

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "hooks", "hooks.json"), "utf8")) as { cases: Case[] };

class Block extends nn.Module {
  lin = new nn.Linear(3, 4);
  act = new nn.ReLU();
  override forward(x: torch.Tensor): torch.Tensor {
    return this.act.forward(this.lin.forward(x));
  }
}
class Net extends nn.Module {
  features = new nn.Sequential(new nn.Linear(2, 3), new nn.Tanh());
  block = new Block();
  shared = new nn.Linear(4, 4);
  head = new nn.Linear(4, 2);
  override forward(x: torch.Tensor, scale: number): torch.Tensor {
    let h = this.features.forward(x);
    h = this.block.forward(h).mul(scale);
    h = this.shared.forward(this.shared.forward(h));
    return this.head.forward(h);
  }
}
class SubNet extends Net {
  override forward(x: torch.Tensor, scale: number): torch.Tensor {
    return super.forward(x, scale).mul(2);
  }
}
class Split extends nn.Module {
  lin = new nn.Linear(2, 3);
  override forward(x: torch.Tensor, y: number): [torch.Tensor, torch.Tensor] {
    const h = this.lin.forward(x);
    return [h.mul(y), h.sum(1)];
  }
}

function dtypeOf(c: Case): torch.DType {
  return c.dtype === "float64" ? torch.float64 : torch.float32;
}

function build(c: Case): nn.Module {
  const m = c.model === "Net" ? new Net() : c.model === "SubNet" ? new SubNet() : new Split();
  if (c.dtype === "float64") m.double();
  const sd: Record<string, torch.Tensor> = {};
  for (const [k, v] of Object.entries(c.params)) sd[k] = torch.tensor(v.values, { dtype: dtypeOf(c) }).reshape(v.shape);
  m.loadStateDict(sd);
  return m;
}

function dump(v: unknown): Dump {
  if (v === null || v === undefined) return null;
  if (v instanceof torch.Tensor) return { shape: v.shape, values: Array.from(v.detach().contiguous().values() as ArrayLike<number>, Number) };
  if (Array.isArray(v)) return v.map(dump);
  if (typeof v === "number") return { number: v };
  throw new TypeError(`unexpected ${typeof v}`);
}

function assertDump(got: Dump, want: Dump, dtype: string, what: string): void {
  if (want === null) {
    assert.equal(got, null, `${what}: expected null`);
    return;
  }
  assert.ok(got !== null, `${what}: got null, expected ${JSON.stringify(want).slice(0, 80)}`);
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got), `${what}: expected an array`);
    assert.equal(got.length, want.length, `${what}: length`);
    want.forEach((w, i) => {
      assertDump((got as Dump[])[i], w, dtype, `${what}[${i}]`);
    });
    return;
  }
  if ("number" in want) {
    assert.deepEqual(got, want, what);
    return;
  }
  assert.ok(!Array.isArray(got) && "shape" in got, `${what}: expected a tensor`);
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const tol = dtype === "float64" ? 1e-12 : 2e-6;
  got.values.forEach((g, i) => {
    assert.ok(Math.abs(g - want.values[i]) <= tol * (1 + Math.abs(want.values[i])), `${what}[${i}]: ${g} vs ${want.values[i]}`);
  });
}

/** Registers the three hooks on every module, as the fixture script does, logging every call. */
function hookAll(model: nn.Module, events: Event[], replace: boolean): nn.RemovableHandle[] {
  const handles: nn.RemovableHandle[] = [];
  for (const [name, m] of model.namedModules()) {
    const label = name || "<root>";
    handles.push(
      m.registerForwardPreHook((_mod, inputs) => {
        events.push({ hook: "pre", module: label, inputs: dump(inputs) });
        if (replace && label === "block.lin") return [(inputs[0] as torch.Tensor).mul(2)];
        return undefined;
      }),
      m.registerForwardHook((_mod, inputs, output) => {
        events.push({ hook: "forward", module: label, inputs: dump(inputs), output: dump(output) });
        if (replace && label === "block.act") return (output as torch.Tensor).add(0.5);
        return undefined;
      }),
      m.registerFullBackwardHook((_mod, gradInput, gradOutput) => {
        events.push({ hook: "backward", module: label, gradInput: dump(gradInput), gradOutput: dump(gradOutput) });
        if (replace && label === "block.lin") return gradInput.map((g) => (g === null ? null : g.mul(0.5)));
        return undefined;
      }),
    );
  }
  return handles;
}

function assertEvents(got: Event[], want: Event[], dtype: string): void {
  const order = (es: Event[]) => es.map((e) => `${e.hook} ${e.module ?? ""}`);
  assert.deepEqual(order(got), order(want), "hook call order");
  want.forEach((w, i) => {
    for (const k of ["inputs", "output", "gradInput", "gradOutput"] as const) {
      if (k in w) assertDump(got[i][k] ?? null, w[k] ?? null, dtype, `event ${i} (${w.hook} ${w.module}) ${k}`);
    }
  });
}

for (const c of fixture.cases) {
  test(`hooks through forward(): ${c.name} (${c.dtype})`, () => {
    const model = build(c);
    const x = torch.tensor(c.x.values, { dtype: dtypeOf(c) }).reshape(c.x.shape);
    if (c.xRequiresGrad !== false && c.model !== "Split" && !c.name.startsWith("no_grad")) x.requiresGrad_(true);
    if (c.model === "Split") x.requiresGrad_(true);
    const events: Event[] = [];
    const handles = hookAll(model, events, c.replace ?? false);
    if (c.name.startsWith("no_grad")) {
      const out = torch.noGrad(() => model.forward(x, 0.5));
      assertDump(dump(out), c.output, c.dtype, "output");
      assertEvents(events, c.events, c.dtype);
      return;
    }
    const scale = c.model === "Split" ? 3 : 0.5;
    const out = model.forward(x, scale);
    assertDump(dump(out), c.output, c.dtype, "output");
    events.push({ hook: "backward-start" });
    if (c.model === "Split") (out as torch.Tensor[])[0].sum().backward();
    else {
      const o = out as torch.Tensor;
      o.mul(torch.arange(1, o.numel() + 1, { dtype: dtypeOf(c) }).reshape(o.shape)).sum().backward();
    }
    assertEvents(events, c.events, c.dtype);
    assertDump(dump(x.grad), c.xGrad, c.dtype, "x.grad");
    if (c.grads) {
      for (const [name, p] of model.namedParameters()) assertDump(dump(p.grad), c.grads[name], c.dtype, `${name}.grad`);
    }
    if (c.afterRemove !== undefined) {
      for (const h of handles) h.remove();
      const n = events.length;
      (model.forward(x, scale) as torch.Tensor).sum().backward();
      assert.equal(events.length - n, c.afterRemove, "no hook fires after remove()");
    }
  });
}

test("call() and forward() run the same hooks; a hook that is not a function is a TypeError", () => {
  const lin = new nn.Linear(2, 1);
  let n = 0;
  lin.registerForwardHook(() => void n++);
  lin.forward(torch.ones(1, 2));
  lin.call(torch.ones(1, 2));
  assert.equal(n, 2);
  assert.throws(() => lin.registerForwardHook(42 as never), /hook must be a function/);
});

test("a backward hook that returns the wrong number of gradients is an error, as in PyTorch", () => {
  const lin = new nn.Linear(2, 1);
  lin.registerFullBackwardHook((_m, gi) => [...gi, null]);
  const x = torch.ones(1, 2, { requiresGrad: true });
  assert.throws(() => lin.forward(x).sum().backward(), /Backward hook returned an invalid number of grad_input, got 2, but expected 1/);
});

test("a forward assigned to the instance (an arrow-function field) still runs with hooks registered after it", () => {
  class Arrow extends nn.Module {
    lin = new nn.Linear(2, 2);
    override forward = (x: torch.Tensor): torch.Tensor => this.lin.forward(x).mul(2);
  }
  const m = new Arrow();
  const seen: string[] = [];
  m.registerForwardPreHook(() => void seen.push("pre"));
  m.registerForwardHook((_m, _i, out) => (out as torch.Tensor).add(1));
  const x = torch.ones(1, 2);
  const y = m.forward(x);
  assert.deepEqual(seen, ["pre"]);
  assert.deepEqual(y.tolist(), m.lin.forward(x).mul(2).add(1).tolist());
});
