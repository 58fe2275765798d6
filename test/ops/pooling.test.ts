// Pooling, unpooling, interpolation and pixel shuffle against PyTorch 1.13
// (test/fixtures/pooling, written by scripts/fixtures/pooling.py): outputs, indices (exactly),
// grad_fn names and input gradients in float32 and float64, on contiguous and non-contiguous
// inputs; module reprs; error messages. Finite-difference gradchecks in float64 follow.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { F, nn } from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { gradcheck, gradgradcheck } from "../helpers/gradcheck.js";
import { assertClose, fromDump, type TDump } from "../nn/fixture.js";
import { callF, caseInput, loadAreaFixture } from "../nn/vision-fixture.js";

interface Case {
  op: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  noncontiguous: boolean;
  dtype: string;
  input: TDump;
  indices?: TDump;
  outputs: TDump[];
  upstream: TDump;
  gradFn: string;
  inputGrad: TDump;
}

const cases = loadAreaFixture<Case[]>("pooling", "cases");

/**
 * Forwards that reproduce PyTorch's bits: every pooling op, nearest/area resampling, pixel
 * shuffle, and linear/bilinear in float64 (float32 linear and bicubic agree to rounding).
 */
function exactForward(c: Case): boolean {
  if (c.op !== "interpolate") return true;
  const mode = (c.kwargs.mode as string | undefined) ?? "nearest";
  if (mode === "nearest" || mode === "nearest-exact" || mode === "area") return true;
  return c.dtype === "float64" && (mode === "linear" || mode === "bilinear");
}

test("pooling fixtures: forward, indices, gradFn and input gradient", () => {
  assert.ok(cases.length > 90);
  for (const c of cases) {
    const what = `${c.op}(${JSON.stringify(c.args)}, ${JSON.stringify(c.kwargs)}) ${c.dtype}${c.noncontiguous ? " non-contiguous" : ""}`;
    const x = caseInput(c.input, c.noncontiguous).requiresGrad_();
    if (c.noncontiguous) assert.ok(!x.isContiguous(), `${what}: input should be non-contiguous`);
    const extra = c.indices ? [fromDump(c.indices)] : [];
    const res = callF(c.op, x, c.args, c.kwargs, extra);
    const outs = Array.isArray(res) ? (res as Tensor[]) : [res as Tensor];
    assert.equal(outs.length, c.outputs.length, `${what}: number of outputs`);
    assertClose(outs[0], c.outputs[0], exactForward(c) ? "exact" : c.dtype, `${what} output`);
    if (outs.length > 1) {
      assert.equal(outs[1].dtype, torch.int64, `${what}: indices dtype`);
      assertClose(outs[1], c.outputs[1], "exact", `${what} indices`);
    }
    assert.equal(outs[0].gradFn?.name, c.gradFn, `${what}: gradFn`);
    outs[0].mul(fromDump(c.upstream)).sum().backward();
    assertClose(x.grad, c.inputGrad, c.dtype, `${what} input grad`);
  }
});

const REPRS: Record<string, () => nn.Module> = {
  "MaxPool2d(2)": () => new nn.MaxPool2d(2),
  "MaxPool2d((2,3),stride=1,padding=1,dilation=2,ceil_mode=True)": () => new nn.MaxPool2d([2, 3], { stride: 1, padding: 1, dilation: 2, ceilMode: true }),
  "MaxPool2d(3,2,1,return_indices=True)": () => new nn.MaxPool2d(3, 2, 1, 1, true),
  "MaxPool1d(3)": () => new nn.MaxPool1d(3),
  "MaxPool1d(3,stride=2,padding=1)": () => new nn.MaxPool1d(3, { stride: 2, padding: 1 }),
  "AvgPool2d(2)": () => new nn.AvgPool2d(2),
  "AvgPool2d(3,stride=2,padding=1,ceil_mode=True,count_include_pad=False,divisor_override=2)": () =>
    new nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false, divisorOverride: 2 }),
  "AvgPool2d((3,2),stride=(2,1))": () => new nn.AvgPool2d([3, 2], [2, 1]),
  "AvgPool1d(2)": () => new nn.AvgPool1d(2),
  "AvgPool1d(3,stride=2,padding=1)": () => new nn.AvgPool1d(3, { stride: 2, padding: 1 }),
  "AdaptiveAvgPool2d((2,2))": () => new nn.AdaptiveAvgPool2d([2, 2]),
  "AdaptiveAvgPool2d(1)": () => new nn.AdaptiveAvgPool2d(1),
  "AdaptiveAvgPool2d((None,3))": () => new nn.AdaptiveAvgPool2d([null, 3]),
  "AdaptiveAvgPool1d(4)": () => new nn.AdaptiveAvgPool1d(4),
  "AdaptiveMaxPool2d((3,2))": () => new nn.AdaptiveMaxPool2d([3, 2]),
  "AdaptiveMaxPool2d(2,return_indices=True)": () => new nn.AdaptiveMaxPool2d(2, { returnIndices: true }),
  "AdaptiveMaxPool1d(3)": () => new nn.AdaptiveMaxPool1d(3),
  "MaxUnpool2d(2)": () => new nn.MaxUnpool2d(2),
  "MaxUnpool2d((2,3),stride=1,padding=1)": () => new nn.MaxUnpool2d([2, 3], { stride: 1, padding: 1 }),
  "Upsample(scale_factor=2)": () => new nn.Upsample({ scaleFactor: 2 }),
  "Upsample(size=(4,5),mode=bilinear,align_corners=True)": () => new nn.Upsample({ size: [4, 5], mode: "bilinear", alignCorners: true }),
  "Upsample(size=4)": () => new nn.Upsample({ size: 4 }),
  "Upsample(scale_factor=(1.5,2),mode=bicubic)": () => new nn.Upsample({ scaleFactor: [1.5, 2], mode: "bicubic" }),
  "PixelShuffle(2)": () => new nn.PixelShuffle(2),
  "PixelUnshuffle(3)": () => new nn.PixelUnshuffle(3),
};

