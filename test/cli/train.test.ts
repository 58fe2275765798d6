import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as torch from "kindling";
import { makeBlobs, makePassFail, writeCsv } from "kindling/datasets";
import { main } from "../../src/cli/main.js";
import { recordingIO } from "./recorder.js";

const root = new URL("../..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "kindling-train-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function csv(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function train(...args: string[]) {
  const io = recordingIO();
  const status = await main(["train", "--quiet", ...args], io);
  return { status, stdout: io.stdout.text, stderr: io.stderr.text };
}

interface Report {
  task: string;
  classes: string[];
  rows: { training: number; validation: number; test: number };
  metrics: Record<string, { rows: number; cost: number; accuracy?: number; regression?: { rmse: number; r2: number } }>;
  confusionMatrix?: { labels: string[]; counts: number[][] };
  costs: number[];
}

test("a classifier on the pass/fail table: model, report and charts", async () => {
  const data = writeCsv(makePassFail({ n: 400, generator: new torch.Generator().manualSeed(1) }), join(dir, "pass-fail.csv"));
  const out = join(dir, "pass-fail-model");
  const run = await train("--csv", data, "--target", "pass", "--epochs", "30", "--out", out);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, "");
  assert.match(run.stdout, /task: binary classification \(False, True\)/);
  assert.match(run.stdout, /model: 3 → 8 → 8 → 1 \(ReLU\); adam lr 0\.01, batches of 32, 30 epochs, seed 0/);
  assert.match(run.stdout, /rows: 320 training, 40 validation, 40 test/);
  assert.match(run.stdout, /confusion matrix of the test set/);

  const report: Report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
  assert.equal(report.task, "binary");
  assert.deepEqual(report.classes, ["False", "True"]);
  assert.equal(report.costs.length, 30);
  assert.ok(report.costs[29] < report.costs[0], "the cost falls");
  assert.ok(report.metrics.test.accuracy! >= 0.85, `test accuracy ${report.metrics.test.accuracy}`);
  const counts = report.confusionMatrix!.counts.flat();
  assert.equal(counts.reduce((a, b) => a + b, 0), 40);

  const weights = torch.load(join(out, "model.safetensors")) as Record<string, torch.Tensor>;
  assert.deepEqual(Object.keys(weights).sort(), ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"]);
  assert.deepEqual(weights["0.weight"].shape, [8, 3]);
  const description = JSON.parse(readFileSync(join(out, "model.json"), "utf8"));
  assert.deepEqual(description.features, ["x", "y", "z"]);
  assert.equal(description.featureMean.length, 3);
  for (const file of ["cost.svg", "confusion.svg"]) assert.match(readFileSync(join(out, file), "utf8"), /^<svg /);
});

test("the same seed trains the same model", async () => {
  const data = writeCsv(makePassFail({ n: 100, generator: new torch.Generator().manualSeed(2) }), join(dir, "small.csv"));
  const a = await train("--csv", data, "--target", "pass", "--epochs", "3", "--out", join(dir, "a"), "--seed", "5");
  const b = await train("--csv", data, "--target", "pass", "--epochs", "3", "--out", join(dir, "b"), "--seed", "5");
  assert.equal(a.status, 0);
  assert.equal(b.status, 0);
  const read = (d: string) => JSON.parse(readFileSync(join(dir, d, "report.json"), "utf8")).costs;
  assert.deepEqual(read("a"), read("b"));
});

test("class names in words, several classes, and SGD", async () => {
  const blobs = makeBlobs({ n: 150, centers: [[0, 0], [6, 0], [0, 6]], generator: new torch.Generator().manualSeed(3) });
  const names = ["north", "east", "origin"];
  const rows = (blobs.x.tolist() as number[][]).map((r, i) => `${r[0]},${r[1]},${names[(blobs.y.tolist() as number[])[i]]}`);
  const data = csv("words.csv", `a,b,place\n${rows.join("\n")}\n`);
  const run = await train("--csv", data, "--target", "place", "--epochs", "20", "--optimizer", "sgd", "--hidden", "none", "--out", join(dir, "words"));
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /3-class classification \(east, north, origin\)/);
  assert.match(run.stdout, /2 → 3 \(linear\); sgd lr 0\.1/);
  const report: Report = JSON.parse(readFileSync(join(dir, "words", "report.json"), "utf8"));
  assert.ok(report.metrics.test.accuracy! >= 0.9, `accuracy ${report.metrics.test.accuracy}`);
});

test("a numeric target with many values is a regression", async () => {
  const lines = Array.from({ length: 200 }, (_, i) => {
    const a = (i % 20) / 2;
    const b = Math.floor(i / 20) - 5;
    return `${a},${b},${3 * a - 2 * b + 0.1}`;
  });
  const data = csv("reg.csv", `a,b,price\n${lines.join("\n")}\n`);
  const out = join(dir, "reg");
  const run = await train("--csv", data, "--target", "price", "--epochs", "60", "--out", out);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /task: regression/);
  const report: Report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
  assert.ok(report.metrics.test.regression!.r2 > 0.95, `R² ${report.metrics.test.regression!.r2}`);
  assert.ok(existsSync(join(out, "predictions.svg")));
  const forced = await train("--csv", data, "--target", "price", "--task", "classification", "--epochs", "1", "--out", join(dir, "forced"));
  assert.equal(forced.status, 0, forced.stderr);
  assert.match(forced.stdout, /-class classification/);
});

