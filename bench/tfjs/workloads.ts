// The same workloads in TF.js (run on its cpu or wasm backend). Results are disposed each
// iteration so memory stays flat; the cpu and wasm backends compute eagerly, so no read-back is
// needed for the work to be done.
import * as tf from "@tensorflow/tfjs";
import type { Prepare, Step } from "../harness.js";
import { ATTENTION, CONV, ENCODER, LENET, RECURRENT, RESNET18, RESNET_SMALL, SIZES, TRANSFORMER } from "../spec.js";

const N = 1 << 20;
const randn = (...shape: number[]) => tf.randomNormal(shape, 0, 1, "float32", 0);

function unary(f: (a: tf.Tensor) => tf.Tensor): Prepare {
  return () => {
    const a = randn(N);
    return () => tf.tidy(() => void f(a));
  };
}

function matmul(n: number): Prepare {
  return () => {
    const a = randn(n, n);
    const b = randn(n, n);
    return () => tf.matMul(a, b).dispose();
  };
}

function xorStep(): Step {
  const bits = tf.randomUniform([SIZES.XOR_BATCH, 2], 0, 2, "int32", 0);
  const x = tf.cast(bits, "float32");
  const y = tf.notEqual(bits.slice([0, 0], [-1, 1]), bits.slice([0, 1], [-1, 1])).cast("float32");
  const p = (...shape: number[]) => tf.variable(tf.randomUniform(shape, -0.5, 0.5, "float32", 1));
  const [w1, b1, w2, b2] = [p(2, 2), p(2), p(2, 1), p(1)];
  const opt = tf.train.sgd(0.01);
  return () => {
    const loss = opt.minimize(() => {
      const h = tf.sigmoid(tf.add(tf.matMul(x, w1), b1));
      const out = tf.sigmoid(tf.add(tf.matMul(h, w2), b2));
      return tf.neg(tf.mean(tf.add(tf.mul(y, tf.log(out)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, out)))))) as tf.Scalar;
    }, true);
    loss?.dispose();
  };
}

function mlpStep(): Step {
  const x = randn(SIZES.MLP_BATCH, 784);
  const labels = tf.oneHot(tf.randomUniform([SIZES.MLP_BATCH], 0, 10, "int32", 0), 10);
  const init = (inp: number, out: number) => tf.variable(tf.randomUniform([inp, out], -1 / Math.sqrt(inp), 1 / Math.sqrt(inp), "float32", 1));
  const [w1, b1, w2, b2] = [init(784, 256), tf.variable(tf.zeros([256])), init(256, 10), tf.variable(tf.zeros([10]))];
  const opt = tf.train.sgd(0.01);
  return () => {
    const loss = opt.minimize(() => {
      const logits = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2);
      return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
    }, true);
    loss?.dispose();
  };
}

/** softmax(q k^T * scale) v and the gradients of its sum for q, k and v (TF.js has no fused attention). */
function attentionSdpa(): Step {
  const { batch, heads, seq, headDim } = ATTENTION;
  const [q, k, v] = [0, 1, 2].map((seed) => tf.randomNormal([batch, heads, seq, headDim], 0, 1, "float32", seed));
  const scale = 1 / Math.sqrt(headDim);
  const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.matMul(tf.softmax(tf.mul(tf.matMul(a, b, false, true), scale)), c)));
  return () => tf.tidy(() => void grads([q, k, v]));
}

function transformerBlock(): Step {
  const { seq, dModel, heads, ffn } = TRANSFORMER;
  const dHead = dModel / heads;
  const w = (i: number, o: number) => tf.mul(randn(i, o), 1 / Math.sqrt(i));
  const x = randn(seq, dModel);
  const [wq, wk, wv, wo] = [w(dModel, dModel), w(dModel, dModel), w(dModel, dModel), w(dModel, dModel)];
  const w1 = w(dModel, ffn);
  const w2 = w(ffn, dModel);
  const splitHeads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [seq, heads, dHead]), [1, 0, 2]) as tf.Tensor3D;
  return () =>
    tf.tidy(() => {
      const q = splitHeads(tf.matMul(x, wq));
      const k = splitHeads(tf.matMul(x, wk));
      const v = splitHeads(tf.matMul(x, wv));
      const p = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dHead)));
      const attended = tf.reshape(tf.transpose(tf.matMul(p, v), [1, 0, 2]), [seq, dModel]);
      const h = tf.add(x, tf.matMul(attended, wo));
      tf.add(h, tf.matMul(tf.relu(tf.matMul(h, w1)), w2));
    });
}

