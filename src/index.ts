// kindling: PyTorch for TypeScript. `import * as torch from "kindling"` gives this module.
import "./backend/index.js";
import "./ops/methods.js";
import "./autograd/index.js";
import { availableDevices } from "./backend/backend.js";
import * as randomState from "./random/index.js";
import { Tensor } from "./tensor/tensor.js";

export { Tensor } from "./tensor/tensor.js";
export { BoolTensor, DoubleTensor, FloatTensor, IntTensor, LongTensor, type LegacyTensorConstructor, type Nested as NestedData } from "./ops/legacy.js";
export {
  bool,
  DType,
  float32,
  float64,
  getDefaultDtype,
  int32,
  int64,
  promoteTypes,
  resultType,
  setDefaultDtype,
  uint8,
} from "./tensor/dtype.js";
export { float32 as float, float64 as double, int64 as long, int32 as int } from "./tensor/dtype.js";
export { getPrintoptions, setPrintoptions } from "./tensor/print-options.js";
export { Generator, defaultGenerator, manualSeed, seed, initialSeed } from "./random/index.js";
export { arange, empty, emptyLike, eye, full, fullLike, linspace, logspace, ones, onesLike, tensor, zeros, zerosLike, type TensorOptions } from "./ops/creation.js";
export {
  bernoulli,
  multinomial,
  normal,
  rand,
  randint,
  randintLike,
  randLike,
  randn,
  randnLike,
  randperm,
  type RandomOptions,
} from "./ops/random.js";
export {
  add,
  allclose,
  atan2,
  div,
  eq,
  equal,
  floorDivide,
  fmod,
  ge,
  gt,
  heaviside,
  isclose,
  type IscloseOptions,
  le,
  logicalAnd,
  logicalOr,
  logicalXor,
  lt,
  maximum,
  minimum,
  mul,
  ne,
  pow,
  remainder,
  sub,
  where,
} from "./ops/arithmetic.js";
export {
  abs,
  acos,
  acosh,
  asin,
  asinh,
  atan,
  atanh,
  ceil,
  clamp,
  clamp as clip,
  cos,
  cosh,
  erf,
  erfc,
  erfinv,
  exp,
  exp2,
  expm1,
  floor,
  frac,
  isfinite,
  isinf,
  isnan,
  log,
  log10,
  log1p,
  log2,
  logicalNot,
  neg,
  reciprocal,
  round,
  rsqrt,
  sigmoid,
  sign,
  sin,
  sinh,
  sqrt,
  square,
  tan,
  tanh,
  trunc,
} from "./ops/math.js";
export { relu, softmax, logSoftmax } from "./ops/activation.js";
export { all, amax, amin, any, argmax, argmin, cumsum, logsumexp, max, mean, min, norm, prod, std, sum, variance as var, type ValuesIndices } from "./ops/reduction.js";
export { argsort, sort, topk, type SortOptions, type TopkOptions } from "./ops/sorting.js";
export { addmm, bmm, dot, matmul, mm, mv, outer } from "./ops/linalg.js";
export {
  broadcastTo,
  cat,
  chunk,
  clone,
  detach,
  flatten,
  meshgrid,
  flip,
  movedim,
  narrow,
  permute,
  reshape,
  select,
  split,
  squeeze,
  stack,
  t,
  transpose,
  unbind,
  unflatten,
  unsqueeze,
} from "./ops/view.js";
export { gather, index, indexSelect, maskedFill, maskedSelect, nonzero, scatter, scatterAdd, type IndexItem } from "./ops/indexing.js";
export { tril, triu } from "./ops/triangular.js";
export { repeatInterleave } from "./ops/repeat.js";
export { roll } from "./ops/roll.js";
export { einsum } from "./ops/einsum.js";
export { baddbmm } from "./ops/baddbmm.js";
export { autograd, enableGrad, inferenceMode, isGradEnabled, noGrad, setGradEnabled } from "./autograd/index.js";
export { broadcastShapes } from "./tensor/shape.js";
export { backends } from "./backend/native/index.js";

