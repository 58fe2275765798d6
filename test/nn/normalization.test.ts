// Batch, group, instance and local-response normalisation and the channel dropouts against
// PyTorch 1.13 (test/fixtures/normalization, written by scripts/fixtures/normalization.py):
// functional forms (outputs, gradFn, input/weight/bias gradients, running statistics), modules
// trained for several steps then evaluated (every output, gradients, state dict, eval output),
// dropout masks after manualSeed, reprs and errors; then float64 finite-difference gradchecks.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { F, nn } from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { gradcheck, gradgradcheck } from "../helpers/gradcheck.js";
import { assertClose, fromDump, type TDump } from "./fixture.js";
import { callF, caseInput, loadAreaFixture } from "./vision-fixture.js";

interface FunctionalCase {
  op: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  noncontiguous: boolean;
  dtype: string;
  input: TDump;
  tensors: Record<string, TDump>;
  output: TDump;
  gradFn: string | null;
  upstream: TDump;
  inputGrad: TDump;
  weightGrad: TDump | null;
  biasGrad: TDump | null;
  runningMean: TDump;
  runningVar: TDump;
}

const DT: Record<string, torch.DType> = { float32: torch.float32, float64: torch.float64 };

test("normalization functional fixtures", () => {
  const cases = loadAreaFixture<FunctionalCase[]>("normalization", "functional");
  assert.ok(cases.length >= 38);
  for (const c of cases) {
    const what = `${c.op}(${JSON.stringify(c.args)}, ${JSON.stringify(c.kwargs)}) ${c.dtype}${c.noncontiguous ? " non-contiguous" : ""}`;
    const x = caseInput(c.input, c.noncontiguous).requiresGrad_();
    const t: Record<string, Tensor> = {};
    for (const [k, d] of Object.entries(c.tensors)) t[k] = fromDump(d).to(DT[c.dtype]);
    t.w.requiresGrad_();
    t.b.requiresGrad_();
    const conv = (v: unknown) => (typeof v === "string" && v in t ? t[v] : v);
    const args = c.args.map(conv);
    const kwargs = Object.fromEntries(Object.entries(c.kwargs).map(([k, v]) => [k, conv(v)]));
    const y = callF(c.op, x, args, kwargs) as Tensor;
    // Batch, group and instance norm reproduce PyTorch's CPU arithmetic bit for bit.
    const exact = c.op === "batch_norm" || c.op === "instance_norm" || c.op === "group_norm";
    assertClose(y, c.output, exact ? "exact" : c.dtype, `${what} output`);
    assert.equal(y.gradFn?.name ?? null, c.gradFn, `${what}: gradFn`);
    y.mul(fromDump(c.upstream)).sum().backward();
    // Batch norm's backward is exact too for contiguous inputs with spatial dims (PyTorch's
    // vectorised per-plane reductions); [N, C] and strided inputs take other kernels there.
    const exactGrad = c.op === "batch_norm" && !c.noncontiguous && c.input.shape.length > 2 ? "exact" : c.dtype;
    assertClose(x.grad, c.inputGrad, exactGrad, `${what} input grad`);
    assertClose(t.w.grad, c.weightGrad, exactGrad, `${what} weight grad`);
    assertClose(t.b.grad, c.biasGrad, exactGrad, `${what} bias grad`);
    assertClose(t.rm, c.runningMean, exact ? "exact" : c.dtype, `${what} running mean`);
    assertClose(t.rv, c.runningVar, exact ? "exact" : c.dtype, `${what} running var`);
  }
});

interface ModuleCase {
  name: string;
  dtype: string;
  inputs: TDump[];
  outputs: TDump[];
  upstreams: TDump[];
  gradFn: string | null;
  lastInputGrad: TDump;
  paramGrads: Record<string, TDump | null>;
  stateDict: Record<string, TDump>;
  evalInput: TDump;
  evalOutput: TDump;
}