/**
 * TF.js has no Transformer layers: the same two post-norm encoder layers written out (packed QKV
 * projection, 4-head attention, dropout 0.1 where PyTorch puts it, ReLU feed-forward, LayerNorm),
 * MSE to a fixed target, Adam.
 */
function transformerEncoderStep(): Step {
  const { layers, dModel, heads, ffn, seq, batch } = ENCODER;
  const dh = dModel / heads;
  const weight = (i: number, o: number) => tf.variable(tf.mul(randn(i, o), 1 / Math.sqrt(i)));
  const zeros = (n: number) => tf.variable(tf.zeros([n]));
  const ones = (n: number) => tf.variable(tf.ones([n]));
  const params = Array.from({ length: layers }, () => ({
    wqkv: weight(dModel, 3 * dModel), bqkv: zeros(3 * dModel), wo: weight(dModel, dModel), bo: zeros(dModel),
    w1: weight(dModel, ffn), b1: zeros(ffn), w2: weight(ffn, dModel), b2: zeros(dModel),
    g1: ones(dModel), be1: zeros(dModel), g2: ones(dModel), be2: zeros(dModel),
  }));
  const x = randn(batch * seq, dModel);
  const target = randn(batch * seq, dModel);
  const opt = tf.train.adam(1e-3);
  const p = 0.1;
  const layerNorm = (h: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(h, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  };
  const heads4 = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [batch, seq, heads, dh]), [0, 2, 1, 3]);
  const layer = (h: tf.Tensor, w: (typeof params)[number]) => {
    const [q, k, v] = tf.split(tf.add(tf.matMul(h, w.wqkv), w.bqkv), 3, 1).map(heads4);
    const att = tf.dropout(tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh))), p);
    const o = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [batch * seq, dModel]);
    const h1 = layerNorm(tf.add(h, tf.dropout(tf.add(tf.matMul(o, w.wo), w.bo), p)), w.g1, w.be1);
    const f = tf.add(tf.matMul(tf.dropout(tf.relu(tf.add(tf.matMul(h1, w.w1), w.b1)), p), w.w2), w.b2);
    return layerNorm(tf.add(h1, tf.dropout(f, p)), w.g2, w.be2);
  };
  return () => {
    const loss = opt.minimize(() => {
      let h: tf.Tensor = x;
      for (const w of params) h = layer(h, w);
      return tf.losses.meanSquaredError(target, h) as tf.Scalar;
    }, true);
    loss?.dispose();
  };
}

// TF.js's own LSTM and GRU layers take batch-major input [batch, seq, input].
function lstmStep(): Step {
  const { input, hidden, seq, batch, classes } = RECURRENT;
  const x = randn(batch, seq, input);
  const labels = tf.oneHot(tf.randomUniform([batch], 0, classes, "int32", 0), classes);
  const l1 = tf.layers.lstm({ units: hidden, returnSequences: true });
  const l2 = tf.layers.lstm({ units: hidden });
  const head = tf.layers.dense({ units: classes });
  const forward = () => head.apply(l2.apply(l1.apply(x))) as tf.Tensor;
  tf.tidy(forward); // builds the layers' weights
  const vars = [...l1.trainableWeights, ...l2.trainableWeights, ...head.trainableWeights].map((w) => w.read() as tf.Variable);
  const opt = tf.train.sgd(0.01);
  return () =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, forward()) as tf.Scalar, vars);
      // clip_grad_norm_(params, 1.0): one scale for all gradients from their global norm.
      const names = Object.keys(grads);
      const total = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n])))));
      const coef = tf.minimum(tf.div(1.0, tf.add(total, 1e-6)), 1.0);
      const clipped: Record<string, tf.Tensor> = {};
      for (const n of names) clipped[n] = tf.mul(grads[n], coef);
      opt.applyGradients(clipped);
      value.dispose();
    });
}

function gruForward(): Step {
  const { input, hidden, seq, batch } = RECURRENT;
  const x = randn(batch, seq, input);
  const l1 = tf.layers.gru({ units: hidden, returnSequences: true });
  const l2 = tf.layers.gru({ units: hidden, returnSequences: true, returnState: true });
  return () => tf.tidy(() => void l2.apply(l1.apply(x)));
}

// TF.js's layout is channels-last (NHWC): the same convolution, its input [N, H, W, C].
function convSetup() {
  const { batch, channels, size } = CONV;
  const x = randn(batch, size, size, channels);
  const bound = 1 / Math.sqrt(channels * 9);
  const w = tf.randomUniform([3, 3, channels, channels], -bound, bound, "float32", 1);
  const b = tf.randomUniform([channels], -bound, bound, "float32", 2);
  const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.add(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 1, "same"), bb);
  return { x, w, b, f };
}

