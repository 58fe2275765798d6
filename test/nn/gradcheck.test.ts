// Finite-difference gradient checks in float64 for every layer, activation and loss (input,
// parameter and, where differentiable, target gradients), with test/helpers/gradcheck.ts.
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { F } from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { gradcheck, gradgradcheck } from "../helpers/gradcheck.js";

const f64 = { dtype: torch.float64 };
function randn(...shape: number[]): Tensor {
  return torch.randn(shape, f64).mul(1.5).requiresGrad_();
}
function probs(...shape: number[]): Tensor {
  return torch.rand(shape, f64).mul(0.8).add(0.1).requiresGrad_();
}
const idx = (v: bigint[]) => torch.tensor(v);

type Case = [string, (...t: Tensor[]) => Tensor, () => Tensor[]];

const ACTIVATIONS: Array<[string, (x: Tensor) => Tensor]> = [
  ["sigmoid", (x) => F.sigmoid(x)],
  ["tanh", (x) => F.tanh(x)],
  ["relu", (x) => F.relu(x)],
  ["leakyRelu", (x) => F.leakyRelu(x, 0.2)],
  ["elu", (x) => F.elu(x, 0.7)],
  ["celu", (x) => F.celu(x, 0.7)],
  ["selu", (x) => F.selu(x)],
  ["threshold", (x) => F.threshold(x, 0.1, 20)],
  ["hardtanh", (x) => F.hardtanh(x, -0.5, 0.7)],
  ["relu6", (x) => F.relu6(x.mul(4))],
  ["gelu", (x) => F.gelu(x)],
  ["gelu tanh", (x) => F.gelu(x, { approximate: "tanh" })],
  ["silu", (x) => F.silu(x)],
  ["mish", (x) => F.mish(x)],
  ["softplus", (x) => F.softplus(x, { beta: 2, threshold: 3 })],
  ["softsign", (x) => F.softsign(x)],
  ["hardsigmoid", (x) => F.hardsigmoid(x.mul(2))],
  ["hardswish", (x) => F.hardswish(x.mul(2))],
  ["logsigmoid", (x) => F.logsigmoid(x)],
  ["tanhshrink", (x) => F.tanhshrink(x)],
  ["hardshrink", (x) => F.hardshrink(x)],
  ["softshrink", (x) => F.softshrink(x)],
  ["softmax", (x) => F.softmax(x, 1)],
  ["softmin", (x) => F.softmin(x, 0)],
  ["logSoftmax", (x) => F.logSoftmax(x, 1)],
  ["dropout eval", (x) => F.dropout(x, { p: 0.3, training: false })],
];

const CASES: Case[] = [
  ...ACTIVATIONS.map(([n, fn]): Case => [n, fn, () => [randn(3, 4)]]),
  ["prelu", (x, w) => F.prelu(x, w), () => [randn(3, 4), randn(4)]],
  ["linear", (x, w, b) => F.linear(x, w, b), () => [randn(4, 3), randn(2, 3), randn(2)]],
  ["linear 3-d no bias", (x, w) => F.linear(x, w), () => [randn(2, 4, 3), randn(2, 3)]],
  ["linear 1-d", (x, w, b) => F.linear(x, w, b), () => [randn(3), randn(2, 3), randn(2)]],
  ["bilinear", (a, b, w, bias) => F.bilinear(a, b, w, bias), () => [randn(3, 2), randn(3, 4), randn(2, 2, 4), randn(2)]],
  ["layerNorm", (x, w, b) => F.layerNorm(x, [2, 3], w, b), () => [randn(2, 2, 3), randn(2, 3), randn(2, 3)]],
  ["layerNorm no affine", (x) => F.layerNorm(x, 4), () => [randn(3, 4)]],
  ["batchNorm train", (x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }), () => [randn(5, 3), randn(3), randn(3)]],
  ["batchNorm train 3-d", (x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }), () => [randn(3, 2, 4), randn(2), randn(2)]],
  [
    "batchNorm eval",
    (x, w, b) => F.batchNorm(x, torch.tensor([0.1, -0.2], f64), torch.tensor([0.5, 2.0], f64), { weight: w, bias: b }),
    () => [randn(4, 2), randn(2), randn(2)],
  ],
  // (padding_idx deliberately zeroes its row's gradient, as PyTorch; the fixtures check that.)
  ["embedding", (w) => F.embedding(idx([0n, 2n, 2n, 1n]).reshape(2, 2), w), () => [randn(4, 3)]],
  ["normalize", (x) => F.normalize(x), () => [randn(3, 4)]],
  ["cosineSimilarity", (a, b) => F.cosineSimilarity(a, b), () => [randn(3, 4), randn(3, 4)]],
  ["pad", (x) => F.pad(x, [1, 2, 0, 1], { value: 0.5 }), () => [randn(2, 3)]],
];