const MODULES: Record<string, () => nn.Module> = {
  "BatchNorm2d(3)": () => new nn.BatchNorm2d(3),
  "BatchNorm2d(3,momentum=None)": () => new nn.BatchNorm2d(3, { momentum: null }),
  "BatchNorm2d(4,eps=0.001,momentum=0.5,affine=False)": () => new nn.BatchNorm2d(4, { eps: 0.001, momentum: 0.5, affine: false }),
  "BatchNorm2d(3,track_running_stats=False)": () => new nn.BatchNorm2d(3, { trackRunningStats: false }),
  "BatchNorm1d(3) 3d": () => new nn.BatchNorm1d(3),
  "GroupNorm(2,6)": () => new nn.GroupNorm(2, 6),
  "GroupNorm(3,3,affine=False)": () => new nn.GroupNorm(3, 3, { affine: false }),
  "InstanceNorm2d(3)": () => new nn.InstanceNorm2d(3),
  "InstanceNorm2d(3,affine=True,track_running_stats=True)": () => new nn.InstanceNorm2d(3, { affine: true, trackRunningStats: true }),
  "InstanceNorm2d(3) unbatched": () => new nn.InstanceNorm2d(3),
  "InstanceNorm1d(4,affine=True)": () => new nn.InstanceNorm1d(4, { affine: true }),
  "InstanceNorm1d(4,track_running_stats=True) unbatched": () => new nn.InstanceNorm1d(4, { trackRunningStats: true }),
  "LocalResponseNorm(3)": () => new nn.LocalResponseNorm(3),
  "LocalResponseNorm(2,alpha=0.01,beta=0.5,k=2.0)": () => new nn.LocalResponseNorm(2, { alpha: 0.01, beta: 0.5, k: 2.0 }),
};

test("normalization modules: training steps, running statistics, state dict and eval", () => {
  const cases = loadAreaFixture<ModuleCase[]>("normalization", "modules");
  assert.equal(cases.length, Object.keys(MODULES).length * 2);
  for (const c of cases) {
    const what = `${c.name} ${c.dtype}`;
    torch.manualSeed(0);
    const m = MODULES[c.name]().to(DT[c.dtype]);
    let x: Tensor | null = null;
    const exactModule = c.name.includes("BatchNorm") || c.name.includes("InstanceNorm") || c.name.includes("GroupNorm");
    c.inputs.forEach((inp, i) => {
      x = fromDump(inp).requiresGrad_();
      const y = m.forward(x) as Tensor;
      assertClose(y, c.outputs[i], exactModule ? "exact" : c.dtype, `${what} step ${i} output`);
      assert.equal(y.gradFn?.name ?? null, c.gradFn, `${what}: gradFn`);
      y.mul(fromDump(c.upstreams[i])).sum().backward();
    });
    assertClose((x as unknown as Tensor).grad, c.lastInputGrad, c.dtype, `${what} input grad`);
    for (const [name, p] of m.namedParameters()) assertClose(p.grad, c.paramGrads[name], c.dtype, `${what} grad ${name}`);
    assert.deepEqual(m.namedParameters().map(([n]) => n), Object.keys(c.paramGrads), `${what}: parameters`);
    const sd = m.stateDict();
    assert.deepEqual(Object.keys(sd), Object.keys(c.stateDict), `${what}: state-dict keys`);
    for (const [k, v] of Object.entries(c.stateDict)) {
      assertClose(sd[k], v, v.dtype === "int64" || (exactModule && k.startsWith("running")) ? "exact" : c.dtype, `${what} ${k}`);
      if (v.dtype === "int64") assert.equal(sd[k].dtype, torch.int64, `${what} ${k} dtype`);
    }
    m.eval();
    assertClose(m.forward(fromDump(c.evalInput)) as Tensor, c.evalOutput, exactModule ? "exact" : c.dtype, `${what} eval output`);
  }
});

test("BatchNorm2d exposes runningMean, runningVar and numBatchesTracked, and loads a state dict", () => {
  const bn = new nn.BatchNorm2d(2, { momentum: null });
  torch.manualSeed(1);
  bn.forward(torch.randn(3, 2, 2, 2));
  bn.forward(torch.randn(3, 2, 2, 2));
  assert.equal(bn.numBatchesTracked!.item(), 2);
  const other = new nn.BatchNorm2d(2);
  other.loadStateDict(bn.stateDict());
  assert.deepEqual(other.runningMean!.tolist(), bn.runningMean!.tolist());
  assert.deepEqual(other.runningVar!.tolist(), bn.runningVar!.tolist());
  assert.equal(other.numBatchesTracked!.item(), 2);
  bn.resetRunningStats();
  assert.deepEqual(bn.runningVar!.tolist(), [1, 1]);
  assert.equal(bn.numBatchesTracked!.item(), 0);
});

interface DropoutCase {
  name: string;
  dtype: string;
  input: TDump;
  output: TDump;
  inputGrad: TDump;
  gradFn: string | null;
  after: TDump;
}

