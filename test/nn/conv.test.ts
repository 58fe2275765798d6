// nn.Conv1d/2d, nn.ConvTranspose1d/2d, nn.Unfold/Fold against PyTorch 1.13: weights drawn after
// manualSeed(0), state-dict keys, reprs, forward and gradients, constructor and forward errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as torch from "../../src/index.js";
import { assertNear, loadConvFixture, rebuild, type TDump } from "../ops/conv-fixture.js";

const nn = torch.nn;

// The same modules as scripts/fixtures/convolution.py's MODULES, by name.
const MODULES: Record<string, () => torch.nn.Module> = {
  "Conv2d(3,8,3)": () => new nn.Conv2d(3, 8, 3),
  "Conv2d(1,8,3,padding=1,bias=False)": () => new nn.Conv2d(1, 8, 3, { padding: 1, bias: false }),
  "Conv2d(4,6,(3,2),stride=2,padding=(1,0),dilation=(2,1),groups=2)": () => new nn.Conv2d(4, 6, [3, 2], { stride: 2, padding: [1, 0], dilation: [2, 1], groups: 2 }),
  "Conv2d(2,4,3,padding=same)": () => new nn.Conv2d(2, 4, 3, { padding: "same" }),
  "Conv2d(2,4,4,padding=same,padding_mode=reflect)": () => new nn.Conv2d(2, 4, 4, { padding: "same", paddingMode: "reflect" }),
  "Conv2d(2,3,3,padding=valid)": () => new nn.Conv2d(2, 3, 3, { padding: "valid" }),
  "Conv2d(2,3,3,padding=1,padding_mode=reflect)": () => new nn.Conv2d(2, 3, 3, { padding: 1, paddingMode: "reflect" }),
  "Conv2d(2,3,3,padding=(2,1),padding_mode=replicate)": () => new nn.Conv2d(2, 3, 3, { padding: [2, 1], paddingMode: "replicate" }),
  "Conv2d(2,3,3,padding=1,padding_mode=circular)": () => new nn.Conv2d(2, 3, 3, { padding: 1, paddingMode: "circular" }),
  "Conv2d(3,3,3,groups=3,bias=False)": () => new nn.Conv2d(3, 3, 3, { groups: 3, bias: false }),
  "Conv2d(3,4,3) unbatched": () => new nn.Conv2d(3, 4, 3),
  "Conv1d(3,5,3)": () => new nn.Conv1d(3, 5, 3),
  "Conv1d(4,4,2,stride=2,padding=1,groups=4,bias=False)": () => new nn.Conv1d(4, 4, 2, { stride: 2, padding: 1, groups: 4, bias: false }),
  "Conv1d(2,3,3,padding=2,padding_mode=circular)": () => new nn.Conv1d(2, 3, 3, { padding: 2, paddingMode: "circular" }),
  "Conv1d(2,3,4,padding=same,dilation=2)": () => new nn.Conv1d(2, 3, 4, { padding: "same", dilation: 2 }),
  "ConvTranspose2d(3,4,3)": () => new nn.ConvTranspose2d(3, 4, 3),
  "ConvTranspose2d(4,6,(3,2),stride=2,padding=1,output_padding=1,groups=2,bias=False,dilation=1)": () =>
    new nn.ConvTranspose2d(4, 6, [3, 2], { stride: 2, padding: 1, outputPadding: 1, groups: 2, bias: false }),
  "ConvTranspose2d(2,3,3,stride=2,dilation=2)": () => new nn.ConvTranspose2d(2, 3, 3, { stride: 2, dilation: 2 }),
  "ConvTranspose2d(2,3,3,stride=2,padding=1) output_size": () => new nn.ConvTranspose2d(2, 3, 3, { stride: 2, padding: 1 }),
  "ConvTranspose2d(2,3,3,stride=3) output_size full": () => new nn.ConvTranspose2d(2, 3, 3, { stride: 3 }),
  "ConvTranspose1d(3,2,3,stride=2)": () => new nn.ConvTranspose1d(3, 2, 3, { stride: 2 }),
  "ConvTranspose1d(2,4,2,stride=2) output_size": () => new nn.ConvTranspose1d(2, 4, 2, { stride: 2 }),
};

interface ModuleCase {
  name: string;
  dtype: string;
  repr: string;
  state: Record<string, TDump>;
  input: TDump;
  outputSize: number[] | null;
  upstream: TDump;
  output: TDump;
  gradFn: string;
  gradInput: TDump;
  grads: Record<string, TDump>;
}

describe("conv modules against PyTorch", () => {
  for (const c of loadConvFixture<ModuleCase[]>("modules")) {
    it(`${c.name} (${c.dtype})`, () => {
      torch.manualSeed(0);
      const m = MODULES[c.name]();
      if (c.dtype === "float64") m.double();
      assert.equal(String(m), c.repr);
      const state = m.stateDict();
      assert.deepEqual([...Object.keys(state)], Object.keys(c.state));
      // Default initialisation draws PyTorch's numbers bit for bit (float32 draws, widened for float64).
      for (const [k, v] of Object.entries(c.state)) {
        assert.deepEqual(Array.from(state[k].contiguous().values() as ArrayLike<number>, Number), v.values, `init ${k}`);
      }
      const x = rebuild(c.input).requiresGrad_();
      const y = c.outputSize ? (m as torch.nn.ConvTranspose2d).forward(x, c.outputSize) : m.forward(x);
      assertNear(y, c.output, "output");
      assert.equal(y.gradFn?.name, c.gradFn);
      y.mul(rebuild(c.upstream)).sum().backward();
      assertNear(x.grad, c.gradInput, "grad input");
      for (const [k, p] of m.namedParameters()) assertNear(p.grad, c.grads[k], `grad ${k}`);
    });
  }
});

