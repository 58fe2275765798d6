// Convolutions, transposed convolutions, F.pad modes and unfold/fold against PyTorch 1.13
// fixtures (forward, gradients of input, weight and bias, gradFn names, error messages), plus
// float64 finite-difference gradient checks.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as torch from "../../src/index.js";
import { gradcheck } from "../helpers/gradcheck.js";
import { assertNear, loadConvFixture, rebuild, type TDump } from "./conv-fixture.js";

const F = torch.nn.functional;

interface ConvCase {
  name: string;
  op: "conv1d" | "conv2d" | "convTranspose1d" | "convTranspose2d";
  dtype: string;
  opts: Record<string, unknown>;
  transpose: [number, number] | null;
  input: TDump;
  weight: TDump;
  bias: TDump | null;
  upstream: TDump;
  output: TDump;
  gradFn: string;
  gradInput: TDump;
  gradWeight: TDump;
  gradBias: TDump | null;
}

const OPS = { conv1d: F.conv1d, conv2d: F.conv2d, convTranspose1d: F.convTranspose1d, convTranspose2d: F.convTranspose2d } as const;

describe("convolution fixtures", () => {
  for (const c of loadConvFixture<ConvCase[]>("conv")) {
    it(`${c.name} (${c.dtype})`, () => {
      const x = rebuild(c.input, c.transpose).requiresGrad_();
      if (c.transpose) assert.equal(x.isContiguous(), false);
      const w = rebuild(c.weight).requiresGrad_();
      const b = c.bias ? rebuild(c.bias).requiresGrad_() : null;
      const op = OPS[c.op] as (x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | null, o: object) => torch.Tensor;
      const y = op(x, w, b, c.opts);
      assertNear(y, c.output, "output");
      assert.equal(y.gradFn?.name, c.gradFn);
      y.mul(rebuild(c.upstream)).sum().backward();
      assertNear(x.grad, c.gradInput, "grad input");
      assertNear(w.grad, c.gradWeight, "grad weight");
      assertNear(b?.grad ?? null, c.gradBias, "grad bias");
    });
  }
});

interface PadCase {
  name: string;
  mode: "constant" | "reflect" | "replicate" | "circular";
  pad: number[];
  value: number | null;
  dtype: string;
  transpose: [number, number] | null;
  input: TDump;
  upstream: TDump;
  output: TDump;
  gradFn: string;
  gradInput: TDump;
}

describe("F.pad fixtures", () => {
  for (const c of loadConvFixture<PadCase[]>("pad")) {
    it(`${c.name} (${c.dtype})`, () => {
      const x = rebuild(c.input, c.transpose).requiresGrad_();
      const y = F.pad(x, c.pad, c.value === null ? { mode: c.mode } : { mode: c.mode, value: c.value });
      assertNear(y, c.output, "output");
      assert.equal(y.gradFn?.name, c.gradFn);
      y.mul(rebuild(c.upstream)).sum().backward();
      assertNear(x.grad, c.gradInput, "grad input");
    });
  }
});

interface FoldCase {
  name: string;
  op: "unfold" | "fold";
  args: { kernelSize: number | number[]; outputSize?: number | number[] };
  opts: Record<string, unknown>;
  dtype: string;
  transpose: [number, number] | null;
  input: TDump;
  upstream: TDump;
  output: TDump;
  gradFn: string;
  gradInput: TDump;
}

describe("F.unfold / F.fold fixtures", () => {
  for (const c of loadConvFixture<FoldCase[]>("fold")) {
    it(`${c.name} (${c.dtype})`, () => {
      const x = rebuild(c.input, c.transpose).requiresGrad_();
      const y = c.op === "unfold" ? F.unfold(x, c.args.kernelSize, c.opts) : F.fold(x, c.args.outputSize!, c.args.kernelSize, c.opts);
      assertNear(y, c.output, "output");
      assert.equal(y.gradFn?.name, c.gradFn);
      y.mul(rebuild(c.upstream)).sum().backward();
      assertNear(x.grad, c.gradInput, "grad input");
    });
  }
});

describe("convolution errors", () => {
  const e = loadConvFixture<Record<string, string>>("errors");
  const r = (...s: number[]) => torch.randn(s);
  const cases: Record<string, () => unknown> = {
    "conv2d rank": () => F.conv2d(r(5, 5), r(8, 3, 3, 3)),
    "conv1d rank": () => F.conv1d(r(2, 3, 4, 4), r(4, 3, 3)),
    "conv2d channels": () => F.conv2d(r(1, 4, 5, 5), r(8, 3, 3, 3)),
    "conv2d channels groups": () => F.conv2d(r(1, 4, 5, 5), r(6, 3, 3, 3), null, { groups: 2 }),
    "conv2d kernel too large": () => F.conv2d(r(1, 3, 2, 2), r(8, 3, 3, 3)),
    "conv1d kernel too large": () => F.conv1d(r(1, 3, 4), r(8, 3, 3), null, { dilation: 2 }),
    "conv2d same strided": () => F.conv2d(r(1, 3, 5, 5), r(8, 3, 3, 3), null, { padding: "same", stride: 2 }),
    "conv2d bias size": () => F.conv2d(r(1, 3, 5, 5), r(8, 3, 3, 3), r(5)),
    "conv2d weight groups": () => F.conv2d(r(1, 4, 5, 5), r(5, 2, 3, 3), null, { groups: 2 }),
    "conv2d weight rank": () => F.conv2d(r(1, 3, 5, 5), r(8, 3, 3)),
    "convTranspose2d channels": () => F.convTranspose2d(r(1, 4, 6, 6), r(3, 4, 2, 2)),
    "pad reflect too large": () => F.pad(r(1, 2, 3, 3), [3, 0, 0, 0], { mode: "reflect" }),
    "pad odd length": () => F.pad(r(1, 2, 3), [1, 2, 3]),
  };
  for (const [name, fn] of Object.entries(cases)) {
    it(name, () => assert.throws(fn, (err: Error) => err.message === e[name] || assert.fail(`got: ${err.message}\nwant: ${e[name]}`)));
  }
});

