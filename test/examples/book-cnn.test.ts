// The book's CNN chapter code (wikibook/pytorchtrf, examples 8.10-8.20) ported line by line, against
// PyTorch 1.13 (scripts/fixtures/book_cnn.py): a small ResNet of the book's BasicBlock (in-place
// ReLU, `out += shortcut(x)`, an empty Sequential as identity), the book's GradCAM class (hooks on
// layer4[-1].conv2, `output.argmax(axis=1)`, `output.backward(gradient=one_hot, retain_graph=True)`,
// `torch.mean(g, dim=(2, 3), keepdim=True)`) and the class activation map; and the keyword forms
// of the reductions, cat/stack, flatten and backward that such code is written with.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as torch from "../../src/index.js";
import { assertNear, type Dump, loadBookFixture, tensorOf } from "../helpers/book-fixture.js";

const { nn, F } = torch;
type Tensor = torch.Tensor;

interface Fixture {
  cnn: {
    state: Record<string, Dump>;
    input: Dump;
    output: Dump;
    gradCam: Dump;
    gradient: Dump;
    upsampled: Dump;
    classIdx: number;
    cam: Dump;
  };
  keywords: {
    x: Dump;
    maxValues: Dump;
    maxIndices: number[][];
    minValues: Dump;
    minIndices: number[];
    argmaxAxis: number[];
    argminKeepdim: number[][];
    allDim: boolean[];
    anyKeepdims: boolean[][];
    sumAxis: Dump;
    meanDims: Dump;
    cat: Dump;
    stack: Dump;
    flatten: number[];
    gradFirst: Dump;
    gradSecond: Dump;
  };
}

const fixture = loadBookFixture<Fixture>("cnn.json");

class BasicBlock extends nn.Module {
  conv1: InstanceType<typeof nn.Conv2d>;
  bn1: InstanceType<typeof nn.BatchNorm2d>;
  relu: InstanceType<typeof nn.ReLU>;
  conv2: InstanceType<typeof nn.Conv2d>;
  bn2: InstanceType<typeof nn.BatchNorm2d>;
  shortcut: InstanceType<typeof nn.Sequential>;
  constructor(inplanes: number, planes: number, stride = 1) {
    super();
    this.conv1 = new nn.Conv2d(inplanes, planes, 3, { stride, padding: 1, bias: false });
    this.bn1 = new nn.BatchNorm2d(planes);
    this.relu = new nn.ReLU({ inplace: true });
    this.conv2 = new nn.Conv2d(planes, planes, 3, { stride: 1, padding: 1, bias: false });
    this.bn2 = new nn.BatchNorm2d(planes);
    this.shortcut = new nn.Sequential();
    if (stride !== 1 || inplanes !== planes) {
      this.shortcut = new nn.Sequential(new nn.Conv2d(inplanes, planes, 1, { stride, bias: false }), new nn.BatchNorm2d(planes));
    }
  }
  override forward(x: Tensor): Tensor {
    let out = this.conv1.forward(x);
    out = this.bn1.forward(out);
    out = this.relu.forward(out);
    out = this.conv2.forward(out);
    out = this.bn2.forward(out);
    out.add_(this.shortcut.forward(x));
    out = this.relu.forward(out);
    return out;
  }
}

class Net extends nn.Module {
  stem = new nn.Sequential(new nn.Conv2d(3, 4, 3, { padding: 1, bias: false }), new nn.BatchNorm2d(4), new nn.ReLU({ inplace: true }), new nn.MaxPool2d(3, { stride: 2, padding: 1 }));
  layer4 = new nn.Sequential(new BasicBlock(4, 4), new BasicBlock(4, 8, 2));
  avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
  fc = new nn.Linear(8, 5);
  override forward(x: Tensor): Tensor {
    let out = this.layer4.forward(this.stem.forward(x));
    out = this.avgpool.forward(out);
    out = torch.flatten(out, 1);
    return this.fc.forward(out);
  }
}

class GradCAM {
  model: Net;
  featureMap: Tensor | null = null;
  gradient: Tensor | null = null;
  constructor(model: Net, main: string, sub: string) {
    this.model = model.eval();
    this.registerHook(main, sub);
  }
  registerHook(main: string, sub: string): void {
    for (const [name, module] of this.model.namedChildren()) {
      if (name === main) {
        for (const [subName, subModule] of (module as InstanceType<typeof nn.Sequential>).at(-1).namedChildren()) {
          if (subName === sub) {
            subModule.registerForwardHook((_m, _input, output) => {
              this.featureMap = output as Tensor;
            });
            subModule.registerFullBackwardHook((_m, _gradInput, gradOutput) => {
              this.gradient = gradOutput[0];
            });
          }
        }
      }
    }
  }
  call(x: Tensor): Tensor {
    const output = this.model.forward(x);
    const index = output.argmax({ axis: 1 });
    const oneHot = torch.zerosLike(output);
    for (let i = 0; i < output.size(0); i++) oneHot.select(0, i).select(0, index.select(0, i).item()).fill_(1);
    this.model.zeroGrad();
    output.backward({ gradient: oneHot, retainGraph: true });
    assert.ok(this.gradient !== null && this.featureMap !== null, "hooks fired");
    const aK = torch.mean(this.gradient, { dim: [2, 3], keepdim: true });
    const gradCam = torch.sum(aK.mul(this.featureMap), { dim: 1 });
    return torch.relu(gradCam);
  }
}