const REDUCTIONS = ["mean", "sum", "none"] as const;
for (const reduction of REDUCTIONS) {
  const r = { reduction };
  CASES.push(
    [`bce ${reduction}`, (x, t) => F.binaryCrossEntropy(x, t, r), () => [probs(3, 2), probs(3, 2)]],
    [`bce weight ${reduction}`, (x, t) => F.binaryCrossEntropy(x, t, { ...r, weight: torch.tensor([0.5, 2], f64) }), () => [probs(3, 2), probs(3, 2)]],
    [`bceWithLogits ${reduction}`, (x, t) => F.binaryCrossEntropyWithLogits(x, t, r), () => [randn(3, 2), probs(3, 2)]],
    [
      `bceWithLogits posWeight ${reduction}`,
      (x, t) => F.binaryCrossEntropyWithLogits(x, t, { ...r, weight: torch.tensor([0.5, 2], f64), posWeight: torch.tensor([3, 0.5], f64) }),
      () => [randn(3, 2), probs(3, 2)],
    ],
    [`mse ${reduction}`, (x, t) => F.mseLoss(x, t, r), () => [randn(3, 2), randn(3, 2)]],
    [`l1 ${reduction}`, (x, t) => F.l1Loss(x, t, r), () => [randn(3, 2), randn(3, 2)]],
    [`huber ${reduction}`, (x, t) => F.huberLoss(x, t, { ...r, delta: 0.8 }), () => [randn(3, 2), randn(3, 2)]],
    [`smoothL1 ${reduction}`, (x, t) => F.smoothL1Loss(x, t, { ...r, beta: 0.8 }), () => [randn(3, 2), randn(3, 2)]],
    [`nll ${reduction}`, (x) => F.nllLoss(x, idx([0n, 2n, -100n, 1n]), { ...r, weight: torch.tensor([1, 2, 0.5], f64) }), () => [randn(4, 3)]],
    [`nll 3-d ${reduction}`, (x) => F.nllLoss(x, idx([0n, 2n, 1n, 1n]).reshape(2, 2), r), () => [randn(2, 3, 2)]],
    [`crossEntropy ${reduction}`, (x) => F.crossEntropy(x, idx([0n, 2n, 1n, 1n]), r), () => [randn(4, 3)]],
    [
      `crossEntropy smoothing ${reduction}`,
      (x) => F.crossEntropy(x, idx([0n, 2n, -100n, 1n]), { ...r, labelSmoothing: 0.2, weight: torch.tensor([1, 2, 0.5], f64) }),
      () => [randn(4, 3)],
    ],
    [`crossEntropy probabilities ${reduction}`, (x, t) => F.crossEntropy(x, t.softmax(1), { ...r, labelSmoothing: 0.1 }), () => [randn(4, 3), randn(4, 3)]],
    [`klDiv ${reduction}`, (x, t) => F.klDiv(x.logSoftmax(1), t.softmax(1), r), () => [randn(3, 4), randn(3, 4)]],
    [`klDiv logTarget ${reduction}`, (x, t) => F.klDiv(x.logSoftmax(1), t.logSoftmax(1), { ...r, logTarget: true }), () => [randn(3, 4), randn(3, 4)]],
  );
}

for (const [name, fn, make] of CASES) {
  test(`gradcheck F.${name}`, () => {
    torch.manualSeed(17);
    gradcheck(fn, make(), { name });
  });
}

// Second derivatives (createGraph) through the fused nodes: losses and normalisations.
const SECOND_ORDER = new Set([
  "layerNorm", "layerNorm no affine", "batchNorm train", "batchNorm train 3-d", "batchNorm eval", "embedding",
  ...REDUCTIONS.flatMap((r) => [`bce ${r}`, `bce weight ${r}`, `bceWithLogits ${r}`, `bceWithLogits posWeight ${r}`, `mse ${r}`, `huber ${r}`, `smoothL1 ${r}`, `nll ${r}`, `nll 3-d ${r}`]),
]);
for (const [name, fn, make] of CASES) {
  if (!SECOND_ORDER.has(name)) continue;
  test(`gradgradcheck F.${name}`, () => {
    torch.manualSeed(17);
    gradgradcheck(fn, make(), { name });
  });
}
