// nn.Module's behaviour: registration order and dotted names, reprs, stateDict and its errors,
// conversions, modes, hooks and containers, against PyTorch 1.13 where it printed something.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { F, nn } from "../../src/index.js";
import { loadFixture } from "./fixture.js";

interface Structure {
  repr: string;
  stateDictKeys: string[];
  namedParameters: string[];
  namedBuffers: string[];
  namedModules: string[];
  namedChildren: string[];
}
const reprs = loadFixture<Record<string, Structure> & { parameterRepr: string; parameterNoGradRepr: string }>("reprs");
const errors = loadFixture<Record<string, { type: string; message: string } | { result: string[][] }>>("errors");

class CustomModel extends nn.Module {
  layer = new nn.Sequential(new nn.Linear(3, 1), new nn.Sigmoid());
  override forward(x: torch.Tensor): torch.Tensor {
    return this.layer.forward(x);
  }
}

class Net extends nn.Module {
  features = new nn.Sequential(new nn.Linear(4, 8), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Dropout(0.25));
  blocks = new nn.ModuleList([new nn.Linear(8, 8), new nn.LayerNorm(8)]);
  heads = new nn.ModuleDict({ cls: new nn.Linear(8, 3), act: new nn.LogSoftmax({ dim: 1 }) });
  scale = new nn.Parameter(torch.ones(1));
  emb = new nn.Embedding(10, 4, { paddingIdx: 0 });
  constructor() {
    super();
    this.registerBuffer("steps", torch.zeros(2));
  }
  override forward(x: torch.Tensor): torch.Tensor {
    return x;
  }
}

const MODELS: Record<string, () => nn.Module> = {
  CustomModel: () => new CustomModel(),
  Net: () => new Net(),
  activations: () =>
    new nn.Sequential(
      new nn.LeakyReLU(), new nn.LeakyReLU({ negativeSlope: 0.2, inplace: true }), new nn.ELU(), new nn.ELU({ alpha: 0.5 }), new nn.Threshold(0.5, -1.0),
      new nn.Softmax({ dim: 1 }), new nn.Softmin(0), new nn.LogSoftmax(-1), new nn.GELU(), new nn.GELU({ approximate: "tanh" }),
      new nn.SiLU(), new nn.Mish(), new nn.Softplus(), new nn.Softsign(), new nn.Hardtanh(), new nn.Hardtanh(-2.0, 2.0), new nn.ReLU6(),
      new nn.Hardsigmoid(), new nn.Hardswish(), new nn.SELU(), new nn.CELU(), new nn.CELU({ alpha: 0.25 }), new nn.LogSigmoid(), new nn.Tanhshrink(),
      new nn.PReLU(), new nn.PReLU({ numParameters: 3 }), new nn.ReLU(), new nn.ReLU({ inplace: true }), new nn.Sigmoid(), new nn.Tanh(),
      new nn.Hardshrink(), new nn.Softshrink(0.25),
    ),
  layers: () =>
    new nn.Sequential(
      new nn.Identity(), new nn.Flatten(), new nn.Flatten(0, 2), new nn.Unflatten(1, [2, 5]), new nn.Unflatten(0, [3]), new nn.Dropout(), new nn.Dropout(0.1),
      new nn.BatchNorm1d(3), new nn.BatchNorm1d(4, { eps: 0.001, momentum: null, affine: false, trackRunningStats: false }),
      new nn.LayerNorm(4), new nn.LayerNorm([2, 3], { eps: 1e-6, elementwiseAffine: false }), new nn.Embedding(10, 3),
      new nn.Embedding(5, 2, { paddingIdx: 1 }), new nn.Linear(2, 3, { bias: false }), new nn.Bilinear(2, 3, 4),
    ),
  losses: () =>
    new nn.Sequential(new nn.BCELoss(), new nn.BCEWithLogitsLoss(), new nn.MSELoss(), new nn.L1Loss(), new nn.CrossEntropyLoss(), new nn.NLLLoss(),
      new nn.HuberLoss(), new nn.SmoothL1Loss(), new nn.KLDivLoss()),
  empty: () => new nn.Sequential(),
  nested: () => new nn.Sequential(new nn.Sequential(new nn.Sequential(new nn.Linear(1, 1)))),
};