/** torch.cuda: kindling runs no CUDA kernels, so CUDA is never available. */
export const cuda = {
  isAvailable: (): boolean => availableDevices().includes("cuda"),
  deviceCount: (): number => (availableDevices().includes("cuda") ? 1 : 0),
  manualSeed: (s: number | bigint): void => void randomState.manualSeed(s),
  manualSeedAll: (s: number | bigint): void => void randomState.manualSeed(s),
};

const ACCELERATORS = ["cuda", "webgpu", "mps"];
/** torch.accelerator: the best non-CPU device kindling can use, if any. */
export const accelerator = {
  isAvailable: (): boolean => availableDevices().some((d) => ACCELERATORS.includes(d)),
  currentAccelerator: (): string | null => availableDevices().find((d) => ACCELERATORS.includes(d)) ?? null,
  deviceCount: (): number => availableDevices().filter((d) => ACCELERATORS.includes(d)).length,
};

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
export { randomState as random };
/** torch.get_rng_state(): the default generator's state as a uint8 tensor. */
export function getRngState(): Tensor {
  return randomState.getRngState();
}
export function setRngState(state: Tensor | Uint8Array): void {
  randomState.setRngState(state);
}

export * as nn from "./nn/index.js";
export { functional as F } from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as data from "./data/index.js";
import * as dataNamespace from "./data/index.js";
/** torch.utils.data, as in PyTorch; also exported as `data`. */
export const utils = { data: dataNamespace };
export { FileFormatError, load, loadBuffer, save, saveBuffer, type TorchLoadOptions, type TorchSaveOptions } from "./io/index.js";
export * as onnx from "./onnx/index.js";

// Types the public signatures name, exported so users can annotate with them (and the API
// reference, npm run docs, links them).
export type { BackwardOptions } from "./autograd/engine.js";
export type { TableTensorFactory } from "./data/csv.js";
export type { SaveFormat } from "./io/serialize.js";
export type { BatchNormOptions } from "./nn/modules/batchnorm.js";
export type { Size } from "./nn/functional/args.js";
export type { TensorBackwardOptions } from "./autograd/index.js";
export type { CatDim, MeshgridOptions } from "./ops/view.js";
export type { FromPretrainedOptions } from "./nn/modules/normalization.js";
export type { DecoderMaskArgs, EncoderForwardOptions, MaskArg } from "./nn/modules/transformer.js";
export type { MultiheadAttentionForwardOptions, MultiheadAttentionOptions } from "./nn/modules/attention.js";
export type { FoldOptions } from "./nn/modules/conv.js";
export type { EmbeddingOptions } from "./nn/modules/normalization.js";
export type { AvgPoolModuleOptions, MaxPoolModuleOptions } from "./nn/modules/pooling.js";
export type {
  DecoderLayerForwardOptions,
  EncoderLayerForwardOptions,
  TransformerActivation,
  TransformerForwardOptions,
  TransformerLayerOptions,
  TransformerOptions,
} from "./nn/modules/transformer.js";
export type { UpsampleOptions } from "./nn/modules/vision.js";
export type { Parameters_ } from "./nn/utils/clip-grad.js";
export type { OpCall } from "./onnx/recorder.js";
export type { InterpMode } from "./ops/upsample.js";
export type { FactoryOptions } from "./nn/modules/linear.js";
export type { RoundingMode } from "./ops/arithmetic.js";
export type { DimOptions, Dims, ReduceOptions, VarOptions } from "./ops/reduction.js";
export type { Scalar, TensorOrScalar } from "./ops/util.js";
export type { DTypeName, PromotionOperand, TypedArray } from "./tensor/dtype.js";
export type { PrintOptions, PrintProfile, SetPrintOptions } from "./tensor/print-options.js";
export type { Shape } from "./tensor/shape.js";
export type { Storage } from "./tensor/storage.js";
export type { GradFn } from "./tensor/tensor.js";
