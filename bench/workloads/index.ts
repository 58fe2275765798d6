// kindling's implementation of each timed workload, by id (see ../spec.ts).
import type { Prepare } from "../harness.js";
import * as attention from "./attention.js";
import * as cnn from "./cnn.js";
import * as conv from "./conv.js";
import * as elementwise from "./elementwise.js";
import { prepareMatmul } from "./matmul.js";
import * as mlp from "./mlp.js";
import * as reductions from "./reductions.js";
import * as recurrent from "./recurrent.js";
import * as softmax from "./softmax.js";
import * as transformer from "./transformer.js";
import * as transformerTrain from "./transformer-train.js";
import * as xor from "./xor.js";

export const kindlingWorkloads: Record<string, Prepare> = {
  "xor-step": xor.prepare,
  "mlp-step": mlp.prepare,
  "matmul-1024": prepareMatmul(1024),
  "matmul-128": prepareMatmul(128),
  "add-1m": elementwise.prepareAdd,
  "mul-scalar-1m": elementwise.prepareMulScalar,
  "exp-1m": elementwise.prepareExp,
  "relu-1m": elementwise.prepareRelu,
  "softmax-1024": softmax.prepare,
  "sum-1m": reductions.prepareSumAll,
  "sum-rows-1024": reductions.prepareSumRows,
  "sum-cols-1024": reductions.prepareSumCols,
  "transformer-block": transformer.prepare,
  "transformer-encoder-step": transformerTrain.prepare,
  "attention-sdpa": attention.prepare,
  "lstm-step": recurrent.prepareLstmStep,
  "gru-forward": recurrent.prepareGruForward,
  "conv2d-forward": conv.prepareForward,
  "conv2d-step": conv.prepare,
  "lenet5-step": cnn.prepareLenet,
  "resnet18-forward": cnn.prepareResnet18Forward,
  "resnet-small-step": cnn.prepareResnetSmallStep,
};