function conv2dForward(): Step {
  const { x, w, b, f } = convSetup();
  return () => tf.tidy(() => void f(x, w, b));
}

function conv2dStep(): Step {
  // Measured once: the cpu backend's filter gradient takes about 400 s per step on the project's
  // machine, too long for a benchmark run; the wasm backend has no Conv2DBackpropFilter kernel.
  if (tf.getBackend() === "cpu") throw new Error("not run: TF.js cpu takes ~400 s per step (its Conv2DBackpropFilter)");
  const { x, w, b, f } = convSetup();
  const grads = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(f(xx, ww, bb)));
  return () => tf.tidy(() => void grads([x, w, b]));
}

// Whole networks (issue 13), NHWC, written out with variables as the other workloads are. Their
// training steps need Conv2DBackpropFilter: the wasm backend has none; the cpu backend's takes
// ~4 s for LeNet's small filters and is not run for the ResNet's (conv2d-step measured ~400 s for
// one of its 64-channel layers).
function notOnCpu(what: string): void {
  if (tf.getBackend() === "cpu") throw new Error(`not run: ${what} needs TF.js cpu's Conv2DBackpropFilter (~400 s per conv2d-step)`);
}

function lenet5Step(): Step {
  const { batch, size, classes } = LENET;
  const x = randn(batch, size, size, 1);
  const labels = tf.oneHot(tf.randomUniform([batch], 0, classes, "int32", 0), classes);
  const v = (shape: number[], fanIn: number) => tf.variable(tf.randomUniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn), "float32", 1));
  const c1 = v([5, 5, 1, 6], 25);
  const c1b = v([6], 25);
  const c2 = v([5, 5, 6, 16], 150);
  const c2b = v([16], 150);
  const [f1, f1b, f2, f2b, f3, f3b] = [v([400, 120], 400), v([120], 400), v([120, 84], 120), v([84], 120), v([84, classes], 84), v([classes], 84)];
  const opt = tf.train.sgd(0.01);
  return () => {
    const loss = opt.minimize(() => {
      let h: tf.Tensor4D = tf.maxPool(tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, c1 as tf.Tensor4D, 1, "same"), c1b)), 2, 2, "valid");
      h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h, c2 as tf.Tensor4D, 1, "valid"), c2b)), 2, 2, "valid");
      // PyTorch flattens [C, H, W]; the order does not change the work
      const flat = tf.reshape(h, [batch, 400]);
      const logits = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(flat, f1), f1b)), f2), f2b)), f3), f3b);
      return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
    }, true);
    loss?.dispose();
  };
}

interface TfBatchNorm {
  gamma: tf.Variable;
  beta: tf.Variable;
  mean: tf.Tensor;
  variance: tf.Tensor;
}
interface TfBlock {
  conv1: tf.Variable;
  bn1: TfBatchNorm;
  conv2: tf.Variable;
  bn2: TfBatchNorm;
  stride: number;
  down: { conv: tf.Variable; bn: TfBatchNorm } | null;
}

