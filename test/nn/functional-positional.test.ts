// The functional losses and F.normalize with PyTorch's positional parameters (F.cross_entropy(x, y,
// class_weight), F.binary_cross_entropy(p, y, w), F.mse_loss(x, y, None, None, "sum"), the
// deprecated size_average/reduce, F.normalize(x, 1, 1)), against PyTorch 1.13
// (scripts/fixtures/functional_positional.py). Before, a weight tensor or p given positionally was
// read as an options object and dropped: the loss ran unweighted, normalize used p = 2.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as torch from "../../src/index.js";

const { F } = torch;
const want = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "book", "functional-positional.json"), "utf8")) as Record<string, number | number[] | number[][]>;

function close(got: unknown, expected: unknown, what: string): void {
  if (Array.isArray(expected)) {
    expected.forEach((e, i) => {
      close((got as unknown[])[i], e, `${what}[${i}]`);
    });
    return;
  }
  const g = got as number;
  const e = expected as number;
  assert.ok(Math.abs(g - e) <= 1e-6 * Math.max(1, Math.abs(e)), `${what}: ${g} vs ${e}`);
}

describe("functional losses and normalize take PyTorch's positional parameters", () => {
  const logits = torch.tensor([[1.0, 2.0, 3.0], [3.0, 1.0, 0.0], [0.5, 0.5, 2.0]]);
  const target = torch.tensor([0n, 1n, 2n]);
  const w = torch.tensor([2.0, 1.0, 0.5]);
  const logp = torch.logSoftmax(logits, 1);
  const probs = torch.tensor([0.8, 0.3, 0.6]);
  const labels = torch.tensor([1.0, 0.0, 1.0]);
  const bw = torch.tensor([2.0, 1.0, 0.5]);
  const a = torch.tensor([1.0, 2.0, -1.0]);
  const b = torch.tensor([0.0, 0.5, 0.5]);
  const cases: Record<string, () => unknown> = {
    "cross_entropy(x, y, w)": () => F.crossEntropy(logits, target, w).item(),
    "cross_entropy(x, y, w, None, 1)": () => F.crossEntropy(logits, target, w, null, 1).item(),
    "cross_entropy(x, y, None, None, -100, None, 'sum', 0.1)": () => F.crossEntropy(logits, target, null, null, -100, null, "sum", 0.1).item(),
    "nll_loss(logp, y, w)": () => F.nllLoss(logp, target, w).item(),
    "nll_loss(logp, y, None, False)": () => F.nllLoss(logp, target, null, false).item(),
    "binary_cross_entropy(p, y, w)": () => F.binaryCrossEntropy(probs, labels, bw).item(),
    "binary_cross_entropy_with_logits(p, y, w)": () => F.binaryCrossEntropyWithLogits(probs, labels, bw).item(),
    "binary_cross_entropy_with_logits(p, y, None, None, None, 'mean', pw)": () =>
      F.binaryCrossEntropyWithLogits(probs, labels, null, null, null, "mean", bw).item(),
    "mse_loss(a, b, None, None, 'sum')": () => F.mseLoss(a, b, null, null, "sum").item(),
    "mse_loss(a, b, False)": () => F.mseLoss(a, b, false).item(),
    "l1_loss(a, b, None, False)": () => F.l1Loss(a, b, null, false).tolist(),
    "smooth_l1_loss(a, b, None, None, 'mean', 0.5)": () => F.smoothL1Loss(a, b, null, null, "mean", 0.5).item(),
    "huber_loss(a, b, 'sum', 0.5)": () => F.huberLoss(a, b, "sum", 0.5).item(),
    "normalize(x, 1, 1)": () => F.normalize(logits, 1, 1).tolist(),
    "normalize(x, 2, 0, 1e-12)": () => F.normalize(logits, 2, 0, 1e-12).tolist(),
  };
  for (const [name, fn] of Object.entries(cases)) {
    it(name, () => {
      close(fn(), want[name], name);
    });
  }
  it("the options-object forms are unchanged", () => {
    close(F.crossEntropy(logits, target, { weight: w }).item(), want["cross_entropy(x, y, w)"], "crossEntropy({ weight })");
    close(F.normalize(logits, { p: 1, dim: 1 }).tolist(), want["normalize(x, 1, 1)"], "normalize({ p, dim })");
  });
});
