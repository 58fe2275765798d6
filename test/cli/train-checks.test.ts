// Issue 11, items 6-10: `kindling train` says what is wrong in one line, before training, and never
// gives a silently wrong model: quoted newlines in messages, overflow-free standardisation and
// metrics, the output folder checked first, the model size estimated first, repeated options, and
// text that is not UTF-8.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as torch from "kindling";
import { main } from "../../src/cli/main.js";
import { regressionMetrics } from "../../src/cli/train/metrics.js";
import { MAX_PARAMETERS, standardiser } from "../../src/cli/train/train-command.js";
import { recordingIO } from "./recorder.js";

const dir = mkdtempSync(join(tmpdir(), "kindling-train-checks-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function csv(name: string, text: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function train(...args: string[]) {
  const io = recordingIO();
  const status = await main(["train", "--quiet", ...args], io);
  return { status, stdout: io.stdout.text, stderr: io.stderr.text };
}

/** The rows `kindling train --seed 0` puts in its training split (the command draws it the same way). */
function trainingRows(n: number, seed = 0): Set<number> {
  torch.manualSeed(seed);
  const trainSize = Math.floor(n * 0.8);
  const validationSize = Math.floor(n * 0.1);
  const [trainSet] = torch.data.randomSplit(
    new torch.data.TensorDataset(torch.arange(n)),
    [trainSize, validationSize, n - trainSize - validationSize],
    new torch.Generator().manualSeed(seed),
  );
  return new Set(trainSet!.indices);
}

const rows12 = Array.from({ length: 12 }, (_, i) => `${i},${i * 2},${i % 2 ? "True" : "False"}`);

test("6. a quoted newline in a numeric column is shown with JSON escapes: the message stays one line", async () => {
  const data = csv("newline.csv", `x,y,pass\n${rows12.slice(0, 3).join("\n")}\n"1\n2",5,True\n${rows12.slice(3).join("\n")}\n`);
  const run = await train("--csv", data, "--target", "pass");
  assert.equal(run.status, 1);
  assert.equal(run.stderr, `kindling: train: ${data}: line 5, column 'x': "1\\n2" is not a number; every input must be a number\n`);
  assert.equal(run.stderr.split("\n").length, 2, "one line");
  // the same escaping in the data layer's own error
  assert.throws(() => torch.data.parseCsv('x\n"a\r\nb"\n').column("x"), { message: `line 2, column 'x': "a\\r\\nb" is not a number` });
});

test("7. standardising a column with 1e308 in it: finite statistics, the column used, 100% accuracy", async () => {
  // 40 rows; the class is the sign of 'a', whose values are near +-1e308; 'b' is noise
  const lines = Array.from({ length: 40 }, (_, i) => `${(i % 2 ? 1 : -1) * (1 + (i % 7) / 10) * 1e307 * (i === 5 ? 10 : 1)},${(i * 37) % 11},${i % 2}`);
  const out = join(dir, "huge-input");
  const run = await train("--csv", csv("huge.csv", `a,b,label\n${lines.join("\n")}\n`), "--target", "label", "--epochs", "40", "--out", out);
  assert.equal(run.status, 0, run.stderr);
  const model = JSON.parse(readFileSync(join(out, "model.json"), "utf8"));
  for (const v of [...model.featureMean, ...model.featureStd]) assert.equal(typeof v, "number", "written as a number, not null");
  assert.ok(model.featureStd[0] > 1e306 && Number.isFinite(model.featureStd[0]));
  const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
  for (const split of ["training", "validation", "test"]) assert.equal(report.metrics[split].accuracy, 1, split);
});

test("7. a regression target with 1e300: finite RMSE and R², a model that fits", async () => {
  const lines = Array.from({ length: 200 }, (_, i) => {
    const a = (i % 20) / 2;
    const b = Math.floor(i / 20) - 5;
    return `${a},${b},${(3 * a - 2 * b + 0.1) * 1e300}`;
  });
  const out = join(dir, "huge-target");
  const run = await train("--csv", csv("huge-target.csv", `a,b,price\n${lines.join("\n")}\n`), "--target", "price", "--epochs", "60", "--out", out);
  assert.equal(run.status, 0, run.stderr);
  assert.doesNotMatch(run.stdout, /Infinity|NaN/);
  const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
  const { rmse, r2 } = report.metrics.test.regression;
  assert.ok(Number.isFinite(rmse) && rmse > 0 && rmse < 5e300, `RMSE ${rmse}`);
  assert.ok(r2 > 0.95, `R² ${r2}`);
  const model = JSON.parse(readFileSync(join(out, "model.json"), "utf8"));
  assert.ok(Number.isFinite(model.targetMean) && Number.isFinite(model.targetStd));
});

test("7. a value too far from the training rows to standardise is an error naming the column (exit 1)", async () => {
  const inTraining = trainingRows(40);
  const far = [...Array(40).keys()].find((i) => !inTraining.has(i))!;
  const lines = Array.from({ length: 40 }, (_, i) => `${i === far ? "1e308" : "0"},${i % 5},${i % 2}`);
  const run = await train("--csv", csv("far.csv", `a,b,label\n${lines.join("\n")}\n`), "--target", "label", "--epochs", "1", "--out", join(dir, "far"));
  assert.equal(run.status, 1);
  assert.match(run.stderr, /^kindling: train: .*far\.csv: input column 'a': the value 1e\+308 \(row \d+\) is too far from the training rows' \(mean 0, deviation 1\) to standardise\n$/);
});

test("7. the overflow-free statistics equal the plain formula's bits on ordinary data", () => {
  const values = Array.from({ length: 100 }, (_, i) => Math.sin(i) * 1000 + i / 7);
  const plainMean = values.reduce((s, v) => s + v, 0) / values.length;
  const plainStd = Math.sqrt(values.reduce((s, v) => s + (v - plainMean) ** 2, 0) / values.length);
  const s = standardiser(values, "x");
  assert.equal(s.mean, plainMean);
  assert.equal(s.std, plainStd);
  assert.equal(s.apply(values[3]!), (values[3]! - plainMean) / plainStd);
  const huge = standardiser([1e308, -1e308, 1.5e308, -1.7e308], "x");
  assert.ok(Number.isFinite(huge.mean) && Number.isFinite(huge.std));
  assert.ok(Math.abs(huge.apply(1e308) - (1e308 / 2 ** 1023 - huge.mean / 2 ** 1023) / (huge.std / 2 ** 1023)) < 1e-12);
  const constant = standardiser([5, 5, 5], "x");
  assert.deepEqual([constant.mean, constant.std, constant.apply(7)], [5, 1, 2]);
  const m = regressionMetrics([1e300, 2e300, 3e300], [1.5e300, 2e300, 2.5e300]);
  assert.ok(Math.abs(m.rmse - Math.sqrt(0.5 / 3) * 1e300) / 1e300 < 1e-12);
  assert.ok(Math.abs(m.mae - (1 / 3) * 1e300) / 1e300 < 1e-12);
  assert.ok(Math.abs(m.r2 - 0.75) < 1e-12);
});

test("8. --out naming a file, or a path through a file, fails before training", async () => {
  const data = csv("good.csv", `x,y,pass\n${rows12.join("\n")}\n`);
  const file = csv("README.md", "# not a folder\n");
  const start = performance.now();
  const run = await train("--csv", data, "--target", "pass", "--epochs", "100000", "--out", file);
  assert.equal(run.status, 1);
  assert.equal(run.stderr, `kindling: train: --out ${file} is a file, not a folder; name a folder for the model and the report\n`);
  assert.equal(run.stdout, "", "nothing trained");
  assert.ok(performance.now() - start < 5000);
  const through = await train("--csv", data, "--target", "pass", "--epochs", "100000", "--out", join(file, "sub"));
  assert.equal(through.status, 1);
  assert.equal(through.stderr, `kindling: train: cannot write to --out ${join(file, "sub")}: a part of the path is a file, not a folder\n`);
  assert.equal(readFileSync(file, "utf8"), "# not a folder\n");
});

test("9. a model too large is refused before it is built; --hidden 0 is refused like 8,0; a repeated option is an error", async () => {
  const data = csv("good9.csv", `x,y,pass\n${rows12.join("\n")}\n`);
  const start = performance.now();
  const big = await train("--csv", data, "--target", "pass", "--hidden", "100000000", "--out", join(dir, "big"));
  assert.equal(big.status, 1);
  assert.equal(
    big.stderr,
    `kindling: train: --hidden 100000000 makes a model of 400,000,001 parameters; kindling train builds at most ${MAX_PARAMETERS.toLocaleString("en-US")} (use narrower layers)\n`,
  );
  assert.ok(performance.now() - start < 5000, "refused at once");
  for (const hidden of ["0", "8,0"]) {
    const run = await train("--csv", data, "--target", "pass", "--hidden", hidden);
    assert.equal(run.status, 1);
    assert.equal(run.stderr, `kindling: train: --hidden must be layer widths like 8,8 (whole numbers >= 1) or 'none', got '${hidden}' (see 'kindling train --help')\n`);
  }
  const twice = await train("--csv", data, "--target", "pass", "--target", "x");
  assert.equal(twice.status, 1);
  assert.equal(twice.stderr, "kindling: train: --target is given twice ('pass' and 'x'); give it once (see 'kindling train --help')\n");
});

test("10. bytes that are not UTF-8 name their line; --encoding latin1 reads them", async () => {
  const enc = new TextEncoder();
  const rows = Array.from({ length: 12 }, (_, i) => `${i},${i % 3},${i % 2 ? "tea" : "caf\xe9"}`);
  // "café" written in Latin-1: é is the single byte 0xE9
  const text = `x,y,drink\n${rows.join("\n")}\n`;
  const latin1 = Uint8Array.from(text, (c) => c.charCodeAt(0));
  const data = csv("latin1.csv", latin1);
  const run = await train("--csv", data, "--target", "drink");
  assert.equal(run.status, 1);
  assert.equal(run.stderr, `kindling: train: ${data}: line 2: byte 0xE9 is not valid UTF-8; save the file as UTF-8, or read it with encoding "latin1"\n`);
  const ok = await train("--csv", data, "--target", "drink", "--encoding", "latin1", "--epochs", "2", "--out", join(dir, "latin1"));
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /binary classification \(café, tea\)/);
  // the same file in UTF-8 reads as the same classes
  const utf8 = csv("utf8.csv", enc.encode(text));
  const same = await train("--csv", utf8, "--target", "drink", "--epochs", "2", "--out", join(dir, "utf8"));
  assert.match(same.stdout, /binary classification \(café, tea\)/);
  // the data layer: readCsv names the line, and reads latin1 when asked
  assert.throws(() => torch.data.readCsv(data), { name: "CsvError", message: /^line 2: byte 0xE9 is not valid UTF-8/ });
  assert.equal(torch.data.readCsv(data, { encoding: "latin1" }).rawColumn("drink")[0], "café");
});
