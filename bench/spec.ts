// The benchmark's workloads as data: what each measures, in which unit, and the goal it is judged
// by (issue 17's, "speed of what exists", where it sets one; otherwise the issue that added the
// row). Every engine (kindling, TF.js cpu/wasm, PyTorch) implements the same ids, so one
// table can put their figures side by side.

/** How a workload's per-iteration time is shown: as time, or as work per second. */
export type Metric = "us" | "s" | "samples/s" | "GFLOP/s";

export interface WorkloadSpec {
  id: string;
  title: string;
  metric: Metric;
  /** Work done by one iteration: samples for samples/s, floating-point operations for GFLOP/s. */
  work?: number;
  /** The goal for kindling, if an issue sets one for this workload. */
  goal?: Goal;
  /** Workloads that run only when asked for by name (long or run as a separate program). */
  optIn?: boolean;
}

export type Goal =
  | { kind: "maxUs"; value: number; text: string }
  | { kind: "minGflops"; value: number; text: string }
  | { kind: "vsPytorch"; factor: number; text: string }
  /** kindling's time at or below PyTorch's and below TF.js wasm's, both in the same run. */
  | { kind: "vsPytorchAndWasm"; text: string }
  /** At least `share` of the float32 FMA peak that the addon's probe measures (bench/peak.ts). */
  | { kind: "peakShare"; share: number; text: string };

/** Issue 17's goal for the 1M-element elementwise rows and the reductions. */
const PYTORCH_AND_WASM: Goal = { kind: "vsPytorchAndWasm", text: "<= PyTorch and < TF.js wasm" };

const XOR_BATCH = 64;
const MLP_BATCH = 128;
export const TRANSFORMER = { seq: 128, dModel: 512, heads: 8, ffn: 2048 };
/** The TransformerEncoder training step (issue 15): 2 layers, batch-first, dropout 0.1, MSE to a fixed target, Adam. */
export const ENCODER = { layers: 2, dModel: 128, heads: 4, ffn: 256, seq: 64, batch: 16 };
/** The recurrent workloads' shape (issue 14): sequence-first input [seq, batch, input]. */
export const RECURRENT = { input: 64, hidden: 128, seq: 32, batch: 32, layers: 2, classes: 10 };
/** The attention-sdpa workload: SDPA forward and backward on [batch, heads, seq, headDim] float32. */
export const ATTENTION = { batch: 8, heads: 8, seq: 256, headDim: 64 };
/** The conv2d-step workload: Conv2d(channels, channels, 3, padding 1) on [batch, channels, size, size]. */
export const CONV = { batch: 8, channels: 64, size: 32 };
/** LeNet-5 (ReLU, max pooling) on 1x28x28 images, 10 classes: conv 5x5 (pad 2) 6, pool, conv 5x5 16, pool, 120, 84, 10. */
export const LENET = { batch: 64, size: 28, classes: 10 };
/** ResNet-18 (torchvision's, examples/models/resnet.ts) forward at ImageNet size, eval mode. */
export const RESNET18 = { batch: 1, size: 224, classes: 1000 };
/** ResNet-18's blocks (BasicBlock [2, 2, 2, 2], width 64) on CIFAR-size images, one SGD training step. */
export const RESNET_SMALL = { batch: 32, size: 32, classes: 10 };

function transformerFlops(): number {
  const { seq, dModel, ffn } = TRANSFORMER;
  const proj = 2 * seq * dModel * dModel; // one of Q, K, V, O
  const attention = 2 * 2 * seq * seq * dModel; // scores and probabilities @ V over all heads
  const feedForward = 2 * 2 * seq * dModel * ffn;
  return 4 * proj + attention + feedForward;
}