test("pooling module reprs equal PyTorch's", () => {
  const want = loadAreaFixture<Record<string, string>>("pooling", "reprs");
  assert.deepEqual(Object.keys(REPRS).sort(), Object.keys(want).sort());
  for (const [name, make] of Object.entries(REPRS)) assert.equal(make().toString(), want[name], name);
});

test("pooling modules run their functional forms", () => {
  torch.manualSeed(3);
  const x = torch.randn(2, 3, 7, 6);
  const close = (a: Tensor, b: Tensor) => assertClose(a, Array.from(b.contiguous().values(), Number), "exact", "module");
  close(new nn.MaxPool2d(3, { stride: 2, padding: 1 }).forward(x), F.maxPool2d(x, 3, 2, 1));
  close(new nn.AvgPool2d(3, { stride: 2, countIncludePad: false, padding: 1 }).forward(x), F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }));
  close(new nn.AdaptiveAvgPool2d([2, null]).forward(x), F.adaptiveAvgPool2d(x, [2, 6]));
  const [o, i] = new nn.MaxPool2d(2, { returnIndices: true }).forward(x) as unknown as [Tensor, Tensor];
  close(new nn.MaxUnpool2d(2).forward(o, i, [7, 6]), F.maxUnpool2d(o, i, 2, { outputSize: [7, 6] }));
  const x1 = torch.randn(2, 3, 9);
  close(new nn.MaxPool1d(2).forward(x1), F.maxPool1d(x1, 2));
  close(new nn.AvgPool1d(3, 2).forward(x1), F.avgPool1d(x1, 3, 2));
  close(new nn.AdaptiveMaxPool1d(4).forward(x1), F.adaptiveMaxPool1d(x1, 4));
  close(new nn.AdaptiveAvgPool1d(4).forward(x1), F.adaptiveAvgPool1d(x1, 4));
  close(new nn.Upsample({ scaleFactor: 2, mode: "bilinear" }).forward(x), F.interpolate(x, { scaleFactor: 2, mode: "bilinear", alignCorners: false }));
  // A max-pool output with no gradient may be empty, as PyTorch's own 1-D kernel allows.
  assert.deepEqual(F.maxPool1d(torch.randn(1, 3, 2), 3).shape, [1, 3, 0]);
});

