// torch.nn: Module, Parameter, containers, layers, activations, losses; nn.functional and nn.init.
export * as functional from "./functional.js";
export * as init from "./init.js";
export { Module, type ForwardHook, type ForwardPreHook, type IncompatibleKeys, type RemovableHandle, type StateDict } from "./module.js";
export type { FullBackwardHook } from "./module.js";
export { Parameter } from "./parameter.js";
export { ModuleDict, ModuleList, Sequential } from "./modules/container.js";
export { Bilinear, Identity, Linear } from "./modules/linear.js";
export { Dropout, Flatten, Unflatten } from "./modules/dropout.js";
export { BatchNorm1d, Embedding, LayerNorm } from "./modules/normalization.js";
export {
  CELU,
  ELU,
  GELU,
  Hardshrink,
  Hardsigmoid,
  Hardswish,
  Hardtanh,
  LeakyReLU,
  LogSigmoid,
  LogSoftmax,
  Mish,
  PReLU,
  ReLU,
  ReLU6,
  SELU,
  SiLU,
  Sigmoid,
  Softmax,
  Softmin,
  Softplus,
  Softshrink,
  Softsign,
  Tanh,
  Tanhshrink,
  Threshold,
} from "./modules/activation.js";
export {
  BCELoss,
  BCEWithLogitsLoss,
  CrossEntropyLoss,
  HuberLoss,
  KLDivLoss,
  L1Loss,
  MSELoss,
  NLLLoss,
  SmoothL1Loss,
  type Reduction,
} from "./modules/loss.js";
