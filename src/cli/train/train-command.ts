// `kindling train`: a classifier or regressor fitted to any CSV file, written as safetensors weights
// with a JSON description, a report of its metrics, and charts of the cost and of its mistakes.
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import * as torch from "../../index.js";
import { data, optim } from "../../index.js";
import { type CommandSpec, choiceOption, intListOption, intOption, positiveOption, stringOption } from "../args.js";
import { confusionMatrixChart, lineChart, scatterChart } from "../charts.js";
import type { Command } from "../command.js";
import { CliError } from "../errors.js";
import { printer } from "../io.js";
import { Progress } from "../progress.js";
import { ChartWriter } from "../render-svg.js";
import { formatTable } from "../table.js";
import { evaluateCost, trainEpoch } from "../training.js";
import { loadTrainingTable } from "./load-table.js";
import { accuracy, confusionMatrix, type RegressionMetrics, regressionMetrics } from "./metrics.js";
import { buildNetwork, criterionFor, decode, type ModelDescription, outputsFor } from "./model.js";
import { chooseTask, type TaskRequest } from "./task.js";

const OPTIMIZERS = ["adam", "sgd"] as const;
const TASKS = ["auto", "classification", "regression"] as const satisfies readonly TaskRequest[];
const DEFAULT_LR = { adam: 0.01, sgd: 0.1 };
const ENCODINGS = ["utf8", "latin1"] as const;
/** The most parameters `kindling train` builds: a 10-million-weight MLP already needs hundreds of MB with Adam's state. */
export const MAX_PARAMETERS = 10_000_000;

const spec: CommandSpec = {
  name: "train",
  summary: "Train a classifier or regressor on a CSV file and write the model with a report.",
  description:
    "Every column but the target is an input (numbers; True/False read as 1/0). The target decides the task:\n" +
    "True/False, a few whole numbers or words make a classifier, other numbers a regressor (--task overrides).\n" +
    "Rows are split 80/10/10 into training, validation and test sets; inputs are standardised with the\n" +
    "training rows' mean and deviation. Written to --out: model.safetensors (the weights, readable by\n" +
    "PyTorch's safetensors), model.json (how to use them), report.json, cost.svg, and confusion.svg for a\n" +
    "classifier or predictions.svg for a regressor; with --onnx also model.onnx (ONNX, any batch size:\n" +
    "input 'input' of standardised features, output 'output' as the network gives it).",
  options: [
    { name: "csv", type: "string", value: "FILE", help: "the table to learn from, with a header row", required: true },
    { name: "target", type: "string", value: "COLUMN", help: "the column to predict", required: true },
    { name: "hidden", type: "string", value: "W1,W2", help: "widths of the hidden ReLU layers ('none' for a linear model)", defaultText: "8,8" },
    { name: "epochs", type: "string", value: "N", help: "passes over the training rows", defaultText: "100" },
    { name: "lr", type: "string", value: "X", help: "learning rate", defaultText: "0.01 for adam, 0.1 for sgd" },
    { name: "optimizer", type: "string", value: "NAME", help: "sgd or adam", defaultText: "adam" },
    { name: "batch-size", type: "string", value: "N", help: "rows per step", defaultText: "32" },
    { name: "task", type: "string", value: "TASK", help: "auto, classification or regression", defaultText: "auto" },
    { name: "seed", type: "string", value: "N", help: "seed for the split, the initial weights and the shuffling", defaultText: "0" },
    { name: "out", type: "string", value: "DIR", help: "folder for the model, the report and the charts", defaultText: "out/<csv name>" },
    { name: "encoding", type: "string", value: "NAME", help: "the CSV file's text encoding: utf8 or latin1", defaultText: "utf8" },
    { name: "onnx", type: "boolean", help: "also write model.onnx, for ONNX Runtime" },
    { name: "quiet", type: "boolean", help: "no progress bar" },
  ],
  examples: [
    "kindling train --csv out/pass-fail.csv --target pass",
    "kindling train --csv data.csv --target price --hidden 32,16 --epochs 200 --optimizer sgd --lr 0.05",
  ],
};

