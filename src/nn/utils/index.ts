// nn.utils: gradient clipping, parameter/vector conversion, and nn.utils.rnn.
export * as rnn from "./rnn.js";
export { clipGradNorm_, clipGradValue_, type ClipGradNormOptions } from "./clip-grad.js";
export { parametersToVector, vectorToParameters } from "./convert-parameters.js";
export { PackedSequence, packPaddedSequence, packSequence, padPackedSequence, padSequence } from "./rnn.js";