describe("convolution finite differences (float64)", () => {
  const d = { dtype: torch.float64 };
  const r = (...s: number[]) => torch.randn(s, d).requiresGrad_();
  torch.manualSeed(3);
  const checks: Array<[string, (...t: torch.Tensor[]) => torch.Tensor, torch.Tensor[]]> = [
    ["conv2d stride pad dil", (x, w, b) => F.conv2d(x, w, b, { stride: [2, 1], padding: [1, 2], dilation: [1, 2] }), [r(2, 2, 5, 5), r(3, 2, 2, 3), r(3)]],
    ["conv2d groups same even", (x, w, b) => F.conv2d(x, w, b, { groups: 2, padding: "same" }), [r(1, 4, 4, 5), r(4, 2, 2, 2), r(4)]],
    ["conv2d non-contiguous", (x, w) => F.conv2d(x.transpose(2, 3), w, null, { padding: 1 }), [r(1, 2, 4, 3), r(2, 2, 3, 3)]],
    ["conv2d non-contiguous weight", (x, w) => F.conv2d(x, w.transpose(2, 3), null, { padding: [1, 0], dilation: [2, 1] }), [r(2, 2, 5, 4), r(3, 2, 3, 2)]],
    ["conv2d unbatched", (x, w, b) => F.conv2d(x, w, b, { stride: 2 }), [r(2, 5, 5), r(2, 2, 3, 3), r(2)]],
    ["conv1d", (x, w, b) => F.conv1d(x, w, b, { stride: 2, padding: 1 }), [r(2, 2, 7), r(3, 2, 3), r(3)]],
    ["convTranspose2d", (x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }), [r(1, 4, 3, 3), r(4, 1, 3, 2), r(2)]],
    ["convTranspose1d", (x, w, b) => F.convTranspose1d(x, w, b, { stride: 3, dilation: 2 }), [r(2, 2, 4), r(2, 3, 2), r(3)]],
    ["pad reflect 2d", (x) => F.pad(x, [1, 2, 2, 0], { mode: "reflect" }), [r(1, 2, 3, 4)]],
    ["pad replicate 1d", (x) => F.pad(x, [3, 1], { mode: "replicate" }), [r(2, 2, 3)]],
    ["pad circular 2d", (x) => F.pad(x, [1, 2, 2, 1], { mode: "circular" }), [r(1, 1, 3, 3)]],
    ["pad constant", (x) => F.pad(x, [1, -1, 2, 0], { value: 2 }), [r(2, 3, 3)]],
    ["unfold", (x) => F.unfold(x, [2, 3], { padding: 1, stride: 2 }), [r(1, 2, 4, 5)]],
    ["fold", (x) => F.fold(x, [4, 5], 2, { padding: 1, stride: 2 }), [r(2, 8, 9)]],
  ];
  for (const [name, fn, inputs] of checks) it(name, () => assert.equal(gradcheck(fn, inputs, { name }), true));
});

describe("convolution properties", () => {
  it("a 1x1 convolution is a matrix product over channels", () => {
    torch.manualSeed(1);
    const x = torch.randn([2, 5, 3, 4], { dtype: torch.float64 });
    const w = torch.randn([6, 5, 1, 1], { dtype: torch.float64 });
    const y = F.conv2d(x, w);
    const want = torch.matmul(w.reshape([6, 5]), x.reshape([2, 5, 12])).reshape([2, 6, 3, 4]);
    assert.ok(y.sub(want).abs().max().item() < 1e-12);
  });
  it("fold of unfold multiplies each pixel by how many blocks cover it", () => {
    const x = torch.ones([1, 1, 3, 3], { dtype: torch.float64 });
    const y = F.fold(F.unfold(x, 2), [3, 3], 2);
    assert.deepEqual(Array.from(y.reshape([-1]).values() as Float64Array), [1, 2, 1, 2, 4, 2, 1, 2, 1]);
  });
  it("a conv of a double input and a float weight is refused", () => {
    assert.throws(() => F.conv2d(torch.randn([1, 1, 3, 3], { dtype: torch.float64 }), torch.randn([1, 1, 2, 2])), /expected scalar type Double but found Float/);
  });
});