for (const [name, make] of Object.entries(MODELS)) {
  test(`module structure and repr: ${name}`, () => {
    const m = make();
    const want = reprs[name];
    assert.equal(m.toString(), want.repr);
    assert.deepEqual(Object.keys(m.stateDict()), want.stateDictKeys);
    assert.deepEqual(m.namedParameters().map(([k]) => k), want.namedParameters);
    assert.deepEqual(m.namedBuffers().map(([k]) => k), want.namedBuffers);
    assert.deepEqual(m.namedModules().map(([k]) => k), want.namedModules);
    assert.deepEqual(m.namedChildren().map(([k]) => k), want.namedChildren);
  });
}

test("Parameter prints as PyTorch's", () => {
  assert.equal(String(new nn.Parameter(torch.tensor([[1.0, 2.0], [3.0, 4.5]]))), reprs.parameterRepr);
  assert.equal(String(new nn.Parameter(torch.tensor([1.0, 2.0]), false)), reprs.parameterNoGradRepr);
  const t = torch.tensor([1.0, 2.0]);
  const p = new nn.Parameter(t);
  assert.ok(p instanceof torch.Tensor && p.isLeaf && p.requiresGrad);
  p.data.mul_(2);
  assert.deepEqual(t.tolist(), [2, 4], "shares the tensor's memory");
});