interface SplitResult {
  rows: number;
  cost: number;
  accuracy?: number;
  regression?: RegressionMetrics;
}

export const trainCommand: Command = {
  spec,
  async run(options, io) {
    const print = printer(io.stdout);
    const file = stringOption(options, "csv")!;
    const target = stringOption(options, "target")!;
    const hidden = intListOption(spec, options, "hidden", [8, 8]);
    const epochs = intOption(spec, options, "epochs", 100, 1);
    const optimizerName = choiceOption(spec, options, "optimizer", OPTIMIZERS, "adam");
    const lr = positiveOption(spec, options, "lr", DEFAULT_LR[optimizerName]);
    const batchSize = intOption(spec, options, "batch-size", 32, 1);
    const taskRequest = choiceOption(spec, options, "task", TASKS, "auto");
    const seed = intOption(spec, options, "seed", 0);
    const outDir = stringOption(options, "out", join("out", basename(file, extname(file)) || "model"));
    const encoding = choiceOption(spec, options, "encoding", ENCODINGS, "utf8");

    const table = loadTrainingTable(file, target, { encoding });
    const task = chooseTask(table, taskRequest);
    const n = table.x.length;
    const d = table.featureNames.length;
    // Before any training: a model too large to build, and an output folder that cannot be written.
    checkModelSize(d, hidden, outputsFor(task.kind, task.classes.length));
    prepareOutDir(outDir);

    // the split: 80/10/10 of the row indices, drawn from the seed
    torch.manualSeed(seed);
    const trainSize = Math.floor(n * 0.8);
    const validationSize = Math.floor(n * 0.1);
    const splitIndices = data
      .randomSplit(new data.TensorDataset(torch.arange(n)), [trainSize, validationSize, n - trainSize - validationSize], new torch.Generator().manualSeed(seed))
      .map((s) => [...s.indices]);
    const [trainIdx] = splitIndices;

    // standardise inputs with the training rows' statistics (a constant column keeps std 1), without overflow
    const featureStats = table.featureNames.map((name, j) =>
      standardiser(
        trainIdx.map((i) => table.x[i][j]),
        `input column '${name}'`,
      ),
    );
    const mean = featureStats.map((s) => s.mean);
    const std = featureStats.map((s) => s.std);
    const standardised = table.x.map((row, i) =>
      row.map((v, j) => {
        const z = featureStats[j].apply(v);
        if (!Number.isFinite(Math.fround(z))) {
          throw new CliError(
            `train: ${file}: input column '${table.featureNames[j]}': the value ${v} (row ${i + 1}) is too far from the training rows' (mean ${mean[j]}, deviation ${std[j]}) to standardise`,
          );
        }
        return z;
      }),
    );
    const x = torch.tensor(standardised);
    let targetMean: number | undefined;
    let targetStd: number | undefined;
    let y: torch.Tensor;
    if (task.kind === "multiclass") {
      y = torch.tensor(task.targets.map(BigInt));
    } else if (task.kind === "binary") {
      y = torch.tensor(task.targets).unsqueeze(1);
    } else {
      const stats = standardiser(
        trainIdx.map((i) => task.targets[i]),
        `target column '${target}'`,
      );
      targetMean = stats.mean;
      targetStd = stats.std;
      const z = task.targets.map((t) => stats.apply(t));
      const far = z.findIndex((v) => !Number.isFinite(Math.fround(v)));
      if (far >= 0) {
        throw new CliError(
          `train: ${file}: target column '${target}': the value ${task.targets[far]} (row ${far + 1}) is too far from the training rows' (mean ${targetMean}, deviation ${targetStd}) to standardise`,
        );
      }
      y = torch.tensor(z).unsqueeze(1);
    }
    const dataset = new data.TensorDataset(x, y);
    const [trainSet, validationSet, testSet] = splitIndices.map((indices) => new data.Subset(dataset, indices));
    const loaderGenerator = new torch.Generator().manualSeed(seed);
    const trainLoader = new data.DataLoader(trainSet, { batchSize, shuffle: true, generator: loaderGenerator });
    const validationLoader = new data.DataLoader(validationSet, { batchSize });

    const model = buildNetwork(d, hidden, outputsFor(task.kind, task.classes.length));
    const criterion = criterionFor(task.kind);
    const optimizer = optimizerName === "adam" ? new optim.Adam(model.parameters(), { lr }) : new optim.SGD(model.parameters(), { lr });

    const taskText =
      task.kind === "regression"
        ? "regression (mean squared error)"
        : `${task.kind === "binary" ? "binary" : `${task.classes.length}-class`} classification (${task.classes.join(", ")})`;
    print(
      `kindling train: ${file}, ${n} rows; predicting '${target}' from ${table.featureNames.map((f) => `'${f}'`).join(", ")}`,
      `  task: ${taskText}`,
      `  model: ${describe(d, hidden, outputsFor(task.kind, task.classes.length))}; ${optimizerName} lr ${lr}, batches of ${batchSize}, ${epochs} epochs, seed ${seed}`,
      `  rows: ${trainSet.length} training, ${validationSet.length} validation, ${testSet.length} test`,
    );

    const costs: Array<[number, number]> = [];
    const validationCosts: Array<[number, number]> = [];
    const progress = new Progress({ label: "train", total: epochs, stream: io.stderr, mode: options.quiet ? "quiet" : undefined });
    const net = model as typeof model & { forward(x: torch.Tensor): torch.Tensor };
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const cost = trainEpoch(net, trainLoader as data.DataLoader<torch.Tensor[]>, criterion, optimizer);
      if (!Number.isFinite(cost)) {
        progress.finish();
        throw new CliError(`train: the cost became ${cost} at epoch ${epoch}; try a smaller --lr (now ${lr})`);
      }
      costs.push([epoch, cost]);
      validationCosts.push([epoch, evaluateCost(net, validationLoader as data.DataLoader<torch.Tensor[]>, criterion)]);
      progress.update(epoch, cost);
    }
    progress.finish();

    // evaluation of every split at once
    const description: ModelDescription = {
      format: "kindling-mlp",
      version: 1,
      task: task.kind,
      features: table.featureNames,
      target,
      classes: task.classes,
      hidden,
      activation: "relu",
      output: task.kind === "binary" ? "logit" : task.kind === "multiclass" ? "logits" : "standardised value",
      featureMean: mean,
      featureStd: std,
      ...(task.kind === "regression" ? { targetMean, targetStd } : {}),
    };
    const names = ["training", "validation", "test"] as const;
    const results: Record<(typeof names)[number], SplitResult> = {} as never;
    let testPredictions: number[] = [];
    let testActual: number[] = [];
    torch.noGrad(() => {
      model.eval();
      names.forEach((name, k) => {
        const indices = splitIndices[k];
        const result: SplitResult = { rows: indices.length, cost: Number.NaN };
        if (indices.length > 0) {
          const index = torch.tensor(indices.map(BigInt));
          const outputs = net.forward(x.indexSelect(0, index));
          result.cost = criterion.forward(outputs, y.indexSelect(0, index)).item();
          const predicted = decode(task.kind, outputs, description);
          const actual = indices.map((i) => task.targets[i]);
          if (task.kind === "regression") result.regression = regressionMetrics(actual, predicted);
          else result.accuracy = accuracy(actual, predicted);
          if (name === "test") {
            testPredictions = predicted;
            testActual = actual;
          }
        }
        results[name] = result;
      });
    });

    const modelPath = join(outDir, "model.safetensors");
    torch.save(model.stateDict(), modelPath, { metadata: { kindling: JSON.stringify(description) } });
    const onnxPath = options.onnx ? join(outDir, "model.onnx") : null;
    if (onnxPath) {
      const dynamicAxes = { input: { 0: "batch" }, output: { 0: "batch" } };
      torch.onnx.export(model, x.narrow(0, 0, Math.min(n, 2)), onnxPath, { inputNames: ["input"], outputNames: ["output"], dynamicAxes });
    }
    const descriptionPath = join(outDir, "model.json");
    const files = { weights: "model.safetensors", ...(onnxPath ? { onnx: "model.onnx" } : {}) };
    writeFileSync(descriptionPath, `${JSON.stringify({ ...description, ...files, layers: model.toString() }, null, 2)}\n`);

    const charts = new ChartWriter(outDir);
    await charts.write(
      "cost",
      lineChart({
        title: `Training on ${basename(file)}: cost per epoch`,
        subtitle: `${criterionName(task.kind)}; ${describe(d, hidden, outputsFor(task.kind, task.classes.length))}, ${optimizerName} lr ${lr}`,
        xTitle: "epoch",
        yTitle: `cost (${criterionName(task.kind)})`,
        series: [
          { name: "training", points: costs },
          { name: "validation", points: validationCosts, dashed: true },
        ],
      }),
    );
    let matrix: number[][] | undefined;
    if (task.kind === "regression") {
      await charts.write(
        "predictions",
        scatterChart({
          title: `Test set: predicted against actual '${target}'`,
          subtitle: `RMSE ${fmt(results.test.regression?.rmse)}, R² ${fmt(results.test.regression?.r2)}; the dashed line is a perfect prediction`,
          xTitle: `actual ${target}`,
          yTitle: `predicted ${target}`,
          points: testActual.map((a, i) => ({ x: a, y: testPredictions[i] })),
          diagonal: true,
        }),
      );
    } else {
      matrix = confusionMatrix(testActual, testPredictions, task.classes.length);
      await charts.write(
        "confusion",
        confusionMatrixChart({
          title: `Test set: '${target}'`,
          subtitle: `accuracy ${pct(results.test.accuracy)} on ${results.test.rows} held-out rows`,
          labels: task.classes,
          matrix,
        }),
      );
    }
    const reportPath = join(outDir, "report.json");
    writeFileSync(
      reportPath,
      `${JSON.stringify(
        {
          csv: file,
          target,
          task: task.kind,
          classes: task.classes,
          rows: { training: results.training.rows, validation: results.validation.rows, test: results.test.rows },
          settings: { hidden, epochs, optimizer: optimizerName, lr, batchSize, seed },
          metrics: results,
          confusionMatrix: matrix ? { rows: "actual", columns: "predicted", labels: task.classes, counts: matrix } : undefined,
          costs: costs.map(([, c]) => c),
          validationCosts: validationCosts.map(([, c]) => c),
        },
        null,
        2,
      )}\n`,
    );

    const header = task.kind === "regression" ? ["set", "rows", "cost", "RMSE", "MAE", "R²"] : ["set", "rows", "cost", "accuracy %"];
    const rows = names.map((name) => {
      const r = results[name];
      return task.kind === "regression"
        ? [name, r.rows, r.cost, r.regression?.rmse ?? Number.NaN, r.regression?.mae ?? Number.NaN, r.regression?.r2 ?? Number.NaN]
        : [name, r.rows, r.cost, pct(r.accuracy).replace("%", "")];
    });
    print("", ...formatTable(header, rows, { rightAlign: header.map((_, j) => j > 0) }));
    if (matrix) {
      print(
        "",
        "  confusion matrix of the test set (rows: actual, columns: predicted)",
        ...formatTable(
          ["", ...task.classes],
          matrix.map((row, i) => [task.classes[i], ...row]),
          { indent: 4, rightAlign: [false, ...task.classes.map(() => true)] },
        ),
      );
    }
    print("", `Written to ${outDir}:`, ...[modelPath, ...(onnxPath ? [onnxPath] : []), descriptionPath, reportPath, ...charts.files].map((f) => `  ${f}`));
  },
};

