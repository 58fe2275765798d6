// The convolution and pooling mappings (Conv, MaxPool, AveragePool, GlobalAveragePool), checked
// before kindling's own conv/pool ops land on this branch: stand-ins with the API.md signatures,
// built from existing ops, report to the tracer exactly as the real F.conv2d etc. are to report
// (src/onnx/README.md), and ONNX Runtime's Conv/MaxPool/AveragePool must give their values.
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { nn, type Tensor } from "../../src/index.js";
import { tracer } from "../../src/ops/trace.js";
import { assertSameOutput, runOnnx, skip } from "./ort.js";

type Size = number | number[];
interface ConvOptions {
  stride?: Size;
  padding?: Size | "same" | "valid";
  dilation?: Size;
  groups?: number;
}
const pair = (v: Size | undefined, d: number): [number, number] => (v === undefined ? [d, d] : typeof v === "number" ? [v, v] : [v[0], v[1]]);

/** Windows of a padded [N, C, H, W] input: [N, C, kh*kw, Ho, Wo]. */
function windows(xp: Tensor, k: [number, number], s: [number, number], d: [number, number]): Tensor {
  const ho = Math.floor((xp.shape[2] - d[0] * (k[0] - 1) - 1) / s[0]) + 1;
  const wo = Math.floor((xp.shape[3] - d[1] * (k[1] - 1) - 1) / s[1]) + 1;
  const parts: Tensor[] = [];
  for (let i = 0; i < k[0]; i++) {
    for (let j = 0; j < k[1]; j++) {
      parts.push(xp.index(null, null, { start: i * d[0], end: i * d[0] + (ho - 1) * s[0] + 1, step: s[0] }, { start: j * d[1], end: j * d[1] + (wo - 1) * s[1] + 1, step: s[1] }));
    }
  }
  return torch.stack(parts, 2);
}

function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("conv2d", conv2d, [input, weight, bias, opts]);
  const k: [number, number] = [weight.shape[2], weight.shape[3]];
  const s = pair(opts.stride as Size | undefined, 1);
  const d = pair(opts.dilation, 1);
  let pads: number[]; // F.pad order: [left, right, top, bottom]
  if (opts.padding === "same") {
    const th = d[0] * (k[0] - 1);
    const tw = d[1] * (k[1] - 1);
    pads = [Math.floor(tw / 2), tw - Math.floor(tw / 2), Math.floor(th / 2), th - Math.floor(th / 2)];
  } else {
    const p = opts.padding === "valid" ? [0, 0] : pair(opts.padding as Size | undefined, 0);
    pads = [p[1], p[1], p[0], p[0]];
  }
  const cols = windows(nn.functional.pad(input, pads), k, s, d); // [N, C, K, Ho, Wo]
  const [n, c, kk, ho, wo] = cols.shape;
  const g = opts.groups ?? 1;
  const outs: Tensor[] = [];
  for (let gi = 0; gi < g; gi++) {
    const cg = c / g;
    const og = weight.shape[0] / g;
    const x = cols.narrow(1, gi * cg, cg).reshape(n, cg * kk, ho * wo);
    const w = weight.narrow(0, gi * og, og).reshape(og, cg * kk);
    outs.push(w.matmul(x));
  }
  const y = torch.cat(outs, 1).reshape(n, weight.shape[0], ho, wo);
  return bias ? y.add(bias.reshape(1, -1, 1, 1)) : y;
}

function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("conv1d", conv1d, [input, weight, bias, opts]);
  const one = (v: Size | undefined, dflt: number) => [1, typeof v === "number" ? v : (v?.[0] ?? dflt)];
  const padding = typeof opts.padding === "string" ? opts.padding : [0, typeof opts.padding === "number" ? opts.padding : (opts.padding?.[0] ?? 0)];
  return conv2d(input.unsqueeze(2), weight.unsqueeze(2), bias, { stride: one(opts.stride as Size | undefined, 1), dilation: one(opts.dilation, 1), padding, groups: opts.groups }).squeeze(2);
}

