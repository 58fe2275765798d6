// Convolutional models built from kindling's own modules (Conv1d/2d, ConvTranspose1d/2d, BatchNorm,
// GroupNorm, InstanceNorm, max/avg/adaptive pooling, Upsample / F.interpolate, Flatten) export and
// run in ONNX Runtime with kindling's outputs (float32, 1e-5) at several batch sizes, the batch dim
// dynamic.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { nn, type Tensor } from "../../src/index.js";
import { checkExport, runOnnx, skip } from "./ort.js";

const batchAxis = { dynamicAxes: { input: { 0: "batch" } } };

/** A few training-mode forwards so batch norms hold non-trivial running statistics. */
function warmUp(model: nn.Module, input: () => Tensor): void {
  model.train();
  torch.noGrad(() => {
    for (let i = 0; i < 3; i++) model.forward(input());
  });
  model.eval();
}

class LeNet extends nn.Module {
  features = new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }),
    new nn.BatchNorm2d(6),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(6, 16, 5),
    new nn.BatchNorm2d(16),
    new nn.ReLU(),
    new nn.AvgPool2d(2),
  );
  classifier = new nn.Sequential(new nn.Flatten(), new nn.Linear(16 * 2 * 2, 32), new nn.ReLU(), new nn.Dropout(0.5), new nn.Linear(32, 10), new nn.LogSoftmax(1));
  override forward(x: Tensor): Tensor {
    return this.classifier.call(this.features.call(x));
  }
}

test("a LeNet-style CNN (Conv2d, BatchNorm2d, MaxPool2d, AvgPool2d, Flatten, Linear) matches at batch 1, 3 and 8", { skip }, async () => {
  torch.manualSeed(40);
  const model = new LeNet();
  warmUp(model, () => torch.randn(8, 1, 16, 16).mul(2).add(0.5));
  const bytes = await checkExport(model, (b) => [torch.randn(b, 1, 16, 16)], batchAxis, [4], [[1], [3], [8]]);
  // The file holds real Conv/BatchNormalization/pooling nodes, not an unrolled composite.
  const text = new TextDecoder("latin1").decode(bytes);
  for (const op of ["Conv", "BatchNormalization", "MaxPool", "AveragePool", "Gemm"]) assert.ok(text.includes(op), op);
});

class Options2d extends nn.Module {
  grouped = new nn.Conv2d(4, 8, 3, { padding: "same", dilation: 2, groups: 2, bias: false });
  reflect = new nn.Conv2d(8, 8, 3, { padding: 1, paddingMode: "reflect" });
  replicate = new nn.Conv2d(8, 6, [3, 1], { stride: [2, 1], padding: [2, 0], paddingMode: "replicate" });
  gn = new nn.GroupNorm(3, 6);
  inorm = new nn.InstanceNorm2d(6, { affine: true });
  maxCeil = new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true });
  avgCeil = new nn.AvgPool2d(3, 2, 0, true, true);
  avgCeilExcl = new nn.AvgPool2d(2, 2, 0, true, false);
  avgPadded = new nn.AvgPool2d(3, 2, 1, true, true);
  adaptive = new nn.AdaptiveAvgPool2d([2, 2]);
  global = new nn.AdaptiveAvgPool2d(1);
  override forward(x: Tensor): Tensor {
    // x: [B, 4, 11, 9]
    let h = this.grouped.call(x).relu(); // [B, 8, 11, 9]
    h = this.reflect.call(h); // [B, 8, 11, 9]
    h = this.replicate.call(h); // [B, 6, 7, 9]
    h = this.inorm.call(this.gn.call(h)); // [B, 6, 7, 9]
    const m = this.maxCeil.call(h); // [B, 6, 4, 5]
    const a = this.avgCeil.call(m); // [B, 6, 2, 2]: the last row of windows hangs over the input
    const e = this.avgCeilExcl.call(h); // [B, 6, 4, 5]: windows hang over in both dims
    const q = this.avgPadded.call(h); // [B, 6, 4, 5]: padding counted, no overhang
    const p = this.adaptive.call(m); // [B, 6, 2, 2] from [4, 5]: windows of unequal size
    return torch.cat([m.flatten(1), a.flatten(1), e.flatten(1), q.flatten(1), p.flatten(1), this.global.call(h).flatten(1)], 1);
  }
}

test("conv options (groups, dilation, 'same', reflect/replicate padding), GroupNorm, InstanceNorm and ceil-mode pooling match at opsets 13, 17 and 18", { skip }, async () => {
  torch.manualSeed(41);
  const model = new Options2d();
  for (const opsetVersion of [13, 17, 18]) await checkExport(model, (b) => [torch.randn(b, 4, 11, 9)], { ...batchAxis, opsetVersion }, [2], [[1], [5]]);
});

