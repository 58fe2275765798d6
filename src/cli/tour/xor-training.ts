// The XOR chapter's models and training, without Node imports: the tour runs them in Node, the
// browser page (web/) runs them in a Web Worker, and the web test checks both give the same bits.
import * as torch from "../../index.js";
import { data, nn, optim } from "../../index.js";
import { makeXor } from "../../datasets/index.js";
import { trainEpoch } from "../training.js";

/** Epochs and rate for the tour: the chapter's 10,000 epochs at lr = 0.01 reach the same place slower. */
export const XOR_EPOCHS = 300;
export const XOR_LR = 1;
export const XOR_SEED = 0;

export type XorModel = nn.Module & { forward(x: torch.Tensor): torch.Tensor };

export class SingleLayer extends nn.Module {
  layer = new nn.Sequential(new nn.Linear(2, 1), new nn.Sigmoid());
  override forward(x: torch.Tensor): torch.Tensor {
    return this.layer.forward(x);
  }
}

export class MultiLayer extends nn.Module {
  layer1 = new nn.Sequential(new nn.Linear(2, 2), new nn.Sigmoid());
  layer2 = new nn.Sequential(new nn.Linear(2, 1), new nn.Sigmoid());
  override forward(x: torch.Tensor): torch.Tensor {
    return this.layer2.forward(this.layer1.forward(x));
  }
}

export const XOR_INPUTS = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];

/** The chapter's XOR table: 1000 rows of two random bits and their exclusive or. */
export function xorTable() {
  return makeXor({ n: 1000, generator: new torch.Generator().manualSeed(XOR_SEED) });
}

/** The table as the dataset both models train on (targets as a column, for BCELoss). */
export function xorDataset(table = xorTable()): data.TensorDataset {
  return new data.TensorDataset(table.x, table.y.unsqueeze(1));
}

/**
 * One model's training as the chapter does it (torch.manualSeed(0), batches of 64, BCELoss, SGD),
 * an epoch per call, so a caller can draw between epochs. Construction seeds the global generator:
 * build one trainer, train it to the end, then build the next, or the shuffles interleave.
 */
export class XorTrainer {
  readonly model: XorModel;
  readonly costs: Array<[number, number]> = [];
  private readonly loader: data.DataLoader<torch.Tensor[]>;
  private readonly criterion = new nn.BCELoss();
  private readonly optimizer: optim.SGD;

  constructor(makeModel: () => XorModel, dataset: data.TensorDataset) {
    torch.manualSeed(XOR_SEED);
    this.loader = new data.DataLoader(dataset, { batchSize: 64, shuffle: true, dropLast: true });
    this.model = makeModel();
    this.optimizer = new optim.SGD(this.model.parameters(), { lr: XOR_LR });
  }

  /** Trains one more epoch and returns its cost (the mean batch loss). */
  epoch(): number {
    const cost = trainEpoch(this.model, this.loader, this.criterion, this.optimizer);
    this.costs.push([this.costs.length + 1, cost]);
    return cost;
  }

  /** The model's outputs on the four XOR inputs, in eval mode. */
  outputs(): number[] {
    return torch.noGrad(() => {
      this.model.eval();
      return this.model.forward(torch.tensor(XOR_INPUTS)).reshape([-1]).tolist() as number[];
    });
  }
}

/** Whether every output is on the right side of 0.5. */
export function learnedXor(outputs: readonly number[]): boolean {
  return outputs.every((p, i) => p > 0.5 === (XOR_INPUTS[i][0] !== XOR_INPUTS[i][1]));
}

export interface XorResult {
  name: string;
  costs: Array<[number, number]>;
  outputs: number[];
  learned: boolean;
}

/** Trains one model for `epochs` epochs. */
export function trainXor(
  name: string,
  makeModel: () => XorModel,
  dataset: data.TensorDataset,
  epochs: number,
  onEpoch: (epoch: number, cost: number) => void = () => {},
): XorResult & { model: XorModel } {
  const trainer = new XorTrainer(makeModel, dataset);
  for (let epoch = 1; epoch <= epochs; epoch++) onEpoch(epoch, trainer.epoch());
  const outputs = trainer.outputs();
  return { name, costs: trainer.costs, outputs, learned: learnedXor(outputs), model: trainer.model };
}