interface PoolOptions {
  stride?: Size;
  padding?: Size;
  dilation?: Size;
  ceilMode?: boolean;
  countIncludePad?: boolean;
}
function maxPool2d(input: Tensor, kernelSize: Size, opts: PoolOptions = {}): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("maxPool2d", maxPool2d, [input, kernelSize, opts]);
  const k = pair(kernelSize, 1);
  const p = pair(opts.padding, 0);
  const xp = nn.functional.pad(input, [p[1], p[1], p[0], p[0]], { value: Number.NEGATIVE_INFINITY });
  return windows(xp, k, pair(opts.stride ?? kernelSize, 1), pair(opts.dilation, 1)).amax(2);
}
function avgPool2d(input: Tensor, kernelSize: Size, opts: PoolOptions = {}): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("avgPool2d", avgPool2d, [input, kernelSize, opts]);
  const k = pair(kernelSize, 1);
  const p = pair(opts.padding, 0);
  const s = pair(opts.stride ?? kernelSize, 1);
  const pads = [p[1], p[1], p[0], p[0]];
  const sums = windows(nn.functional.pad(input, pads), k, s, [1, 1]).sum(2);
  if (opts.countIncludePad ?? true) return sums.div(k[0] * k[1]);
  const counts = windows(nn.functional.pad(torch.onesLike(input), pads), k, s, [1, 1]).sum(2);
  return sums.div(counts);
}
function maxPool1d(input: Tensor, kernelSize: number, opts: { stride?: number; padding?: number; dilation?: number } = {}): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("maxPool1d", maxPool1d, [input, kernelSize, opts]);
  return maxPool2d(input.unsqueeze(2), [1, kernelSize], { stride: [1, opts.stride ?? kernelSize], padding: [0, opts.padding ?? 0], dilation: [1, opts.dilation ?? 1] }).squeeze(2);
}
function avgPool1d(input: Tensor, kernelSize: number, opts: { stride?: number; padding?: number; countIncludePad?: boolean } = {}): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("avgPool1d", avgPool1d, [input, kernelSize, opts]);
  return avgPool2d(input.unsqueeze(2), [1, kernelSize], { stride: [1, opts.stride ?? kernelSize], padding: [0, opts.padding ?? 0], countIncludePad: opts.countIncludePad }).squeeze(2);
}
function adaptiveAvgPool2d(input: Tensor, outputSize: Size): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("adaptiveAvgPool2d", adaptiveAvgPool2d, [input, outputSize]);
  const [oh, ow] = pair(outputSize, 1);
  const [h, w] = input.shape.slice(2);
  if (oh === 1 && ow === 1) return input.mean([2, 3], { keepdim: true });
  return avgPool2d(input, [h / oh, w / ow]);
}
function adaptiveAvgPool1d(input: Tensor, outputSize: number): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("adaptiveAvgPool1d", adaptiveAvgPool1d, [input, outputSize]);
  return adaptiveAvgPool2d(input.unsqueeze(2), [1, outputSize]).squeeze(2);
}

const param = (...shape: number[]) => new nn.Parameter(torch.randn(shape).mul(0.3));

class SmallCnn extends nn.Module {
  w1 = param(6, 2, 3, 3);
  b1 = param(6);
  w2 = param(6, 3, 3, 3); // groups 2
  w3 = param(4, 6, 1, 1);
  b3 = param(4);
  fc = new nn.Linear(4 * 2 * 2 + 4, 3);
  override forward(x: Tensor): Tensor {
    // x: [B, 2, 12, 12]
    let h = conv2d(x, this.w1, this.b1, { stride: 1, padding: 1 }).relu(); // [B, 6, 12, 12]
    h = maxPool2d(h, 2); // [B, 6, 6, 6]
    h = conv2d(h, this.w2, null, { padding: "same", dilation: 2, groups: 2 }).tanh(); // [B, 6, 6, 6]
    h = avgPool2d(h, 3, { stride: 1, padding: 1, countIncludePad: false }); // [B, 6, 6, 6]
    h = maxPool2d(h, [3, 2], { stride: [2, 2], padding: [1, 0], dilation: [1, 2] }); // [B, 6, 3, 2]
    const g = conv2d(h, this.w3, this.b3, { stride: [1, 1], padding: "valid" }); // [B, 4, 3, 2]
    const pooled = adaptiveAvgPool2d(g.narrow(2, 0, 2), [2, 2]).flatten(1); // [B, 16]
    const global = adaptiveAvgPool2d(g, 1).flatten(1); // [B, 4]
    return this.fc.call(torch.cat([pooled, global], 1));
  }
}