describe("book: ResNet blocks, CAM and Grad-CAM (examples 8.10-8.20)", () => {
  const want = fixture.cnn;
  torch.manualSeed(0);
  const model = new Net();
  const warm = new torch.Generator().manualSeed(3);
  model.train();
  for (let i = 0; i < 2; i++) model.forward(torch.randn([4, 3, 12, 12], { generator: warm }));
  torch.manualSeed(1);
  const x = torch.randn(2, 3, 12, 12);

  it("draws the same parameters and running statistics as PyTorch", () => {
    const state = model.stateDict();
    for (const [key, dump] of Object.entries(want.state)) assertNear(state[key], dump, key, 1e-5);
    assertNear(x, want.input, "input", 0);
  });

  it("GradCAM's hooks, one-hot backward and weighted feature maps match PyTorch", () => {
    const gc = new GradCAM(model, "layer4", "conv2");
    assertNear(model.forward(x), want.output, "eval output");
    const gradCams = gc.call(x);
    assertNear(gc.gradient as Tensor, want.gradient, "gradient seen by the backward hook");
    assertNear(gradCams, want.gradCam, "grad_cam");
    const up = F.interpolate(gradCams.select(0, 1).unsqueeze(0).unsqueeze(0), { size: [9, 7], mode: "bilinear" }).squeeze();
    assertNear(up, want.upsampled, "interpolated grad_cam");
  });

  it("the class activation map from children()[:-2] and the fc weights of the argmax class", () => {
    const features = new nn.Sequential(...[...model.children()].slice(0, -2));
    const first = x.index({ end: 1 });
    const classIdx = Math.trunc(model.forward(first).argmax().item());
    assert.equal(classIdx, want.classIdx);
    const weights = model.fc.weight.select(0, classIdx).reshape(-1, 1, 1);
    const featuresOutput = features.forward(first).squeeze();
    assertNear(torch.sum(featuresOutput.mul(weights), { dim: 0 }), want.cam, "cam");
  });
});

describe("keyword arguments as one options object, NumPy's axis/keepdims aliases included", () => {
  const k = fixture.keywords;
  const x = tensorOf(k.x);

  it("max/min/argmax/argmin/all/any take { dim, keepdim } (or { axis, keepdims })", () => {
    const [values, indices] = torch.max(x, { dim: 1, keepdim: true });
    assertNear(values, k.maxValues, "max values", 0);
    assert.deepEqual(indices.tolist(), k.maxIndices);
    const byMethod = x.max({ dim: 1, keepdim: true });
    assert.deepEqual(byMethod.indices.tolist(), k.maxIndices);
    assertNear(x.min({ dim: 0 }).values, k.minValues, "min values", 0);
    assert.deepEqual(x.min({ axis: 0 }).indices.tolist(), k.minIndices);
    assert.deepEqual(x.argmax({ axis: 1 }).tolist(), k.argmaxAxis);
    assert.deepEqual(torch.argmax(x, { dim: 1 }).tolist(), k.argmaxAxis);
    assert.deepEqual(torch.argmin(x, { dim: 0, keepdim: true }).tolist(), k.argminKeepdim);
    assert.deepEqual(x.gt(0).all({ dim: 1 }).tolist(), k.allDim);
    assert.deepEqual(x.gt(3).any({ axis: 1, keepdims: true }).tolist(), k.anyKeepdims);
    assertNear(x.sum({ axis: 1, keepdims: true }), k.sumAxis, "sum(axis, keepdims)", 0);
    assertNear(torch.mean(x.reshape(1, 1, 3, 4), { dim: [2, 3], keepdim: true }), k.meanDims, "mean(dim=(2, 3))", 1e-7);
  });

  it("cat/stack take { dim } and flatten { startDim, endDim }", () => {
    assertNear(torch.cat([x, x.index(null, { end: 1 })], { dim: 1 }), k.cat, "cat", 0);
    assertNear(torch.stack([x.select(0, 0), x.select(0, 1)], { axis: 1 }), k.stack, "stack", 0);
    assert.deepEqual(torch.flatten(torch.zeros(2, 3, 4, 5), { startDim: 1, endDim: 2 }).shape, k.flatten);
    assert.deepEqual(torch.zeros(2, 3, 4, 5).flatten({ startDim: 1, endDim: 2 }).shape, k.flatten);
  });

  it("backward({ gradient, retainGraph }) as backward(gradient=g, retain_graph=True)", () => {
    const w = torch.tensor([1.0, -2.0, 0.5], { requiresGrad: true });
    const y = w.mul(w).mul(3);
    const g = torch.tensor([1.0, 0.5, -1.0]);
    y.backward({ gradient: g, retainGraph: true });
    assertNear(w.grad as Tensor, k.gradFirst, "grad after the first backward", 0);
    y.backward({ gradient: g });
    assertNear(w.grad as Tensor, k.gradSecond, "grad after the second backward", 0);
    assert.throws(() => y.backward({ gradient: g }), /backward through the graph a second time/);
  });
});
