// Tour step 3: the chapter's binary classification. A generated pass/fail table of three marks,
// split 80/10/10, one Linear+Sigmoid layer trained with binary cross-entropy and SGD as the chapter
// does, with its cost curve and its accuracy on the held-out rows.
import { join } from "node:path";
import * as torch from "../../index.js";
import { data, nn, optim } from "../../index.js";
import { makePassFail, writeCsv } from "../../datasets/index.js";
import { confusionMatrixChart, lineChart } from "../charts.js";
import { formatTable } from "../table.js";
import { evaluateCost, trainEpoch } from "../training.js";
import { heading, type TourContext } from "./context.js";

/** The tour's epochs; the chapter runs 10,000. */
export const PASS_FAIL_EPOCHS = 40;
// The chapter feeds raw marks at lr = 0.0001. From PyTorch's initial weights for seed 4 the sigmoid
// then starts saturated (z far below 0 for high marks), where its gradient vanishes and SGD hardly
// moves. Marks divided by 100 keep z near 0, so a larger rate learns in a few epochs.
const LR = 0.5;
const SCALE = 100;

class CustomModel extends nn.Module {
  layer = new nn.Sequential(new nn.Linear(3, 1), new nn.Sigmoid());

  override forward(x: torch.Tensor): torch.Tensor {
    return this.layer.forward(x);
  }
}

type Batch = torch.Tensor[];

/** Correct predictions (output ≥ 0.5 means pass) and the confusion counts [actual][predicted]. */
function assess(model: CustomModel, loader: data.DataLoader<Batch>): { correct: number; total: number; matrix: number[][] } {
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

export async function passFailSection(context: TourContext): Promise<{ testAccuracy: number }> {
  const epochs = Math.max(1, Math.round(PASS_FAIL_EPOCHS * context.epochScale));
  const table = makePassFail({ n: 1000, generator: new torch.Generator().manualSeed(0) });
  const csv = writeCsv(table, join(context.outDir, "pass-fail.csv"));
  heading(
    context,
    3,
    "Binary classification: pass or fail",
    "A generated table shaped like the chapter's: marks x, y, z in 0..100, 'pass' when all three are",
    `at least 40 and their mean at least 60 (1000 rows, half passing; written to ${csv}).`,
    `One Linear(3, 1) + Sigmoid layer on the marks / ${SCALE}, BCELoss, SGD lr = ${LR}, batches of 4, ${epochs} epochs.`,
    "(The chapter feeds raw marks at lr = 0.0001 for 10,000 epochs; on raw marks the sigmoid starts",
    "saturated and its gradient all but vanishes, so the tour scales them to 0..1 and steps faster.)",
  );

  const dataset = new data.TensorDataset(table.x.div(SCALE), table.y.unsqueeze(1));
  const trainSize = Math.floor(dataset.length * 0.8);
  const validationSize = Math.floor(dataset.length * 0.1);
  const testSize = dataset.length - trainSize - validationSize;
  const [trainDataset, validationDataset, testDataset] = data.randomSplit(dataset, [trainSize, validationSize, testSize], torch.manualSeed(4));
  const trainLoader = new data.DataLoader(trainDataset, { batchSize: 4, shuffle: true, dropLast: true });
  const validationLoader = new data.DataLoader(validationDataset, { batchSize: 4, shuffle: true, dropLast: true });
  const testLoader = new data.DataLoader(testDataset, { batchSize: 4, shuffle: true, dropLast: true });

  const model = new CustomModel();
  const criterion = new nn.BCELoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: LR });
  const linear = model.layer.at(0);
  const initial = { weight: (linear.weight.tolist() as number[][])[0], bias: (linear.bias.tolist() as number[])[0] };

  const training: Array<[number, number]> = [];
  const validation: Array<[number, number]> = [];
  const rows: number[][] = [];
  const progress = context.progress("pass/fail", epochs);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const cost = trainEpoch(model, trainLoader, criterion, optimizer);
    const validationCost = evaluateCost(model, validationLoader, criterion);
    training.push([epoch, cost]);
    validation.push([epoch, validationCost]);
    if (epoch % Math.max(1, Math.floor(epochs / 8)) === 0 || epoch === 1 || epoch === epochs) {
      const { correct, total } = assess(model, validationLoader);
      rows.push([epoch, cost, validationCost, (100 * correct) / total]);
    }
    progress.update(epoch, cost);
  }
  progress.finish();

  const test = assess(model, testLoader);
  const testAccuracy = test.correct / test.total;
  const learned = (linear.weight.tolist() as number[][])[0];
  const bias = (linear.bias.tolist() as number[])[0];
  const fmt = (values: number[]) => `[${values.map((v) => v.toFixed(4)).join(", ")}]`;
  context.print(
    "",
    `  rows: ${trainDataset.length} training, ${validationDataset.length} validation, ${testDataset.length} test; ${trainLoader.length} batches an epoch`,
    `  initial weight ${fmt(initial.weight)}, bias ${initial.bias.toFixed(4)}`,
    "",
    ...formatTable(["epoch", "cost", "validation cost", "validation accuracy %"], rows),
    "",
    `  learned weight ${fmt(learned)}, bias ${bias.toFixed(4)}:`,
    `  the model says pass when ${learned.map((w, i) => `${w.toFixed(2)}·${"xyz"[i]}`).join(" + ")} ≥ ${(-bias * SCALE).toFixed(1)},`,
    `  roughly "the mean mark is at least ${((-bias * SCALE) / learned.reduce((a, b) => a + b, 0)).toFixed(1)}" (the rule: all ≥ 40 and mean ≥ 60)`,
    `  test accuracy: ${test.correct} of ${test.total} = ${(100 * testAccuracy).toFixed(1)}%`,
  );
  await context.charts.write(
    "pass-fail-cost",
    lineChart({
      title: "Pass/fail: cost per epoch",
      subtitle: `binary cross-entropy, mean over the batches; Linear(3, 1) + Sigmoid, SGD lr = ${LR}`,
      xTitle: "epoch",
      yTitle: "cost (BCE)",
      series: [
        { name: "training", points: training },
        { name: "validation", points: validation, dashed: true },
      ],
    }),
  );
  await context.charts.write(
    "pass-fail-confusion",
    confusionMatrixChart({
      title: "Pass/fail: test set",
      subtitle: `accuracy ${(100 * testAccuracy).toFixed(1)}% on ${test.total} held-out rows`,
      labels: ["fail", "pass"],
      matrix: test.matrix,
    }),
  );
  return { testAccuracy };
}