/** ResNet-18 (BasicBlock [2, 2, 2, 2], width 64) with torchvision's layers, NHWC. */
function resnet18Tf(classes: number) {
  let seed = 10;
  const conv = (k: number, inC: number, outC: number) =>
    tf.variable(tf.mul(tf.randomNormal([k, k, inC, outC], 0, 1, "float32", seed++), Math.sqrt(2 / (outC * k * k))));
  const bn = (c: number): TfBatchNorm => ({ gamma: tf.variable(tf.ones([c])), beta: tf.variable(tf.zeros([c])), mean: tf.zeros([c]), variance: tf.ones([c]) });
  const stem = { conv: conv(7, 3, 64), bn: bn(64) };
  const blocks: TfBlock[] = [];
  let inC = 64;
  for (const [planes, stride] of [
    [64, 1],
    [128, 2],
    [256, 2],
    [512, 2],
  ]) {
    for (let i = 0; i < 2; i++) {
      const s = i === 0 ? stride : 1;
      const down = s !== 1 || inC !== planes ? { conv: conv(1, inC, planes), bn: bn(planes) } : null;
      blocks.push({ conv1: conv(3, inC, planes), bn1: bn(planes), conv2: conv(3, planes, planes), bn2: bn(planes), stride: s, down });
      inC = planes;
    }
  }
  const fcW = tf.variable(tf.randomUniform([512, classes], -1 / Math.sqrt(512), 1 / Math.sqrt(512), "float32", seed++));
  const fcB = tf.variable(tf.randomUniform([classes], -1 / Math.sqrt(512), 1 / Math.sqrt(512), "float32", seed++));
  // training: batch statistics (what PyTorch's train mode normalises with); eval: the running ones
  const norm = (h: tf.Tensor4D, p: TfBatchNorm, training: boolean): tf.Tensor4D => {
    if (!training) return tf.batchNorm4d(h, p.mean as tf.Tensor1D, p.variance as tf.Tensor1D, p.beta as tf.Tensor1D, p.gamma as tf.Tensor1D, 1e-5);
    const { mean, variance } = tf.moments(h, [0, 1, 2]);
    return tf.batchNorm4d(h, mean as tf.Tensor1D, variance as tf.Tensor1D, p.beta as tf.Tensor1D, p.gamma as tf.Tensor1D, 1e-5);
  };
  // torchvision pads 3x3 convolutions by 1 and the stem by 3: explicit padding, as "same" pads
  // stride-2 convolutions asymmetrically
  const convPad = (h: tf.Tensor4D, w: tf.Variable, stride: number, pad: number) =>
    tf.conv2d(h, w as tf.Tensor4D, stride, [
      [0, 0],
      [pad, pad],
      [pad, pad],
      [0, 0],
    ]);
  return (x: tf.Tensor4D, training: boolean): tf.Tensor => {
    let h = tf.relu(norm(convPad(x, stem.conv, 2, 3), stem.bn, training));
    h = tf.maxPool(tf.pad(h, [[0, 0], [1, 1], [1, 1], [0, 0]], Number.NEGATIVE_INFINITY) as tf.Tensor4D, 3, 2, "valid");
    for (const b of blocks) {
      let out = tf.relu(norm(convPad(h, b.conv1, b.stride, 1), b.bn1, training));
      out = norm(convPad(out, b.conv2, 1, 1), b.bn2, training);
      const identity = b.down ? norm(convPad(h, b.down.conv, b.stride, 0), b.down.bn, training) : h;
      h = tf.relu(tf.add(out, identity)) as tf.Tensor4D;
    }
    const pooled = tf.mean(h, [1, 2]);
    return tf.add(tf.matMul(pooled, fcW), fcB);
  };
}

function resnet18Forward(): Step {
  const { batch, size, classes } = RESNET18;
  const x = randn(batch, size, size, 3) as tf.Tensor4D;
  const forward = resnet18Tf(classes);
  return () => tf.tidy(() => void forward(x, false));
}

function resnetSmallStep(): Step {
  notOnCpu("the ResNet training step");
  const { batch, size, classes } = RESNET_SMALL;
  const x = randn(batch, size, size, 3) as tf.Tensor4D;
  const labels = tf.oneHot(tf.randomUniform([batch], 0, classes, "int32", 0), classes);
  const forward = resnet18Tf(classes);
  const opt = tf.train.sgd(0.01);
  return () => {
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(labels, forward(x, true)) as tf.Scalar, true);
    loss?.dispose();
  };
}

export const tfjsWorkloads: Record<string, Prepare> = {
  "lenet5-step": lenet5Step,
  "resnet18-forward": resnet18Forward,
  "resnet-small-step": resnetSmallStep,
  "conv2d-forward": conv2dForward,
  "conv2d-step": conv2dStep,
  "xor-step": xorStep,
  "mlp-step": mlpStep,
  "matmul-1024": matmul(1024),
  "matmul-128": matmul(128),
  "add-1m": () => {
    const a = randn(N);
    const b = randn(N);
    return () => tf.add(a, b).dispose();
  },
  "mul-scalar-1m": unary((a) => tf.mul(a, 1.5)),
  "exp-1m": unary(tf.exp),
  "relu-1m": unary(tf.relu),
  "softmax-1024": () => {
    const a = randn(1024, 1024);
    return () => tf.softmax(a).dispose();
  },
  "sum-1m": unary((a) => tf.sum(a)),
  "sum-rows-1024": () => {
    const a = randn(1024, 1024);
    return () => tf.sum(a, 1).dispose();
  },
  "sum-cols-1024": () => {
    const a = randn(1024, 1024);
    return () => tf.sum(a, 0).dispose();
  },
  "transformer-block": transformerBlock,
  "transformer-encoder-step": transformerEncoderStep,
  "attention-sdpa": attentionSdpa,
  "lstm-step": lstmStep,
  "gru-forward": gruForward,
};
