// The chapter's programs in examples/ run as a reader runs them, on tables kindling generates.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

const root = new URL("../..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "kindling-examples-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function example(file: string, ...args: string[]): string {
  const run = spawnSync(process.execPath, ["--import", "tsx", join(root, "examples", file), ...args], { cwd: root, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

test("examples/activations.ts prints each activation and its derivative", () => {
  const out = example("activations.ts");
  assert.match(out, /sigmoid {4}y {2}= tensor\(\[0\.1192, 0\.2689, 0\.5000, 0\.7311, 0\.8808\], dtype=torch\.float64\)/);
  assert.match(out, /softmax tensor\(\[\[0\.0900, 0\.2447, 0\.6652\]\]\)/);
});

test("examples/forward-backward.ts prints PyTorch's numbers for the worked example", () => {
  const out = example("forward-backward.ts");
  assert.match(out, /σ3: tensor\(\[\[0\.4154\]\], grad_fn=<SigmoidBackward0>\)/);
  assert.match(out, /loss: tensor\(0\.5369, grad_fn=<BinaryCrossEntropyBackward0>\)/);
  assert.match(out, /updated layer2\.0\.bias: tensor\(\[-0\.7197\]\)/);
});

test("examples/binary-classification.ts learns the generated pass/fail table", () => {
  const out = example("binary-classification.ts", "10", join(dir, "pass-fail.csv"));
  const accuracy = Number(/test accuracy: \d+\/\d+ = ([\d.]+)%/.exec(out)?.[1]);
  assert.ok(accuracy >= 85, out);
});

test("examples/perceptron.ts: one layer cannot learn XOR, two layers do", () => {
  const out = example("perceptron.ts", "300", "1", join(dir, "xor.csv"));
  assert.match(out, /two layers predictions: tensor\(\[\[False\],\n\s+\[ True\],\n\s+\[ True\],\n\s+\[False\]\]\)/);
  assert.doesNotMatch(out, /single layer predictions: tensor\(\[\[False\],\n\s+\[ True\],\n\s+\[ True\],\n\s+\[False\]\]\)/);
});

test("examples/char-gpt.ts: a causal Transformer learns the shipped text, samples from it and charts its loss", () => {
  const chart = join(dir, "char-gpt-loss.svg");
  const out = example("char-gpt.ts", "200", chart);
  const m = /loss fell from ([\d.]+) to ([\d.]+)/.exec(out);
  assert.ok(m, out);
  const [first, last] = [Number(m[1]), Number(m[2])];
  assert.ok(first > 3 && last < first - 1, out);
  const sample = /sample:\n([\s\S]+?)\n\nloss fell/.exec(out)?.[1] ?? "";
  assert.ok(sample.startsWith("the fire ") && sample.length > 100, out);
  assert.ok(existsSync(chart));
  assert.match(readFileSync(chart, "utf8"), /^<svg[\s\S]*Character-level GPT: training loss/);
});

test("examples/sentence-classifier.ts learns the generated sentences with a packed bidirectional LSTM", () => {
  const out = example("sentence-classifier.ts", "5");
  assert.match(out, /\(lstm\): LSTM\(16, 24, batch_first=True, bidirectional=True\)/);
  const accuracy = Number(/test accuracy: \d+\/\d+ = ([\d.]+)%/.exec(out)?.[1]);
  assert.ok(accuracy >= 85, out);
});

test("examples/cnn-shapes.ts: a small CNN tells the drawn shapes apart and charts test images with its predictions", () => {
  const chart = join(dir, "cnn-shapes.svg");
  const out = example("cnn-shapes.ts", "2", chart);
  assert.match(out, /\(features\): Sequential\(\n\s+\(0\): Conv2d\(1, 8, kernel_size=\(3, 3\), stride=\(1, 1\), padding=\(1, 1\)\)/);
  const epochs = [...out.matchAll(/^epoch (\d)\s+loss ([\d.]+)\s+train accuracy ([\d.]+)%\s+test accuracy ([\d.]+)%$/gm)];
  assert.equal(epochs.length, 2, out);
  assert.ok(Number(epochs[1][2]) < Number(epochs[0][2]), out);
  const accuracy = Number(/test accuracy: \d+\/500 = ([\d.]+)%/.exec(out)?.[1]);
  assert.ok(accuracy >= 90, out);
  const svg = readFileSync(chart, "utf8");
  assert.match(svg, /^<svg[\s\S]*Shapes: what the CNN sees and says/);
  assert.equal(svg.match(/<image [^>]*xlink:href="data:image\/png;base64,/g)?.length, 12);
  assert.equal(svg.match(/>(circle|square|triangle|cross)( \((circle|square|triangle|cross)\))?<\/text>/g)?.length, 12);
});
