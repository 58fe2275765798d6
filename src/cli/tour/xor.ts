// Tour step 4: XOR. A single-layer perceptron draws one straight line and cannot separate XOR; two
// layers can. Both are trained on the chapter's generated XOR table, with their cost curves and the
// regions each ends up calling true.
import { join } from "node:path";
import { writeCsv } from "../../datasets/index.js";
import { probabilityGrid } from "../boundary.js";
import { decisionBoundaryChart, lineChart } from "../charts.js";
import { formatTable } from "../table.js";
import { heading, type TourContext } from "./context.js";
import { MultiLayer, SingleLayer, trainXor, XOR_EPOCHS, XOR_INPUTS as INPUTS, XOR_LR, XOR_SEED as SEED, xorDataset, xorTable } from "./xor-training.js";

export { trainXor, XOR_EPOCHS, XOR_LR, type XorResult } from "./xor-training.js";

export async function xorSection(context: TourContext): Promise<{ single: boolean; multi: boolean }> {
  const epochs = Math.max(1, Math.round(XOR_EPOCHS * context.epochScale));
  const table = xorTable();
  const csv = writeCsv(table, join(context.outDir, "xor.csv"));
  heading(
    context,
    4,
    "XOR: one layer cannot, two layers can",
    `The chapter's XOR table (1000 rows of two random bits and their exclusive or; written to ${csv}).`,
    `Both models: torch.manualSeed(${SEED}), batches of 64, BCELoss, SGD lr = ${XOR_LR}, ${epochs} epochs`,
    "(the chapter uses lr = 0.01 for 10,000 epochs).",
  );
  const dataset = xorDataset(table);
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