/**
 * Mean and deviation of a column (population, as before), computed on values divided by a power of
 * two near their largest magnitude when that is extreme, so that neither the sum nor the squares
 * overflow (1e308 is a usable input) or underflow. Dividing by a power of two is exact, so ordinary
 * columns get the same bits as the plain formula. `apply` is (v - mean) / std, in the scaled units
 * when the plain difference would overflow. A column whose statistics cannot be represented is a
 * CliError naming it.
 */
export function standardiser(values: readonly number[], what: string): { mean: number; std: number; apply: (v: number) => number } {
  const n = values.length;
  let largest = 0;
  for (const v of values) largest = Math.max(largest, Math.abs(v));
  if (n === 0 || largest === 0) return { mean: 0, std: 1, apply: (v) => v };
  const exponent = Math.floor(Math.log2(largest));
  const scale = exponent > 500 || exponent < -500 ? 2 ** exponent : 1;
  let sum = 0;
  for (const v of values) sum += v / scale;
  const scaledMean = sum / n;
  let squares = 0;
  for (const v of values) squares += (v / scale - scaledMean) ** 2;
  const scaledStd = Math.sqrt(squares / n);
  const mean = scaledMean * scale;
  const std = scaledStd > 0 ? scaledStd * scale : 1; // a constant column keeps std 1
  if (!Number.isFinite(mean) || !Number.isFinite(std) || std === 0) {
    throw new CliError(`train: ${what} cannot be standardised: its mean (${mean}) or deviation (${std}) is not a usable number; rescale the column`);
  }
  const apply = (v: number): number => {
    const z = (v - mean) / std;
    return Number.isFinite(z) || scaledStd === 0 ? z : (v / scale - scaledMean) / scaledStd;
  };
  return { mean, std, apply };
}