const DROPOUTS: Record<string, (x: Tensor) => Tensor> = {
  "dropout2d(p=0.5)": (x) => F.dropout2d(x),
  "dropout2d(p=0.3) 3-D": (x) => F.dropout2d(x, 0.3),
  "dropout1d(p=0.4)": (x) => F.dropout1d(x, 0.4),
  "dropout1d(p=0.4) unbatched": (x) => F.dropout1d(x, { p: 0.4 }),
  "Dropout2d(0.25) twice": (x) => {
    const m = new nn.Dropout2d(0.25);
    return m.forward(x).add(m.forward(x));
  },
  "Dropout2d(0.25).eval": (x) => new nn.Dropout2d(0.25).eval().forward(x),
  "Dropout1d(0.6)": (x) => new nn.Dropout1d(0.6).forward(x),
  "dropout2d(p=1)": (x) => F.dropout2d(x, 1),
  "dropout2d(training=False)": (x) => F.dropout2d(x, 0.5, false),
};

test("channel dropout masks match PyTorch's draws after manualSeed", () => {
  const cases = loadAreaFixture<DropoutCase[]>("normalization", "dropout");
  assert.equal(cases.length, Object.keys(DROPOUTS).length * 2);
  for (const c of cases) {
    const what = `${c.name} ${c.dtype}`;
    torch.manualSeed(123);
    const x = fromDump(c.input).requiresGrad_();
    const y = DROPOUTS[c.name](x);
    assertClose(y, c.output, c.dtype, `${what} output`);
    assert.equal(y.gradFn?.name ?? null, c.gradFn, `${what}: gradFn`);
    y.sum().backward();
    assertClose(x.grad, c.inputGrad, c.dtype, `${what} input grad`);
    assertClose(torch.rand(2), c.after, "float32", `${what} generator state after`);
  }
});

const REPRS: Record<string, () => nn.Module> = {
  "BatchNorm2d(3)": () => new nn.BatchNorm2d(3),
  "BatchNorm2d(4,eps=0.001,momentum=None,affine=False,track_running_stats=False)": () =>
    new nn.BatchNorm2d(4, { eps: 0.001, momentum: null, affine: false, trackRunningStats: false }),
  "GroupNorm(2,4)": () => new nn.GroupNorm(2, 4),
  "GroupNorm(2,4,eps=0.001,affine=False)": () => new nn.GroupNorm(2, 4, { eps: 0.001, affine: false }),
  "InstanceNorm1d(3)": () => new nn.InstanceNorm1d(3),
  "InstanceNorm2d(3,affine=True,track_running_stats=True)": () => new nn.InstanceNorm2d(3, { affine: true, trackRunningStats: true }),
  "LocalResponseNorm(5)": () => new nn.LocalResponseNorm(5),
  "LocalResponseNorm(2,alpha=0.01,beta=0.5,k=2.0)": () => new nn.LocalResponseNorm(2, 0.01, 0.5, 2),
  "Dropout2d(0.3)": () => new nn.Dropout2d(0.3),
  "Dropout1d()": () => new nn.Dropout1d(),
  "Dropout2d(0.5,inplace=True)": () => new nn.Dropout2d(0.5, true),
};

test("normalization module reprs equal PyTorch's", () => {
  const want = loadAreaFixture<Record<string, string>>("normalization", "reprs");
  assert.deepEqual(Object.keys(REPRS).sort(), Object.keys(want).sort());
  for (const [name, make] of Object.entries(REPRS)) assert.equal(make().toString(), want[name], name);
});

