// Optimizers, weighted losses, DataLoader and the sequence utilities called with PyTorch's
// positional parameters (optim.SGD(params, 0.1, 0.9), nn.CrossEntropyLoss(weight),
// DataLoader(ds, 4, True), pad_sequence(seqs, True, 5)), against PyTorch 1.13
// (scripts/fixtures/positional_training.py). Before, the extra arguments were dropped silently.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as torch from "../../src/index.js";

const { nn, optim, data } = torch;
type Tensor = torch.Tensor;
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "book", "positional-training.json"), "utf8")) as {
  optimizers: Record<string, { group: Record<string, unknown>; param: number[] }>;
  losses: Record<string, number>;
  loaders: Record<string, number[][]>;
  sequences: { padded: number[][]; batchSizes: number[]; sortedIndices: number[]; repadded: number[][]; lengths: number[] };
};

const OPTIMIZERS: Record<string, (p: Tensor[]) => torch.optim.Optimizer> = {
  "SGD(p, 0.1, 0.9)": (p) => new optim.SGD(p, 0.1, 0.9),
  "SGD(p, 0.1, 0.9, 0, 0.01, True)": (p) => new optim.SGD(p, 0.1, 0.9, 0, 0.01, true),
  "Adam(p, 0.01, (0.8, 0.9))": (p) => new optim.Adam(p, 0.01, [0.8, 0.9]),
  "AdamW(p, 0.01, (0.9, 0.99), 1e-6, 0.1)": (p) => new optim.AdamW(p, 0.01, [0.9, 0.99], 1e-6, 0.1),
  "RMSprop(p, 0.01, 0.9)": (p) => new optim.RMSprop(p, 0.01, 0.9),
  "Adagrad(p, 0.1, 0.01)": (p) => new optim.Adagrad(p, 0.1, 0.01),
};
const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

describe("positional parameters on the training side", () => {
  for (const [name, want] of Object.entries(fixture.optimizers)) {
    it(`optim.${name}`, () => {
      const p = torch.tensor([1.0, -2.0, 0.5], { dtype: torch.float64, requiresGrad: true });
      const opt = OPTIMIZERS[name]([p]);
      for (let i = 0; i < 3; i++) {
        p.grad = torch.tensor([0.3, -0.1, 0.2], { dtype: torch.float64 }).mul(i + 1);
        opt.step();
      }
      const g = opt.paramGroups[0] as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(want.group)) assert.deepEqual(Array.isArray(g[camel(k)]) ? [...(g[camel(k)] as number[])] : g[camel(k)], v, `${name}: ${k}`);
      assert.deepEqual(p.detach().tolist(), want.param);
    });
  }

  it("weighted losses take the weight positionally", () => {
    const logits = torch.tensor([[1.0, 2.0, 0.5], [0.1, -1.0, 2.0]]);
    const target = torch.tensor([0n, 2n]);
    const w = torch.tensor([2.0, 1.0, 0.5]);
    const probs = torch.tensor([[0.8, 0.3], [0.1, 0.6]]);
    const labels = torch.tensor([[1.0, 0.0], [0.0, 1.0]]);
    const bw = torch.tensor([1.5, 0.5]);
    const got: Record<string, number> = {
      "CrossEntropyLoss(w)": new nn.CrossEntropyLoss(w).forward(logits, target).item(),
      "NLLLoss(w)": new nn.NLLLoss(w).forward(torch.logSoftmax(logits, 1), target).item(),
      "BCELoss(w)": new nn.BCELoss(bw).forward(probs, labels).item(),
      "BCEWithLogitsLoss(w)": new nn.BCEWithLogitsLoss(bw).forward(probs, labels).item(),
    };
    for (const [k, v] of Object.entries(fixture.losses)) assert.ok(Math.abs(got[k] - v) <= 1e-6 * Math.abs(v), `${k}: ${got[k]} vs ${v}`);
    assert.equal(new nn.CrossEntropyLoss(w, { ignoreIndex: 2 }).ignoreIndex, 2);
  });

  it("DataLoader(dataset, batchSize, shuffle, sampler, batchSampler, numWorkers, collateFn)", () => {
    const ds = new data.TensorDataset(torch.arange(10));
    torch.manualSeed(0);
    assert.deepEqual(
      [...new data.DataLoader(ds, 4, true)].map((b) => (b as Tensor[])[0].tolist()),
      fixture.loaders["DataLoader(ds, 4, True)"],
    );
    torch.manualSeed(0);
    const collate = (batch: Tensor[][]) => batch.map((x) => x[0].item());
    assert.deepEqual([...new data.DataLoader(ds, 3, false, null, null, 0, collate)], fixture.loaders["DataLoader(ds, 3, False, None, None, 0, collate)"]);
  });

  it("padSequence, packPaddedSequence and padPackedSequence take their flags positionally", () => {
    const s = fixture.sequences;
    const seqs = [torch.tensor([1.0, 2.0]), torch.tensor([3.0]), torch.tensor([4.0, 5.0, 6.0])];
    assert.deepEqual(nn.utils.rnn.padSequence(seqs, true, 5).tolist(), s.padded);
    const x = torch.arange(12).float().reshape(3, 4, 1);
    const packed = nn.utils.rnn.packPaddedSequence(x, torch.tensor([2n, 4n, 1n]), true, false);
    assert.deepEqual(packed.batchSizes.tolist(), s.batchSizes);
    assert.deepEqual(packed.sortedIndices?.tolist(), s.sortedIndices);
    const [repadded, lengths] = nn.utils.rnn.padPackedSequence(packed, true, -1.0, 6);
    assert.deepEqual(repadded.squeeze(-1).tolist(), s.repadded);
    assert.deepEqual(lengths.tolist(), s.lengths);
  });
});