function expectError(fn: () => unknown, key: string): void {
  const want = errors[key] as { message: string };
  // Python's KeyError repr quotes its message; compare the text inside.
  const msg = want.message.replace(/^['"]|['"]$/g, "").replace(/\\'/g, "'");
  assert.throws(fn, (e: Error) => {
    assert.equal(e.message, msg);
    return true;
  });
}

test("loadStateDict errors list keys and shapes as PyTorch's", () => {
  const m = new nn.Sequential(new nn.Linear(2, 3), new nn.Linear(3, 1));
  const sd = m.stateDict();
  expectError(() => m.loadStateDict({ ...sd, "0.weight": torch.zeros(4, 2) }), "loadShape");
  const missing = { ...sd };
  delete missing["1.bias"];
  expectError(() => m.loadStateDict(missing), "loadMissing");
  expectError(() => m.loadStateDict({ ...sd, "2.weight": torch.zeros(1), "0.running": torch.zeros(1) }), "loadUnexpected");
  expectError(() => m.loadStateDict({ ...missing, "1.extra": torch.zeros(1) }), "loadBoth");
  const r = m.loadStateDict({ ...missing, "1.extra": torch.zeros(1) }, { strict: false });
  assert.deepEqual([r.missingKeys, r.unexpectedKeys], (errors.loadNonStrict as { result: string[][] }).result);
});

test("error messages match PyTorch's", () => {
  expectError(() => F.binaryCrossEntropy(torch.rand(3), torch.rand(3, 1)), "bceTargetSize");
  expectError(() => F.binaryCrossEntropy(torch.tensor([1.5]), torch.tensor([1.0])), "bceRange");
  expectError(() => F.binaryCrossEntropyWithLogits(torch.rand(3), torch.rand(3, 1)), "bceWithLogitsSize");
  expectError(() => F.nllLoss(torch.randn(2, 3), torch.tensor([0n, 3n])), "nllOutOfBounds");
  expectError(() => F.nllLoss(torch.randn(2, 3), torch.tensor([0n, 1n, 2n])), "nllBatch");
  expectError(() => F.crossEntropy(torch.randn(2, 3), torch.tensor([0n, 1n]), { labelSmoothing: 1.5 }), "crossEntropySmoothing");
  expectError(() => new nn.Linear(3, 2).forward(torch.randn(4, 5)), "linearShapes");
  expectError(() => new nn.BatchNorm1d(3).forward(torch.randn(1, 3)), "batchNormOne");
  expectError(() => new nn.BatchNorm1d(3).forward(torch.randn(2, 3, 4, 5)), "batchNormDim");
  expectError(() => new nn.LayerNorm(4).forward(torch.randn(2, 3)), "layerNormShape");
  expectError(() => new nn.Embedding(3, 2).forward(torch.tensor([3n])), "embeddingRange");
  expectError(() => F.huberLoss(torch.randn(2), torch.randn(2), { delta: 0 }), "huberDelta");
  expectError(() => F.smoothL1Loss(torch.randn(2), torch.randn(2), { beta: -1 }), "smoothL1Beta");
  expectError(() => new nn.Dropout(1.5), "dropoutP");
  expectError(() => nn.init.xavierUniform_(torch.empty(3)), "fanIn");
  expectError(() => nn.init.calculateGain("foo" as nn.init.Nonlinearity), "gain");
  expectError(() => new nn.Module().addModule("a.b", new nn.Identity()), "addModuleDot");
  expectError(() => new nn.Linear(1, 1).registerBuffer("weight", torch.zeros(1)), "registerBufferExists");
});

test("Sequential keeps layer types, iterates, appends and slices", () => {
  const seq = new nn.Sequential(new nn.Linear(2, 2), new nn.Sigmoid());
  const lin: nn.Linear = seq.at(0);
  assert.ok(lin instanceof nn.Linear);
  assert.ok(seq.at(-1) instanceof nn.Sigmoid);
  assert.equal(seq.length, 2);
  assert.deepEqual([...seq].map((m) => m.constructor.name), ["Linear", "Sigmoid"]);
  seq.append(new nn.ReLU());
  assert.deepEqual(Object.keys(seq.stateDict()), ["0.weight", "0.bias"]);
  // PyTorch 1.13's seq[1:] keeps the original names.
  assert.equal(seq.slice(1).toString(), "Sequential(\n  (1): Sigmoid()\n  (2): ReLU()\n)");
  assert.ok(seq.slice(1).at(0) instanceof nn.Sigmoid);
  const named = new nn.Sequential({ fc: new nn.Linear(1, 2), act: new nn.Tanh() });
  assert.deepEqual(Object.keys(named.stateDict()), ["fc.weight", "fc.bias"]);
  assert.throws(() => seq.at(3), RangeError);
});

test("ModuleList and ModuleDict register their modules", () => {
  const list = new nn.ModuleList<nn.Module>([new nn.Linear(1, 1)]);
  list.append(new nn.Linear(1, 2));
  list.insert(0, new nn.Identity());
  assert.deepEqual(Object.keys(list.stateDict()), ["1.weight", "1.bias", "2.weight", "2.bias"]);
  assert.equal(list.length, 3);
  const dict = new nn.ModuleDict({ b: new nn.Linear(1, 1), a: new nn.ReLU() });
  dict.set("c", new nn.Linear(2, 1));
  assert.deepEqual(dict.keys(), ["b", "a", "c"]);
  assert.deepEqual(Object.keys(dict.stateDict()), ["b.weight", "b.bias", "c.weight", "c.bias"]);
  dict.pop("b");
  assert.deepEqual(dict.keys(), ["a", "c"]);
});

test("registration follows definition order, reassignment and explicit registration", () => {
  class M extends nn.Module {
    b = new nn.Linear(1, 1);
    a = new nn.Parameter(torch.zeros(1));
    plain = torch.zeros(1);
    constructor() {
      super();
      this.registerParameter("c", new nn.Parameter(torch.ones(1)));
      this.registerBuffer("buf", torch.zeros(1));
      this.registerBuffer("tmp", torch.zeros(1), { persistent: false });
      this.addModule("extra", new nn.Tanh());
    }
  }
  const m = new M();
  assert.deepEqual(m.namedParameters().map(([k]) => k), ["a", "c", "b.weight", "b.bias"]);
  assert.deepEqual(Object.keys(m.stateDict()), ["a", "c", "buf", "b.weight", "b.bias"]);
  assert.deepEqual(m.namedBuffers().map(([k]) => k), ["buf", "tmp"]);
  assert.deepEqual(m.namedChildren().map(([k]) => k), ["b", "extra"]);
  (m as unknown as { b: nn.Module }).b = new nn.Identity();
  assert.deepEqual(m.namedParameters().map(([k]) => k), ["a", "c"]);
  assert.equal(m.getSubmodule("extra").constructor.name, "Tanh");
});

test("the registry follows every change between reads, including ones that keep the number of properties", () => {
  class M extends nn.Module {
    late: nn.Module | null = null;
    x: unknown = 5;
    fc = new nn.Linear(1, 1);
  }
  const m = new M();
  const rec = m as unknown as Record<string, unknown>;
  const children = () => m.namedChildren().map(([k]) => k);
  const params = () => m.namedParameters().map(([k]) => k);
  assert.deepEqual(children(), ["fc"]);
  m.late = new nn.Tanh(); // null -> module, registered when first seen as one
  assert.deepEqual(children(), ["fc", "late"]);
  rec.x = new nn.Parameter(torch.zeros(1)); // plain value -> parameter
  assert.deepEqual(params(), ["x", "fc.weight", "fc.bias"]);
  rec.x = new nn.ReLU(); // parameter -> module
  assert.deepEqual(params(), ["fc.weight", "fc.bias"]);
  assert.deepEqual(children(), ["fc", "late", "x"]);
  rec.fc = 3; // module -> plain value: unregistered
  assert.deepEqual(children(), ["late", "x"]);
  delete rec.late; // one property gone, another added: same count
  rec.other = new nn.Sigmoid();
  assert.deepEqual(children(), ["x", "other"]);
  const seq = new nn.Sequential(new nn.Linear(2, 2), new nn.Sigmoid());
  const input = torch.ones(1, 2);
  seq.forward(input);
  (seq as unknown as Record<string, unknown>)["1"] = new nn.Tanh();
  assert.equal(seq.at(1).constructor.name, "Tanh");
  assert.deepEqual(seq.forward(input).tolist(), seq.at(0).forward(input).tanh().tolist());
});

test("shared parameters are listed once", () => {
  const lin = new nn.Linear(2, 2);
  const seq = new nn.Sequential(lin, lin);
  assert.equal(seq.parameters().length, 2);
  assert.equal(seq.modules().length, 2);
});

test("train/eval, requiresGrad_, zeroGrad, apply", () => {
  const m = new CustomModel();
  assert.equal(m.training, true);
  m.eval();
  assert.ok(m.modules().every((x) => !x.training));
  m.train();
  assert.ok(m.modules().every((x) => x.training));
  m.forward(torch.ones(2, 3)).sum().backward();
  const w = m.layer.at(0).weight;
  assert.ok(w.grad !== null);
  m.zeroGrad();
  assert.deepEqual(w.grad!.tolist(), [[0, 0, 0]], "PyTorch 1.13 default: zeroed, not removed");
  m.zeroGrad(true);
  assert.equal(w.grad, null);
  m.requiresGrad_(false);
  assert.ok(m.parameters().every((p) => !p.requiresGrad));
  const seen: string[] = [];
  m.apply((x) => seen.push(x.constructor.name));
  assert.deepEqual(seen, ["Linear", "Sigmoid", "Sequential", "CustomModel"]);
});

test("to(dtype), double() and float() convert parameters in place and buffers", () => {
  const m = new nn.Sequential(new nn.Linear(2, 2), new nn.BatchNorm1d(2));
  const w = m.at(0).weight;
  m.to(torch.float64);
  assert.equal(m.at(0).weight, w, "same Parameter object");
  assert.equal(w.dtype, torch.float64);
  assert.equal(m.at(1).runningMean!.dtype, torch.float64);
  assert.equal(m.at(1).numBatchesTracked!.dtype, torch.int64, "integer buffers keep their dtype");
  m.float();
  assert.equal(w.dtype, torch.float32);
  assert.equal(m.double().at(0).bias.dtype, torch.float64);
  assert.throws(() => m.to(torch.int64), TypeError);
});

test("call() runs forward hooks; removing a hook stops it", () => {
  const lin = new nn.Linear(2, 1);
  const calls: string[] = [];
  const pre = lin.registerForwardPreHook((_m, inputs) => {
    calls.push("pre");
    return [(inputs[0] as torch.Tensor).mul(0)];
  });
  const post = lin.registerForwardHook((_m, _i, out) => {
    calls.push("post");
    return (out as torch.Tensor).add(1);
  });
  const y = lin.call(torch.ones(1, 2)) as torch.Tensor;
  assert.deepEqual(calls, ["pre", "post"]);
  assertNear(y.item(), lin.bias.item() + 1);
  pre.remove();
  post.remove();
  const z = lin.call(torch.zeros(1, 2)) as torch.Tensor;
  assertNear(z.item(), lin.bias.item());
});

function assertNear(a: number, b: number): void {
  assert.ok(Math.abs(a - b) < 1e-6, `${a} != ${b}`);
}

test("stateDict round trip and Dropout/BatchNorm train vs eval", () => {
  torch.manualSeed(0);
  const a = new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm1d(2));
  const b = new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm1d(2));
  a.forward(torch.randn(4, 3));
  b.loadStateDict(a.stateDict());
  for (const [k, v] of Object.entries(b.stateDict())) assert.deepEqual(v.tolist(), a.stateDict()[k].tolist(), k);
  const d = new nn.Dropout(0.5);
  const x = torch.ones(100);
  d.eval();
  assert.equal(d.forward(x), x);
  d.train();
  const y = d.forward(x).tolist() as number[];
  assert.ok(y.every((v) => v === 0 || v === 2));
});