test("mistakes in the data are one line naming the file, line and column", async () => {
  const good = `x,y,pass\n${Array.from({ length: 12 }, (_, i) => `${i},${i * 2},${i % 2 ? "True" : "False"}`).join("\n")}`;
  const cases: Array<[string[], string]> = [
    [["--csv", join(dir, "nope.csv"), "--target", "pass"], `kindling: train: no such file '${join(dir, "nope.csv")}'`],
    [["--csv", dir, "--target", "pass"], `kindling: train: '${dir}' is not a file`],
    [["--csv", csv("good.csv", good), "--target", "passed"], `kindling: train: ${join(dir, "good.csv")} has no column 'passed'; its columns are 'x', 'y', 'pass'`],
    [
      ["--csv", csv("word.csv", good.replace("\n4,8,", "\n4,eight,")), "--target", "pass"],
      `kindling: train: ${join(dir, "word.csv")}: line 6, column 'y': "eight" is not a number; every input must be a number`,
    ],
    [
      ["--csv", csv("empty.csv", good.replace("\n7,14,", "\n,14,")), "--target", "pass"],
      `kindling: train: ${join(dir, "empty.csv")}: line 9, column 'x' is empty; every input must be a number`,
    ],
    [
      ["--csv", csv("notarget.csv", good.replace("\n3,6,True", "\n3,6,")), "--target", "pass"],
      `kindling: train: ${join(dir, "notarget.csv")}: line 5, column 'pass' is empty; every row needs a target`,
    ],
    [
      ["--csv", csv("quote.csv", good.replace("\n5,10,", '\n"5,10,')), "--target", "pass"],
      `kindling: train: ${join(dir, "quote.csv")}: line 7: a quoted field starts on this line and its closing quote is missing`,
    ],
    [["--csv", csv("short.csv", "x,pass\n1,True\n2,False\n"), "--target", "pass"], `kindling: train: ${join(dir, "short.csv")} has 2 rows; training needs at least 10`],
    [["--csv", csv("one.csv", "pass\nTrue\n"), "--target", "pass"], `kindling: train: ${join(dir, "one.csv")} has only the target column 'pass'; there is nothing to learn from`],
    [["--csv", join(dir, "good.csv"), "--target", "pass", "--lr", "fast"], "kindling: train: --lr must be a number > 0, got 'fast' (see 'kindling train --help')"],
    [["--csv", join(dir, "good.csv"), "--target", "pass", "--hidden", "8,,8"], "kindling: train: --hidden must be layer widths like 8,8 (whole numbers >= 1) or 'none', got '8,,8' (see 'kindling train --help')"],
    [["--target", "pass"], "kindling: train: --csv FILE is required (see 'kindling train --help')"],
  ];
  for (const [args, message] of cases) {
    const run = await train(...args);
    assert.equal(run.status, 1, args.join(" "));
    assert.equal(run.stderr, `${message}\n`);
    assert.equal(run.stdout, "");
  }
});

test("from the shell: a bad row exits 1 with one line on stderr, no stack trace", () => {
  const bad = csv("shell.csv", "x,y,pass\n1,2,True\n3,abc,False\n");
  const run = spawnSync(process.execPath, [join(root, "bin/kindling.mjs"), "train", "--csv", bad, "--target", "pass"], { encoding: "utf8" });
  assert.equal(run.status, 1);
  assert.equal(run.stdout, "");
  assert.equal(run.stderr, `kindling: train: ${bad}: line 3, column 'y': "abc" is not a number; every input must be a number\n`);
});

const chapterCsv = join(root, "../shared/datasets/binary.csv");
test("trains on the chapter's own binary.csv when it is beside the checkout", { skip: !existsSync(chapterCsv) && "no ../shared/datasets" }, async () => {
  const out = join(dir, "binary");
  const run = await train("--csv", chapterCsv, "--target", "pass", "--epochs", "20", "--out", out);
  assert.equal(run.status, 0, run.stderr);
  const report: Report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
  assert.deepEqual(report.rows, { training: 800, validation: 100, test: 100 });
  assert.ok(report.metrics.test.accuracy! >= 0.9, `accuracy ${report.metrics.test.accuracy}`);
});