const ERRORS: Record<string, () => unknown> = {
  "max_pool2d pad": () => F.maxPool2d(torch.randn(2, 3, 4, 4), 2, { padding: 2 }),
  "max_pool2d too small": () => F.maxPool2d(torch.randn(1, 3, 2, 2), 3),
  "max_pool2d 2-D": () => F.maxPool2d(torch.randn(3, 4), 2),
  "max_pool2d stride 0": () => F.maxPool2d(torch.randn(2, 3, 4, 4), 2, { stride: 0 }),
  "max_pool2d kernel 0": () => F.maxPool2d(torch.randn(2, 3, 4, 4), 0, { stride: 1 }),
  "max_pool2d negative pad": () => F.maxPool2d(torch.randn(2, 3, 4, 4), 2, { padding: -1 }),
  "max_pool2d dilation 0": () => F.maxPool2d(torch.randn(2, 3, 4, 4), 2, { dilation: 0 }),
  "max_pool1d 4-D": () => F.maxPool1d(torch.randn(1, 3, 4, 4), 2),
  "max_pool1d pad": () => F.maxPool1d(torch.randn(1, 3, 8), 2, { padding: 2 }),
  "max_pool1d too small with indices": () => F.maxPool1d(torch.randn(1, 3, 2), 3, { returnIndices: true }),
  "avg_pool2d pad": () => F.avgPool2d(torch.randn(2, 3, 4, 4), 2, { padding: 2 }),
  "avg_pool2d too small": () => F.avgPool2d(torch.randn(1, 3, 2, 2), 3),
  "avg_pool2d divisor 0": () => F.avgPool2d(torch.randn(2, 3, 4, 4), 2, { divisorOverride: 0 }),
  "avg_pool1d too small": () => F.avgPool1d(torch.randn(1, 3, 2), 3),
  "adaptive_avg_pool2d 2-D": () => F.adaptiveAvgPool2d(torch.randn(3, 4), 2),
  "adaptive_avg_pool2d 3 sizes": () => F.adaptiveAvgPool2d(torch.randn(2, 3, 4, 4), [2, 2, 2]),
  "adaptive_avg_pool2d negative": () => F.adaptiveAvgPool2d(torch.randn(2, 3, 4, 4), [-1, 2]),
  "adaptive_avg_pool1d 4-D": () => F.adaptiveAvgPool1d(torch.randn(1, 3, 4, 4), 2),
  "adaptive_max_pool2d 2-D": () => F.adaptiveMaxPool2d(torch.randn(3, 4), 2),
  "adaptive_max_pool1d 4-D": () => F.adaptiveMaxPool1d(torch.randn(1, 3, 4, 4), 2),
  "max_unpool2d indices shape": () => F.maxUnpool2d(torch.randn(2, 3, 2, 2), torch.zeros([2, 2, 2, 2], { dtype: torch.int64 }), 2),
  "max_unpool2d bad index": () => F.maxUnpool2d(torch.randn(1, 1, 2, 2), torch.full([1, 1, 2, 2], 1000, { dtype: torch.int64 }), 2),
  "max_unpool2d output_size": () => F.maxUnpool2d(torch.randn(1, 1, 2, 2), torch.zeros([1, 1, 2, 2], { dtype: torch.int64 }), 2, { outputSize: [9, 9] }),
  "max_unpool2d float indices": () => F.maxUnpool2d(torch.randn(1, 3, 2, 2), torch.zeros(1, 3, 2, 2), 2),
  "interpolate size and scale": () => F.interpolate(torch.randn(2, 3, 4, 4), { size: 4, scaleFactor: 2 }),
  "interpolate neither": () => F.interpolate(torch.randn(2, 3, 4, 4)),
  "interpolate align_corners nearest": () => F.interpolate(torch.randn(2, 3, 4, 4), { scaleFactor: 2, alignCorners: true }),
  "interpolate linear 4-D": () => F.interpolate(torch.randn(2, 3, 4, 4), { scaleFactor: 2, mode: "linear" }),
  "interpolate bilinear 3-D": () => F.interpolate(torch.randn(1, 2, 3), { scaleFactor: 2, mode: "bilinear" }),
  "interpolate size length": () => F.interpolate(torch.randn(2, 3, 4, 4), { size: [2, 3, 4] }),
  "interpolate scale length": () => F.interpolate(torch.randn(2, 3, 4, 4), { scaleFactor: [2, 3, 4] }),
  "interpolate recompute with size": () => F.interpolate(torch.randn(2, 3, 4, 4), { size: 3, recomputeScaleFactor: true }),
  "pixel_shuffle channels": () => F.pixelShuffle(torch.randn(1, 3, 2, 2), 2),
  "pixel_shuffle 2-D": () => F.pixelShuffle(torch.randn(3, 2), 2),
  "pixel_unshuffle height": () => F.pixelUnshuffle(torch.randn(1, 3, 3, 4), 2),
};