const ERRORS: Record<string, () => unknown> = {
  "BatchNorm2d 3-D": () => new nn.BatchNorm2d(3).forward(torch.randn(2, 3, 4)),
  "BatchNorm1d 4-D": () => new nn.BatchNorm1d(3).forward(torch.randn(2, 3, 4, 4)),
  "BatchNorm2d channels": () => new nn.BatchNorm2d(3).forward(torch.randn(2, 4, 4, 4)),
  "BatchNorm2d one value": () => new nn.BatchNorm2d(3).forward(torch.randn(1, 3, 1, 1)),
  "batch_norm eval without stats": () => F.batchNorm(torch.randn(2, 3), null, null),
  "batch_norm weight size": () => F.batchNorm(torch.randn(2, 3), null, null, { weight: torch.ones(4), training: true }),
  "GroupNorm divisible": () => new nn.GroupNorm(3, 4),
  "group_norm channels": () => F.groupNorm(torch.randn(2, 4, 3), 3),
  "group_norm weight": () => F.groupNorm(torch.randn(2, 4, 3), 2, torch.ones(3)),
  "InstanceNorm2d 2-D": () => new nn.InstanceNorm2d(3).forward(torch.randn(3, 4)),
  "InstanceNorm1d 4-D": () => new nn.InstanceNorm1d(3).forward(torch.randn(2, 3, 4, 4)),
  "InstanceNorm2d affine channels": () => new nn.InstanceNorm2d(3, { affine: true }).forward(torch.randn(2, 4, 3, 3)),
  "instance_norm one element": () => F.instanceNorm(torch.randn(2, 3, 1)),
  "local_response_norm 2-D": () => F.localResponseNorm(torch.randn(3, 4), 2),
  "dropout2d p": () => F.dropout2d(torch.randn(2, 3, 4, 4), 1.5),
  "Dropout2d p": () => new nn.Dropout2d(-0.1),
  "dropout1d 4-D": () => F.dropout1d(torch.randn(2, 3, 4, 4), 0.5),
};

test("normalization errors carry PyTorch's messages", () => {
  const want = loadAreaFixture<Record<string, string>>("normalization", "errors");
  assert.deepEqual(Object.keys(ERRORS).sort(), Object.keys(want).sort());
  for (const [name, call] of Object.entries(ERRORS)) {
    assert.throws(call, (e: Error) => {
      assert.equal(e.message, want[name], name);
      return true;
    });
  }
});

const f64 = { dtype: torch.float64 };
function randn(...shape: number[]): Tensor {
  return torch.randn(shape, f64).mul(1.5).add(0.2).requiresGrad_();
}

const GRADCHECKS: Array<[string, (...t: Tensor[]) => Tensor, () => Tensor[]]> = [
  ["batchNorm train 4-D", (x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }), () => [randn(2, 3, 2, 3), randn(3), randn(3)]],
  ["batchNorm train 4-D non-contiguous", (x) => F.batchNorm(x.transpose(-1, -2), null, null, null, null, true), () => [randn(2, 2, 3, 2)]],
  ["batchNorm eval 4-D", (x, w, b) => F.batchNorm(x, torch.tensor([0.1, -0.2], f64), torch.tensor([0.5, 2.0], f64), w, b), () => [randn(2, 2, 2, 2), randn(2), randn(2)]],
  ["groupNorm", (x, w, b) => F.groupNorm(x, 2, w, b, 1e-5), () => [randn(2, 4, 2, 3), randn(4), randn(4)]],
  ["groupNorm options, non-contiguous", (x, w) => F.groupNorm(x.transpose(-1, -2), 3, { weight: w, eps: 0.01 }), () => [randn(2, 3, 3, 2), randn(3)]],
  ["groupNorm 3-D no affine", (x) => F.groupNorm(x, 1), () => [randn(2, 3, 4)]],
  ["instanceNorm", (x, w, b) => F.instanceNorm(x, { weight: w, bias: b }), () => [randn(2, 3, 2, 3), randn(3), randn(3)]],
  ["instanceNorm 1-d", (x) => F.instanceNorm(x), () => [randn(2, 2, 5)]],
  ["localResponseNorm", (x) => F.localResponseNorm(x, 3, { alpha: 0.1 }), () => [randn(2, 4, 2, 2)]],
  ["localResponseNorm 3-D even size", (x) => F.localResponseNorm(x, 2, 0.2, 0.6, 1.5), () => [randn(2, 4, 3)]],
];

for (const [name, fn, make] of GRADCHECKS) {
  test(`gradcheck ${name}`, () => {
    torch.manualSeed(11);
    assert.ok(gradcheck(fn, make(), { name }));
  });
}

test("gradgradcheck groupNorm and batchNorm (second derivatives through the recomputed forward)", () => {
  torch.manualSeed(12);
  assert.ok(gradgradcheck((x, w, b) => F.groupNorm(x, 2, w, b), [randn(2, 4, 3), randn(4), randn(4)], { name: "groupNorm" }));
  assert.ok(gradgradcheck((x, w) => F.batchNorm(x, null, null, { weight: w, training: true }), [randn(3, 2, 2, 2), randn(2)], { name: "batchNorm 4-D" }));
});
