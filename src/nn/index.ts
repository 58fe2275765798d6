// torch.nn: Module, Parameter, containers, layers, activations, losses; nn.functional and nn.init.
export * as functional from "./functional.js";
export * as init from "./init.js";
export { Module, type ForwardHook, type ForwardPreHook, type IncompatibleKeys, type RemovableHandle, type StateDict } from "./module.js";
export type { FullBackwardHook } from "./module.js";
export { Parameter } from "./parameter.js";
export { ModuleDict, ModuleList, Sequential } from "./modules/container.js";
export { Bilinear, Identity, Linear } from "./modules/linear.js";
export { Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d, Fold, Unfold, type ConvModuleOptions, type ConvTransposeModuleOptions, type PaddingMode } from "./modules/conv.js";
export { Dropout, Flatten, Unflatten } from "./modules/dropout.js";
export { BatchNorm1d, Embedding, LayerNorm } from "./modules/normalization.js";
export { MultiheadAttention, NonDynamicallyQuantizableLinear } from "./modules/attention.js";
export { Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer } from "./modules/transformer.js";
export { BatchNorm2d, InstanceNorm1d, InstanceNorm2d } from "./modules/batchnorm.js";
export { GroupNorm, LocalResponseNorm } from "./modules/groupnorm.js";
export {
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AdaptiveMaxPool1d,
  AdaptiveMaxPool2d,
  AvgPool1d,
  AvgPool2d,
  MaxPool1d,
  MaxPool2d,
  MaxUnpool2d,
} from "./modules/pooling.js";
export { Dropout1d, Dropout2d, PixelShuffle, PixelUnshuffle, Upsample } from "./modules/vision.js";
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
export { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNBase, RNNCell, RNNCellBase, type RNNBaseOptions, type RNNMode, type RNNOptions } from "./modules/rnn.js";
export * as utils from "./utils/index.js";