describe("conv module reprs", () => {
  const want = loadConvFixture<Record<string, string>>("reprs");
  const build: Record<string, () => torch.nn.Module> = {
    "Conv2d(1,8,3,padding=1)": () => new nn.Conv2d(1, 8, 3, { padding: 1 }),
    "Conv2d(3,8,3)": () => new nn.Conv2d(3, 8, 3),
    "Conv2d(3,8,(3,5),stride=(2,1),padding=(1,2),dilation=2,groups=1,bias=False)": () => new nn.Conv2d(3, 8, [3, 5], { stride: [2, 1], padding: [1, 2], dilation: 2, bias: false }),
    "Conv2d(4,8,3,padding=same,padding_mode=reflect,groups=4)": () => new nn.Conv2d(4, 8, 3, { padding: "same", paddingMode: "reflect", groups: 4 }),
    "Conv2d(4,8,3,padding=valid)": () => new nn.Conv2d(4, 8, 3, { padding: "valid" }),
    "Conv2d(4,8,3,padding=1,padding_mode=circular)": () => new nn.Conv2d(4, 8, 3, { padding: 1, paddingMode: "circular" }),
    "Conv1d(16,33,3,stride=2)": () => new nn.Conv1d(16, 33, 3, { stride: 2 }),
    "Conv1d(4,4,5,padding=2,padding_mode=replicate,bias=False)": () => new nn.Conv1d(4, 4, 5, { padding: 2, paddingMode: "replicate", bias: false }),
    "ConvTranspose2d(16,33,3,stride=2)": () => new nn.ConvTranspose2d(16, 33, 3, { stride: 2 }),
    "ConvTranspose2d(16,33,(3,5),stride=(2,1),padding=(4,2),output_padding=1,groups=1,bias=False,dilation=2)": () =>
      new nn.ConvTranspose2d(16, 33, [3, 5], { stride: [2, 1], padding: [4, 2], outputPadding: 1, bias: false, dilation: 2 }),
    "ConvTranspose1d(4,6,3,groups=2)": () => new nn.ConvTranspose1d(4, 6, 3, { groups: 2 }),
    "Unfold(2)": () => new nn.Unfold(2),
    "Unfold((2,3),dilation=2,padding=1,stride=(1,2))": () => new nn.Unfold([2, 3], { dilation: 2, padding: 1, stride: [1, 2] }),
    "Fold((4,5),2)": () => new nn.Fold([4, 5], 2),
  };
  for (const [name, make] of Object.entries(build)) it(name, () => assert.equal(String(make()), want[name]));
  it("the Conv2d of the issue", () => assert.equal(String(new nn.Conv2d(1, 8, 3, { padding: 1 })), "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"));
});

describe("conv module errors", () => {
  const e = loadConvFixture<Record<string, string>>("errors");
  const cases: Record<string, () => unknown> = {
    "Conv2d in_channels groups": () => new nn.Conv2d(3, 8, 3, { groups: 2 }),
    "Conv2d out_channels groups": () => new nn.Conv2d(4, 6, 3, { groups: 4 }),
    "Conv2d same strided": () => new nn.Conv2d(4, 8, 3, { padding: "same", stride: 2 }),
    "Conv2d bad padding string": () => new nn.Conv2d(4, 8, 3, { padding: "foo" as "same" }),
    // PyTorch prints these choices as a Python set, in no fixed order; the fixture sorts them.
    "Conv2d bad padding_mode": () => new nn.Conv2d(4, 8, 3, { paddingMode: "foo" as "zeros" }),
    "ConvTranspose2d padding_mode": () => new nn.ConvTranspose2d(4, 8, 3, { paddingMode: "reflect" }),
    "ConvTranspose2d output_size": () => new nn.ConvTranspose2d(2, 3, 3, { stride: 2 }).forward(torch.randn([1, 2, 4, 4]), [12, 9]),
    "Conv2d module channels": () => new nn.Conv2d(3, 8, 3).forward(torch.randn([1, 4, 5, 5])),
  };
  for (const [name, fn] of Object.entries(cases)) {
    it(name, () => assert.throws(fn, (err: Error) => err.message === e[name] || assert.fail(`got: ${err.message}\nwant: ${e[name]}`)));
  }
});

describe("conv modules", () => {
  it("the weight of a transposed conv is [in, out/groups, k...] and its bias bound uses that fan-in", () => {
    const m = new nn.ConvTranspose2d(4, 6, 3, { groups: 2 });
    assert.deepEqual(m.weight.shape, [4, 3, 3, 3]);
    const bound = 1 / Math.sqrt(3 * 9);
    assert.ok(m.bias.abs().max().item() <= bound);
  });
  it("trains: one SGD step on a Conv2d lowers a loss", () => {
    torch.manualSeed(0);
    const m = new nn.Conv2d(2, 3, 3, { padding: 1 });
    const x = torch.randn([4, 2, 5, 5]);
    const target = torch.randn([4, 3, 5, 5]);
    const opt = new torch.optim.SGD(m.parameters(), { lr: 0.1 });
    const loss0 = m.forward(x).sub(target).pow(2).mean();
    opt.zeroGrad();
    loss0.backward();
    opt.step();
    const loss1 = m.forward(x).sub(target).pow(2).mean();
    assert.ok(loss1.item() < loss0.item());
  });
});