test("pooling errors carry PyTorch's messages", () => {
  const want = loadAreaFixture<Record<string, string>>("pooling", "errors");
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
  return torch.randn(shape, f64).mul(1.5).requiresGrad_();
}
// Distinct, well-separated values so that finite differences never cross a max-pool tie.
function spread(...shape: number[]): Tensor {
  const n = shape.reduce((p, q) => p * q, 1);
  return torch.randperm(n).to(torch.float64).mul(0.37).reshape(shape).requiresGrad_();
}

const UNPOOL_INDICES = torch.tensor([[[[0n, 3n], [9n, 14n]], [[5n, 2n], [8n, 15n]]]]);

const GRADCHECKS: Array<[string, (x: Tensor) => Tensor, () => Tensor]> = [
  ["maxPool2d", (x) => F.maxPool2d(x, 3, { stride: 2, padding: 1, dilation: 1, ceilMode: true }), () => spread(2, 2, 5, 6)],
  ["maxPool2d dilation", (x) => F.maxPool2d(x, 2, { stride: 1, dilation: 2 }), () => spread(1, 2, 5, 5)],
  ["maxPool2d non-contiguous", (x) => F.maxPool2d(x.transpose(-1, -2), 2), () => spread(2, 3, 4, 4)],
  ["maxPool1d", (x) => F.maxPool1d(x, 3, { stride: 2, padding: 1 }), () => spread(2, 2, 7)],
  ["avgPool2d", (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), () => randn(2, 2, 5, 6)],
  ["avgPool2d divisor", (x) => F.avgPool2d(x, 2, { stride: 1, divisorOverride: 3 }), () => randn(2, 4, 4)],
  ["avgPool1d", (x) => F.avgPool1d(x, 3, { stride: 2, padding: 1 }), () => randn(2, 2, 7)],
  ["adaptiveAvgPool2d", (x) => F.adaptiveAvgPool2d(x, [3, 2]), () => randn(2, 2, 5, 7)],
  ["adaptiveAvgPool1d", (x) => F.adaptiveAvgPool1d(x, 3), () => randn(2, 2, 7)],
  ["adaptiveMaxPool2d", (x) => F.adaptiveMaxPool2d(x, [3, 2]), () => spread(2, 2, 5, 7)],
  ["adaptiveMaxPool1d", (x) => F.adaptiveMaxPool1d(x, 3), () => spread(2, 2, 7)],
  ["maxUnpool2d", (x) => F.maxUnpool2d(x, UNPOOL_INDICES, 2), () => randn(1, 2, 2, 2)],
  ["interpolate nearest", (x) => F.interpolate(x, { scaleFactor: 1.5 }), () => randn(1, 2, 3, 4)],
  ["interpolate linear", (x) => F.interpolate(x, { size: 7, mode: "linear" }), () => randn(2, 2, 4)],
  ["interpolate bilinear", (x) => F.interpolate(x, { size: [5, 3], mode: "bilinear", alignCorners: true }), () => randn(1, 2, 3, 4)],
  ["interpolate bicubic", (x) => F.interpolate(x, { scaleFactor: 2, mode: "bicubic" }), () => randn(1, 2, 3, 3)],
  ["pixelShuffle", (x) => F.pixelShuffle(x, 2), () => randn(1, 8, 2, 3)],
  ["pixelUnshuffle", (x) => F.pixelUnshuffle(x, 2), () => randn(1, 2, 4, 2)],
];

for (const [name, fn, make] of GRADCHECKS) {
  test(`gradcheck ${name}`, () => {
    torch.manualSeed(7);
    assert.ok(gradcheck(fn, [make()], { name }));
  });
}

test("gradgradcheck: pooling and interpolation backwards are differentiable under createGraph", () => {
  torch.manualSeed(8);
  const cases: Array<[string, (x: Tensor) => Tensor, Tensor]> = [
    ["maxPool2d", (x) => F.maxPool2d(x, 2, { stride: 1 }), spread(1, 2, 3, 4)],
    ["adaptiveMaxPool2d", (x) => F.adaptiveMaxPool2d(x, [2, 3]), spread(1, 2, 3, 4)],
    ["avgPool2d", (x) => F.avgPool2d(x, 2, { stride: 1, padding: 1, countIncludePad: false }), randn(1, 2, 3, 3)],
    ["adaptiveAvgPool2d", (x) => F.adaptiveAvgPool2d(x, [2, 3]), randn(1, 2, 3, 4)],
    ["maxUnpool2d", (x) => F.maxUnpool2d(x, UNPOOL_INDICES, 2), randn(1, 2, 2, 2)],
    ["interpolate bilinear", (x) => F.interpolate(x, { size: [4, 3], mode: "bilinear" }), randn(1, 1, 3, 2)],
    ["interpolate nearest 1-d", (x) => F.interpolate(x, { scaleFactor: 2 }), randn(1, 2, 3)],
  ];
  // Each backward is linear in the incoming gradient: products with x make the second derivative non-trivial.
  for (const [name, fn, x] of cases) assert.ok(gradgradcheck((t) => fn(t).mul(fn(t)), [x], { name }));
});
