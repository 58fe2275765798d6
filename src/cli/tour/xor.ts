// Tour step 4: XOR. A single-layer perceptron draws one straight line and cannot separate XOR; two
// layers can. Both are trained on the chapter's generated XOR table, with their cost curves and the
// regions each ends up calling true.
import { join } from "node:path";
import * as torch from "../../index.js";
import { data, nn, optim } from "../../index.js";
import { makeXor, writeCsv } from "../../datasets/index.js";
import { probabilityGrid } from "../boundary.js";
import { decisionBoundaryChart, lineChart } from "../charts.js";
import { formatTable } from "../table.js";
import { trainEpoch } from "../training.js";
import { heading, type TourContext } from "./context.js";

/** Epochs and rate for the tour: the chapter's 10,000 epochs at lr = 0.01 reach the same place slower. */
export const XOR_EPOCHS = 300;
export const XOR_LR = 1;
const SEED = 0;

class SingleLayer extends nn.Module {
  layer = new nn.Sequential(new nn.Linear(2, 1), new nn.Sigmoid());
  override forward(x: torch.Tensor): torch.Tensor {
    return this.layer.forward(x);
  }
}

class MultiLayer extends nn.Module {
  layer1 = new nn.Sequential(new nn.Linear(2, 2), new nn.Sigmoid());
  layer2 = new nn.Sequential(new nn.Linear(2, 1), new nn.Sigmoid());
  override forward(x: torch.Tensor): torch.Tensor {
    return this.layer2.forward(this.layer1.forward(x));
  }
}

const INPUTS = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];

export interface XorResult {
  name: string;
  costs: Array<[number, number]>;
  outputs: number[];
  learned: boolean;
}

/** Trains one model as the chapter does (torch.manualSeed(0), batches of 64, BCELoss, SGD). */
export function trainXor(
  name: string,
  makeModel: () => nn.Module & { forward(x: torch.Tensor): torch.Tensor },
  dataset: data.TensorDataset,
  epochs: number,
  onEpoch: (epoch: number, cost: number) => void = () => {},
): XorResult & { model: nn.Module & { forward(x: torch.Tensor): torch.Tensor } } {
  torch.manualSeed(SEED);
  const loader = new data.DataLoader(dataset, { batchSize: 64, shuffle: true, dropLast: true });
  const model = makeModel();
  const criterion = new nn.BCELoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: XOR_LR });
  const costs: Array<[number, number]> = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const cost = trainEpoch(model, loader, criterion, optimizer);
    costs.push([epoch, cost]);
    onEpoch(epoch, cost);
  }
  const outputs = torch.noGrad(() => {
    model.eval();
    return model.forward(torch.tensor(INPUTS)).reshape([-1]).tolist() as number[];
  });
  const learned = outputs.every((p, i) => p > 0.5 === (INPUTS[i][0] !== INPUTS[i][1]));
  return { name, costs, outputs, learned, model };
}

export async function xorSection(context: TourContext): Promise<{ single: boolean; multi: boolean }> {
  const epochs = Math.max(1, Math.round(XOR_EPOCHS * context.epochScale));
  const table = makeXor({ n: 1000, generator: new torch.Generator().manualSeed(SEED) });
  const csv = writeCsv(table, join(context.outDir, "xor.csv"));
  heading(
    context,
    4,
    "XOR: one layer cannot, two layers can",
    `The chapter's XOR table (1000 rows of two random bits and their exclusive or; written to ${csv}).`,
    `Both models: torch.manualSeed(${SEED}), batches of 64, BCELoss, SGD lr = ${XOR_LR}, ${epochs} epochs`,
    "(the chapter uses lr = 0.01 for 10,000 epochs).",
  );
  const dataset = new data.TensorDataset(table.x, table.y.unsqueeze(1));
  const results = [];
  for (const [name, make] of [
    ["single layer: Linear(2, 1) + Sigmoid", () => new SingleLayer()],
    ["two layers: Linear(2, 2) + Sigmoid, Linear(2, 1) + Sigmoid", () => new MultiLayer()],
  ] as const) {
    const progress = context.progress(name.split(":")[0], epochs);
    results.push(trainXor(name, make, dataset, epochs, (epoch, cost) => progress.update(epoch, cost)));
    progress.finish();
  }

  for (const result of results) {
    const rows = INPUTS.map(([a, b], i) => [a, b, a !== b ? 1 : 0, result.outputs[i], result.outputs[i] > 0.5 ? 1 : 0]);
    context.print(
      "",
      `  ${result.name}: final cost ${result.costs[result.costs.length - 1][1].toFixed(4)}`,
      ...formatTable(["x1", "x2", "xor", "output", "predicted"], rows, { indent: 4 }),
      `    ${result.learned ? "learned XOR: all four predictions right" : "did not learn XOR: no straight line separates the classes"}`,
    );
  }

  const [single, multi] = results;
  await context.charts.write(
    "xor-cost",
    lineChart({
      title: "XOR: cost per epoch",
      subtitle: "binary cross-entropy; the single layer stalls near log 2 ≈ 0.693, two layers keep falling",
      xTitle: "epoch",
      yTitle: "cost (BCE)",
      series: [
        { name: "single layer", points: single.costs },
        { name: "two layers", points: multi.costs },
      ],
    }),
  );
  const points = INPUTS.map(([x, y]) => ({ x, y, label: x !== y ? 1 : 0 }));
  for (const [file, result] of [
    ["xor-boundary-single-layer", single],
    ["xor-boundary-two-layers", multi],
  ] as const) {
    const grid = probabilityGrid((p) => result.model.forward(p), [-0.5, 1.5], [-0.5, 1.5]);
    await context.charts.write(
      file,
      decisionBoundaryChart({
        title: `XOR, ${result.name.split(":")[0]}: ${result.learned ? "learned" : "not learned"}`,
        subtitle: result.name.split(": ")[1],
        xTitle: "x1",
        yTitle: "x2",
        grid,
        points,
        classNames: ["False", "True"],
      }),
    );
  }
  return { single: single.learned, multi: multi.learned };
}