class Signal extends nn.Module {
  conv = new nn.Conv1d(3, 8, 5, { stride: 2, padding: 2 });
  bn = new nn.BatchNorm1d(8);
  pool = new nn.MaxPool1d(2);
  conv2 = new nn.Conv1d(8, 8, 3, { groups: 4, padding: 1, paddingMode: "circular" });
  avg = new nn.AvgPool1d(3, 1, 1, false, false);
  inorm = new nn.InstanceNorm1d(8);
  adaptive = new nn.AdaptiveAvgPool1d(4);
  up = new nn.Upsample({ scaleFactor: 2, mode: "linear", alignCorners: false });
  deconv = new nn.ConvTranspose1d(8, 2, 4, { stride: 2, padding: 1 });
  override forward(x: Tensor): Tensor {
    // x: [B, 3, 32]
    let h = this.pool.call(this.bn.call(this.conv.call(x)).relu()); // [B, 8, 8]
    h = this.inorm.call(this.avg.call(this.conv2.call(h))); // [B, 8, 8]
    const a = this.adaptive.call(h).flatten(1); // [B, 32]
    const d = this.deconv.call(this.up.call(h)).flatten(1); // [B, 2, 32] -> [B, 64]
    return torch.cat([a, d], 1);
  }
}

test("a 1-d model (Conv1d with circular padding, BatchNorm1d, MaxPool1d, AvgPool1d, InstanceNorm1d, linear Upsample, ConvTranspose1d) matches", { skip }, async () => {
  torch.manualSeed(42);
  const model = new Signal();
  warmUp(model, () => torch.randn(6, 3, 32));
  await checkExport(model, (b) => [torch.randn(b, 3, 32)], batchAxis, [3], [[1], [4]]);
});

class Decoder extends nn.Module {
  fc = new nn.Linear(8, 16 * 3 * 3);
  up1 = new nn.ConvTranspose2d(16, 8, 3, { stride: 2, padding: 1, outputPadding: 1 }); // 3 -> 6
  bn = new nn.BatchNorm2d(8);
  near = new nn.Upsample({ scaleFactor: 2, mode: "nearest" }); // 6 -> 12
  conv = new nn.Conv2d(8, 4, 3, { padding: 1 });
  bilinear = new nn.Upsample({ size: [17, 20], mode: "bilinear", alignCorners: true });
  up2 = new nn.ConvTranspose2d(4, 3, [2, 3], { stride: [1, 2], groups: 1, dilation: [2, 1] });
  override forward(z: Tensor): Tensor {
    // z: [B, 8] -> image [B, 3, ...]
    let h = this.fc.call(z).view(-1, 16, 3, 3);
    h = this.bn.call(this.up1.call(h)).relu();
    h = this.conv.call(this.near.call(h)).tanh();
    const b = this.bilinear.call(h); // [B, 4, 17, 20]
    const half = nn.functional.interpolate(h, { scaleFactor: 1.5, mode: "bilinear", alignCorners: false }); // [B, 4, 18, 18]
    const exact = nn.functional.interpolate(h, { size: [7, 9], mode: "nearest-exact" });
    const cubic = nn.functional.interpolate(h, { scaleFactor: 0.5, mode: "bicubic", alignCorners: false });
    const area = nn.functional.interpolate(h, { size: [4, 6], mode: "area" });
    return torch.cat([this.up2.call(b).sigmoid().flatten(1), half.flatten(1), exact.flatten(1), cubic.flatten(1), area.flatten(1)], 1);
  }
}

test("a decoder (ConvTranspose2d with outputPadding/dilation, nearest/bilinear/bicubic/area Upsample and F.interpolate) matches at opsets 13, 17 and 18", { skip }, async () => {
  torch.manualSeed(43);
  const model = new Decoder();
  warmUp(model, () => torch.randn(5, 8));
  for (const opsetVersion of [13, 17, 18]) await checkExport(model, (b) => [torch.randn(b, 8)], { ...batchAxis, opsetVersion }, [2], [[1], [3]]);
});

test("unbatched Conv2d / MaxPool2d input ([C, H, W]) exports with the batch dim added and removed around the nodes", { skip }, async () => {
  torch.manualSeed(44);
  const model = new nn.Sequential(new nn.Conv2d(2, 3, 3), new nn.MaxPool2d(2), new nn.ConvTranspose2d(3, 2, 2, { stride: 2 }));
  await checkExport(model, () => [torch.randn(2, 9, 9)], {}, [], [[]]);
});

test("a bad graph fails: ONNX Runtime rejects an input of the wrong channel count for the exported Conv", { skip }, async () => {
  torch.manualSeed(45);
  const model = new nn.Sequential(new nn.Conv2d(3, 4, 3), new nn.ReLU());
  model.eval();
  const bytes = torch.onnx.exportBuffer(model, torch.randn(2, 3, 8, 8), batchAxis);
  await assert.rejects(runOnnx(bytes, { input: torch.randn(2, 5, 8, 8) }));
});
