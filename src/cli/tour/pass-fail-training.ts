// The pass/fail chapter's classifier and its training, without Node imports: the tour runs it in
// Node, the browser page (web/) on a generated or dropped CSV, and the web test checks both agree.
import * as torch from "../../index.js";
import { data, nn, optim } from "../../index.js";
import { evaluateCost, trainEpoch } from "../training.js";

/** The tour's epochs; the chapter runs 10,000. */
export const PASS_FAIL_EPOCHS = 40;
// The chapter feeds raw marks at lr = 0.0001. From PyTorch's initial weights for seed 4 the sigmoid
// then starts saturated (z far below 0 for high marks), where its gradient vanishes and SGD hardly
// moves. Marks divided by 100 keep z near 0, so a larger rate learns in a few epochs.
export const PASS_FAIL_LR = 0.5;
export const PASS_FAIL_SCALE = 100;

export class CustomModel extends nn.Module {
  layer: nn.Sequential;

  constructor(inputs = 3) {
    super();
    this.layer = new nn.Sequential(new nn.Linear(inputs, 1), new nn.Sigmoid());
  }

  override forward(x: torch.Tensor): torch.Tensor {
    return this.layer.forward(x);
  }
}

type Batch = torch.Tensor[];

export interface Assessment {
  correct: number;
  total: number;
  /** Counts [actual][predicted], 0 = fail, 1 = pass. */
  matrix: number[][];
}

/** Correct predictions (output ≥ 0.5 means pass) and the confusion counts [actual][predicted]. */
export function assess(model: CustomModel, loader: data.DataLoader<Batch>): Assessment {
  return torch.noGrad(() => {
    model.eval();
    const matrix = [
      [0, 0],
      [0, 0],
    ];
    for (const [x, y] of loader as Iterable<Batch>) {
      const predicted = model.forward(x).ge(0.5).reshape([-1]).tolist() as boolean[];
      const actual = y.reshape([-1]).tolist() as number[];
      predicted.forEach((p, i) => {
        matrix[actual[i]][p ? 1 : 0]++;
      });
    }
    const correct = matrix[0][0] + matrix[1][1];
    return { correct, total: correct + matrix[0][1] + matrix[1][0], matrix };
  });
}

/**
 * The chapter's classifier on marks x [rows, inputs] and 0/1 labels y [rows]: split 80/10/10 with
 * torch.manualSeed(4), batches of 4, BCELoss, SGD. One epoch per call so a page can draw between
 * epochs. The order of every draw from the global generator (split, initial weights, shuffles,
 * including the validation assessments) is the tour's, so both print the same numbers.
 */
export class PassFailTrainer {
  readonly model: CustomModel;
  readonly training: Array<[number, number]> = [];
  readonly validation: Array<[number, number]> = [];
  readonly sizes: { training: number; validation: number; test: number };
  readonly trainLoader: data.DataLoader<Batch>;
  readonly validationLoader: data.DataLoader<Batch>;
  readonly testLoader: data.DataLoader<Batch>;
  private readonly criterion = new nn.BCELoss();
  private readonly optimizer: optim.SGD;

  constructor(x: torch.Tensor, y: torch.Tensor) {
    const dataset = new data.TensorDataset(x.div(PASS_FAIL_SCALE), y.unsqueeze(1));
    const trainSize = Math.floor(dataset.length * 0.8);
    const validationSize = Math.floor(dataset.length * 0.1);
    const testSize = dataset.length - trainSize - validationSize;
    const [trainDataset, validationDataset, testDataset] = data.randomSplit(dataset, [trainSize, validationSize, testSize], torch.manualSeed(4));
    this.sizes = { training: trainDataset.length, validation: validationDataset.length, test: testDataset.length };
    this.trainLoader = new data.DataLoader(trainDataset, { batchSize: 4, shuffle: true, dropLast: true });
    this.validationLoader = new data.DataLoader(validationDataset, { batchSize: 4, shuffle: true, dropLast: true });
    this.testLoader = new data.DataLoader(testDataset, { batchSize: 4, shuffle: true, dropLast: true });
    this.model = new CustomModel(x.shape[1]);
    this.optimizer = new optim.SGD(this.model.parameters(), { lr: PASS_FAIL_LR });
  }

  /** One epoch of training, then the validation cost; both are recorded and returned. */
  epoch(): { cost: number; validationCost: number } {
    const cost = trainEpoch(this.model, this.trainLoader, this.criterion, this.optimizer);
    const validationCost = evaluateCost(this.model, this.validationLoader, this.criterion);
    const epoch = this.training.length + 1;
    this.training.push([epoch, cost]);
    this.validation.push([epoch, validationCost]);
    return { cost, validationCost };
  }

  /** The linear layer's weights and bias (in the units of the scaled marks). */
  weights(): { weight: number[]; bias: number } {
    const linear = this.model.layer.at(0) as nn.Linear;
    return { weight: (linear.weight.tolist() as number[][])[0], bias: (linear.bias.tolist() as number[])[0] };
  }
}

/** The learned rule in the marks' own units: pass when Σ wᵢ·xᵢ ≥ threshold. */
export function passRule({ weight, bias }: { weight: number[]; bias: number }): { threshold: number; meanMark: number } {
  const threshold = -bias * PASS_FAIL_SCALE;
  return { threshold, meanMark: threshold / weight.reduce((a, b) => a + b, 0) };
}