test("Conv, MaxPool, AveragePool and GlobalAveragePool mappings agree with 2-d stand-ins at several batch sizes", { skip }, async () => {
  torch.manualSeed(20);
  const model = new SmallCnn();
  model.eval();
  const bytes = torch.onnx.exportBuffer(model, torch.randn(3, 2, 12, 12), { dynamicAxes: { input: { 0: "batch" } } });
  for (const b of [1, 4]) {
    const x = torch.randn(b, 2, 12, 12);
    const got = await runOnnx(bytes, { input: x });
    assertSameOutput(got.output, torch.noGrad(() => model.forward(x)), `SmallCnn batch ${b}`);
  }
});

class SignalNet extends nn.Module {
  w1 = param(4, 3, 5);
  b1 = param(4);
  w2 = param(4, 2, 3);
  override forward(x: Tensor): Tensor {
    // x: [B, 3, 32]
    let h = conv1d(x, this.w1, this.b1, { stride: 2, padding: 2 }).relu(); // [B, 4, 16]
    h = maxPool1d(h, 2); // [B, 4, 8]
    h = conv1d(h, this.w2, null, { padding: "same", groups: 2, dilation: 2 }); // [B, 4, 8]
    h = avgPool1d(h, 3, { stride: 1, padding: 1 }); // [B, 4, 8]
    return adaptiveAvgPool1d(h, 4).flatten(1); // [B, 16]
  }
}

test("1-d convolution and pooling mappings agree with stand-ins", { skip }, async () => {
  torch.manualSeed(21);
  const model = new SignalNet();
  const bytes = torch.onnx.exportBuffer(model, torch.randn(2, 3, 32), { dynamicAxes: { input: { 0: "batch" } } });
  for (const b of [1, 5]) {
    const x = torch.randn(b, 3, 32);
    const got = await runOnnx(bytes, { input: x });
    assertSameOutput(got.output, torch.noGrad(() => model.forward(x)), `SignalNet batch ${b}`);
  }
});

// Stand-ins for the attention branch's torch.triu / torch.tril / x.repeat (API.md signatures).
function triu(x: Tensor, diagonal = 0): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("triu", triu, [x, diagonal]);
  const [r, n] = x.shape.slice(-2);
  const rows = torch.arange(r).unsqueeze(1);
  const cols = torch.arange(n).unsqueeze(0);
  return torch.where(cols.sub(rows).ge(diagonal), x, torch.zerosLike(x));
}
function tril(x: Tensor, diagonal = 0): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("tril", tril, [x, diagonal]);
  const [r, n] = x.shape.slice(-2);
  const rows = torch.arange(r).unsqueeze(1);
  const cols = torch.arange(n).unsqueeze(0);
  return torch.where(cols.sub(rows).le(diagonal), x, torch.zerosLike(x));
}
function repeat(x: Tensor, ...sizes: number[]): Tensor {
  if (tracer !== null && tracer.depth === 0) return tracer.call("repeat", repeat, [x, ...sizes]);
  let y = x.reshape([...Array(sizes.length - x.dim()).fill(1), ...x.shape]);
  sizes.forEach((s, d) => {
    y = torch.cat(Array(s).fill(y), d);
  });
  return y;
}

class Masks extends nn.Module {
  override forward(x: Tensor): Tensor {
    // x: [B, 4, 5]
    const scores = triu(x, 1).add(tril(x, -1).mul(2)).add(triu(x));
    return repeat(scores, 1, 2, 1).add(repeat(x.select(0, 0), 1, 2, 1)).flatten(1);
  }
}

test("Trilu (and its opset-13 form) and Tile mappings agree with stand-ins for triu, tril and repeat", { skip }, async () => {
  torch.manualSeed(22);
  const model = new Masks();
  for (const opsetVersion of [13, 17]) {
    const bytes = torch.onnx.exportBuffer(model, torch.randn(3, 4, 5), { opsetVersion });
    const x = torch.randn(3, 4, 5);
    const got = await runOnnx(bytes, { input: x });
    assertSameOutput(got.output, torch.noGrad(() => model.forward(x)), `Masks opset ${opsetVersion}`);
  }
});