export const WORKLOADS: WorkloadSpec[] = [
  {
    id: "xor-step",
    title: `XOR MLP 2-2-1 sigmoid, batch ${XOR_BATCH}: one SGD training step (BCE)`,
    metric: "us",
    goal: { kind: "maxUs", value: 10, text: "<= 10 µs" },
  },
  {
    id: "mlp-step",
    title: `MLP 784-256-10 ReLU, batch ${MLP_BATCH}, cross-entropy, SGD`,
    metric: "samples/s",
    work: MLP_BATCH,
    goal: { kind: "vsPytorch", factor: 1, text: ">= PyTorch" },
  },
  {
    id: "matmul-1024",
    title: "float32 matmul 1024x1024 @ 1024x1024",
    metric: "GFLOP/s",
    work: 2 * 1024 ** 3,
    goal: { kind: "peakShare", share: 0.8, text: ">= 80% of FMA peak" },
  },
  {
    id: "matmul-128",
    title: "float32 matmul 128x128 @ 128x128",
    metric: "GFLOP/s",
    work: 2 * 128 ** 3,
  },
  { id: "add-1m", title: "add two 1M-element float32 tensors", metric: "us", goal: PYTORCH_AND_WASM },
  { id: "mul-scalar-1m", title: "multiply a 1M-element float32 tensor by a scalar", metric: "us", goal: PYTORCH_AND_WASM },
  { id: "exp-1m", title: "exp of a 1M-element float32 tensor", metric: "us", goal: PYTORCH_AND_WASM },
  { id: "relu-1m", title: "relu of a 1M-element float32 tensor", metric: "us", goal: PYTORCH_AND_WASM },
  { id: "softmax-1024", title: "softmax over the last dim of a 1024x1024 float32 tensor", metric: "us" },
  { id: "sum-1m", title: "sum of all elements of a 1M-element float32 tensor", metric: "us", goal: PYTORCH_AND_WASM },
  { id: "sum-rows-1024", title: "sum over dim 1 of a 1024x1024 float32 tensor", metric: "us", goal: PYTORCH_AND_WASM },
  { id: "sum-cols-1024", title: "sum over dim 0 of a 1024x1024 float32 tensor", metric: "us", goal: PYTORCH_AND_WASM },
  {
    id: "transformer-block",
    title: `transformer block forward (seq ${TRANSFORMER.seq}, d ${TRANSFORMER.dModel}, ${TRANSFORMER.heads} heads, ffn ${TRANSFORMER.ffn}), no grad`,
    metric: "GFLOP/s",
    work: transformerFlops(),
  },
  {
    id: "transformer-encoder-step",
    title: `TransformerEncoder training step (${ENCODER.layers} layers, d ${ENCODER.dModel}, ${ENCODER.heads} heads, ffn ${ENCODER.ffn}, seq ${ENCODER.seq}, batch ${ENCODER.batch}, Adam)`,
    metric: "samples/s",
    work: ENCODER.batch,
    goal: { kind: "vsPytorch", factor: 1, text: ">= PyTorch" },
  },
  {
    id: "attention-sdpa",
    title: `scaled dot-product attention forward and backward, [${ATTENTION.batch}, ${ATTENTION.heads}, ${ATTENTION.seq}, ${ATTENTION.headDim}] float32 q/k/v, no mask (PyTorch 1.13: softmax(q k^T * scale) v written out)`,
    metric: "us",
  },
  {
    id: "lstm-step",
    title: `2-layer LSTM ${RECURRENT.input}->${RECURRENT.hidden}, seq ${RECURRENT.seq}, batch ${RECURRENT.batch}: one SGD step (linear head on the last step, cross-entropy, clipGradNorm_)`,
    metric: "samples/s",
    work: RECURRENT.batch,
    goal: { kind: "vsPytorch", factor: 1, text: ">= PyTorch" },
  },
  {
    id: "gru-forward",
    title: `2-layer GRU ${RECURRENT.input}->${RECURRENT.hidden}, seq ${RECURRENT.seq}, batch ${RECURRENT.batch}: forward, no grad`,
    metric: "samples/s",
    work: RECURRENT.batch,
    goal: { kind: "vsPytorch", factor: 1, text: ">= PyTorch" },
  },
  {
    id: "conv2d-forward",
    title: `Conv2d(${CONV.channels}, ${CONV.channels}, 3, padding=1) forward on [${CONV.batch}, ${CONV.channels}, ${CONV.size}, ${CONV.size}] float32, no grad`,
    metric: "GFLOP/s",
    work: 2 * CONV.batch * CONV.channels * CONV.channels * 9 * CONV.size * CONV.size,
  },
  {
    id: "conv2d-step",
    title: `Conv2d(${CONV.channels}, ${CONV.channels}, 3, padding=1) on [${CONV.batch}, ${CONV.channels}, ${CONV.size}, ${CONV.size}] float32: forward and backward (input, weight, bias)`,
    metric: "GFLOP/s",
    // The forward product and the backward's two (input and weight gradients), each 2 * N*O*L*C*9.
    work: 3 * 2 * CONV.batch * CONV.channels * CONV.channels * 9 * CONV.size * CONV.size,
  },
  {
    id: "lenet5-step",
    title: `LeNet-5 (ReLU, max pooling) on [${LENET.batch}, 1, ${LENET.size}, ${LENET.size}], cross-entropy, one SGD step`,
    metric: "samples/s",
    work: LENET.batch,
    goal: { kind: "vsPytorch", factor: 1, text: ">= PyTorch" },
  },
  {
    id: "resnet18-forward",
    title: `ResNet-18 forward in eval mode on [${RESNET18.batch}, 3, ${RESNET18.size}, ${RESNET18.size}], no grad`,
    metric: "samples/s",
    work: RESNET18.batch,
    goal: { kind: "vsPytorch", factor: 1, text: ">= PyTorch" },
  },
  {
    id: "resnet-small-step",
    title: `ResNet-18 blocks (BasicBlock [2, 2, 2, 2], width 64, ${RESNET_SMALL.classes} classes) on [${RESNET_SMALL.batch}, 3, ${RESNET_SMALL.size}, ${RESNET_SMALL.size}], cross-entropy, one SGD step (batch norms in training mode)`,
    metric: "samples/s",
    work: RESNET_SMALL.batch,
    goal: { kind: "vsPytorch", factor: 1, text: ">= PyTorch" },
  },
  {
    id: "perceptron",
    title: "chapter program perceptron.ts end to end (2 x 10,000 epochs, batch 64, CSV + DataLoader)",
    metric: "s",
    goal: { kind: "vsPytorch", factor: 1 / 20, text: ">= 20x faster than PyTorch" },
  },
  {
    id: "csv-1m",
    title: "readCsv of a 1,000,000-row, 14.4 MB CSV file beside pandas.read_csv (in the PyTorch column), processes of their own",
    metric: "s",
    goal: { kind: "vsPytorch", factor: 1, text: "at or better than pandas (time and memory)" },
  },
];

export function specOf(id: string): WorkloadSpec {
  const s = WORKLOADS.find((w) => w.id === id);
  if (!s) throw new Error(`unknown workload '${id}' (known: ${WORKLOADS.map((w) => w.id).join(", ")})`);
  return s;
}

export const SIZES = { XOR_BATCH, MLP_BATCH };
