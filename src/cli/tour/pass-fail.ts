// Tour step 3: the chapter's binary classification. A generated pass/fail table of three marks,
// split 80/10/10, one Linear+Sigmoid layer trained with binary cross-entropy and SGD as the chapter
// does, with its cost curve and its accuracy on the held-out rows.
import { join } from "node:path";
import * as torch from "../../index.js";
import { makePassFail, writeCsv } from "../../datasets/index.js";
import { confusionMatrixChart, lineChart } from "../charts.js";
import { formatTable } from "../table.js";
import { heading, type TourContext } from "./context.js";
import { assess, PASS_FAIL_EPOCHS, PASS_FAIL_LR as LR, PASS_FAIL_SCALE as SCALE, PassFailTrainer, passRule } from "./pass-fail-training.js";

export { PASS_FAIL_EPOCHS } from "./pass-fail-training.js";

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

  const trainer = new PassFailTrainer(table.x, table.y);
  const initial = trainer.weights();

  const rows: number[][] = [];
  const progress = context.progress("pass/fail", epochs);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const { cost, validationCost } = trainer.epoch();
    if (epoch % Math.max(1, Math.floor(epochs / 8)) === 0 || epoch === 1 || epoch === epochs) {
      const { correct, total } = assess(trainer.model, trainer.validationLoader);
      rows.push([epoch, cost, validationCost, (100 * correct) / total]);
    }
    progress.update(epoch, cost);
  }
  progress.finish();

  const test = assess(trainer.model, trainer.testLoader);
  const testAccuracy = test.correct / test.total;
  const { weight: learned, bias } = trainer.weights();
  const rule = passRule({ weight: learned, bias });
  const fmt = (values: number[]) => `[${values.map((v) => v.toFixed(4)).join(", ")}]`;
  context.print(
    "",
    `  rows: ${trainer.sizes.training} training, ${trainer.sizes.validation} validation, ${trainer.sizes.test} test; ${trainer.trainLoader.length} batches an epoch`,
    `  initial weight ${fmt(initial.weight)}, bias ${initial.bias.toFixed(4)}`,
    "",
    ...formatTable(["epoch", "cost", "validation cost", "validation accuracy %"], rows),
    "",
    `  learned weight ${fmt(learned)}, bias ${bias.toFixed(4)}:`,
    `  the model says pass when ${learned.map((w, i) => `${w.toFixed(2)}·${"xyz"[i]}`).join(" + ")} ≥ ${rule.threshold.toFixed(1)},`,
    `  roughly "the mean mark is at least ${rule.meanMark.toFixed(1)}" (the rule: all ≥ 40 and mean ≥ 60)`,
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
        { name: "training", points: trainer.training },
        { name: "validation", points: trainer.validation, dashed: true },
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
