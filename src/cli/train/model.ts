// The network `kindling train` fits: standardised inputs, hidden Linear+ReLU layers, and one output
// per class (or one for two classes or a regression), with the matching PyTorch loss.
import type * as torch from "../../index.js";
import { nn } from "../../index.js";
import type { TaskKind } from "./task.js";

/** Everything needed to rebuild and use the model, saved beside its weights. */
export interface ModelDescription {
  format: "kindling-mlp";
  version: 1;
  task: TaskKind;
  features: string[];
  target: string;
  classes: string[];
  hidden: number[];
  activation: "relu";
  /** The network's output: logits (apply sigmoid/softmax for probabilities) or a standardised value. */
  output: "logit" | "logits" | "standardised value";
  /** x_std = (x - mean) / std, per feature, from the training rows. */
  featureMean: number[];
  featureStd: number[];
  /** Regression: value = output * targetStd + targetMean. */
  targetMean?: number;
  targetStd?: number;
}

export function outputsFor(kind: TaskKind, classes: number): number {
  return kind === "multiclass" ? classes : 1;
}

/** Linear(in, h1), ReLU, ..., Linear(hk, out). */
export function buildNetwork(inputs: number, hidden: readonly number[], outputs: number): nn.Sequential {
  const layers: nn.Module[] = [];
  let width = inputs;
  for (const h of hidden) {
    layers.push(new nn.Linear(width, h), new nn.ReLU());
    width = h;
  }
  layers.push(new nn.Linear(width, outputs));
  return new nn.Sequential(...layers);
}

export interface Criterion {
  forward(input: torch.Tensor, target: torch.Tensor): torch.Tensor;
}

export function criterionFor(kind: TaskKind): Criterion {
  if (kind === "binary") return new nn.BCEWithLogitsLoss();
  if (kind === "multiclass") return new nn.CrossEntropyLoss();
  return new nn.MSELoss();
}

/** Class indices (classification) or values in the target's units (regression) from network outputs. */
export function decode(kind: TaskKind, outputs: torch.Tensor, description: Pick<ModelDescription, "targetMean" | "targetStd">): number[] {
  if (kind === "binary") return (outputs.reshape([-1]).gt(0).tolist() as boolean[]).map((b) => (b ? 1 : 0));
  if (kind === "multiclass") return outputs.argmax(1).tolist() as number[];
  const std = description.targetStd ?? 1;
  const mean = description.targetMean ?? 0;
  return (outputs.reshape([-1]).tolist() as number[]).map((v) => v * std + mean);
}