/** Parameters of Linear(inputs, h1), ..., Linear(hk, outputs); refuses a model too large to train. */
function checkModelSize(inputs: number, hidden: readonly number[], outputs: number): void {
  let count = 0;
  let width = inputs;
  for (const h of [...hidden, outputs]) {
    count += width * h + h;
    width = h;
  }
  if (count > MAX_PARAMETERS) {
    throw new CliError(
      `train: --hidden ${hidden.join(",")} makes a model of ${count.toLocaleString("en-US")} parameters; kindling train builds at most ${MAX_PARAMETERS.toLocaleString("en-US")} (use narrower layers)`,
    );
  }
}

/** Creates the output folder and proves it writable, so a bad --out fails before training, not after. */
function prepareOutDir(outDir: string): void {
  let existing: ReturnType<typeof statSync> | undefined;
  try {
    existing = statSync(outDir, { throwIfNoEntry: false });
  } catch {
    existing = undefined; // e.g. a path through a file: mkdir below names the problem
  }
  if (existing && !existing.isDirectory()) throw new CliError(`train: --out ${outDir} is a file, not a folder; name a folder for the model and the report`);
  const probe = join(outDir, `.kindling-write-test-${process.pid}`);
  try {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(probe, "");
    rmSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "EACCES" || code === "EPERM" || code === "EROFS"
        ? "permission denied"
        : code === "ENOTDIR"
          ? "a part of the path is a file, not a folder"
          : code === "ENOENT"
            ? "no such folder"
            : (error as Error).message;
    throw new CliError(`train: cannot write to --out ${outDir}: ${reason}`, { cause: error });
  }
}

function describe(inputs: number, hidden: readonly number[], outputs: number): string {
  return [inputs, ...hidden, outputs].join(" → ") + (hidden.length ? " (ReLU)" : " (linear)");
}

function criterionName(kind: string): string {
  return kind === "binary" ? "BCE with logits" : kind === "multiclass" ? "cross-entropy" : "MSE, standardised target";
}

function fmt(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? "n/a" : v.toFixed(4);
}

function pct(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? "n/a" : `${(100 * v).toFixed(1)}%`;
}
