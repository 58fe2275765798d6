// Module constructors with PyTorch's positional parameters (nn.Conv2d(3, 64, 3, 1, 1),
// nn.Linear(a, b, False), nn.LSTM(10, 20, 2), nn.TransformerEncoderLayer(d, h, d_hid, dropout)),
// against PyTorch 1.13 (scripts/fixtures/positional_modules.py): the repr, and each state-dict
// entry's shape, sum and first values after torch.manualSeed(0), so both the reading of the
// arguments and the initial draws are checked. Before, the extra arguments were dropped silently.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as torch from "../../src/index.js";

const { nn } = torch;
interface Entry {
  shape: number[];
  sum: number;
  head: number[];
}
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "book", "positional-modules.json"), "utf8")) as {
  cases: Record<string, { repr: string; state: Record<string, Entry> }>;
  fromPretrained: { freezeFalse: boolean; freezeDefault: boolean; paddingIdx: string };
};

const FACTORIES: Record<string, () => torch.nn.Module> = {
  "Conv2d(3, 4, 3, 2, 1)": () => new nn.Conv2d(3, 4, 3, 2, 1),
  "Conv2d(3, 4, 3, 1, 1, 1, 1, False)": () => new nn.Conv2d(3, 4, 3, 1, 1, 1, 1, false),
  "Conv1d(2, 3, 3, 1, 'same', 2)": () => new nn.Conv1d(2, 3, 3, 1, "same", 2),
  "Conv2d(4, 4, 3, 1, 1, groups=2 positional)": () => new nn.Conv2d(4, 4, 3, 1, 1, 1, 2),
  "ConvTranspose2d(4, 2, 2, 2)": () => new nn.ConvTranspose2d(4, 2, 2, 2),
  "Linear(3, 2, False)": () => new nn.Linear(3, 2, false),
  "BatchNorm2d(4, 1e-3, 0.01)": () => new nn.BatchNorm2d(4, 1e-3, 0.01),
  "BatchNorm1d(3, 1e-5, None, False)": () => new nn.BatchNorm1d(3, 1e-5, null, false),
  "LayerNorm(4, 1e-6)": () => new nn.LayerNorm(4, 1e-6),
  "LayerNorm(4, 1e-6, False)": () => new nn.LayerNorm(4, 1e-6, false),
  "GroupNorm(2, 4, 1e-3, False)": () => new nn.GroupNorm(2, 4, 1e-3, false),
  "Embedding(5, 3, 0)": () => new nn.Embedding(5, 3, 0),
  "MultiheadAttention(8, 2, 0.1, False)": () => new nn.MultiheadAttention(8, 2, 0.1, false),
  "TransformerEncoderLayer(8, 2, 16, 0.2)": () => new nn.TransformerEncoderLayer(8, 2, 16, 0.2),
  "TransformerDecoderLayer(8, 2, 16, 0.0, 'gelu')": () => new nn.TransformerDecoderLayer(8, 2, 16, 0.0, "gelu"),
  "TransformerEncoder(layer, 2, LayerNorm(8))": () => new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, 16), 2, new nn.LayerNorm(8)),
  "Transformer(8, 2, 1, 1, 16, 0.0)": () => new nn.Transformer(8, 2, 1, 1, 16, 0.0),
  "LSTM(3, 4, 2, True, True, 0.0, True)": () => new nn.LSTM(3, 4, 2, true, true, 0.0, true),
  "LSTM(3, 4, 1, True, False, 0.0, False, 2)": () => new nn.LSTM(3, 4, 1, true, false, 0.0, false, 2),
  "GRU(3, 4, 2)": () => new nn.GRU(3, 4, 2),
  "RNN(3, 4, 1, False)": () => new nn.RNN(3, 4, 1, false),
};

describe("module constructors take PyTorch's positional parameters", () => {
  for (const [name, want] of Object.entries(fixture.cases)) {
    it(name, () => {
      torch.manualSeed(0);
      const m = FACTORIES[name]();
      assert.equal(m.toString(), want.repr);
      const state = m.stateDict();
      assert.deepEqual(Object.keys(state), Object.keys(want.state));
      for (const [key, e] of Object.entries(want.state)) {
        const t = state[key];
        assert.deepEqual(t.shape, e.shape, `${key}: shape`);
        const flat = t.detach().double().flatten().tolist() as number[];
        const sum = flat.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - e.sum) <= 1e-9 * Math.max(1, Math.abs(e.sum)) + 1e-12 * flat.length, `${key}: sum ${sum} vs ${e.sum}`);
        assert.deepEqual(flat.slice(0, 4), e.head, `${key}: first values`);
      }
    });
  }

  it("Embedding.fromPretrained(weights, freeze, paddingIdx)", () => {
    const w = torch.arange(6).float().reshape(3, 2);
    assert.equal(nn.Embedding.fromPretrained(w, false).weight.requiresGrad, fixture.fromPretrained.freezeFalse);
    assert.equal(nn.Embedding.fromPretrained(w).weight.requiresGrad, fixture.fromPretrained.freezeDefault);
    assert.equal(nn.Embedding.fromPretrained(w, true, 1).toString(), fixture.fromPretrained.paddingIdx);
  });

  it("a trailing options object still stands in for the rest", () => {
    assert.equal(new nn.Conv2d(3, 4, 3, 2, { padding: 1, bias: false }).toString(), "Conv2d(3, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)");
    assert.equal(new nn.LSTM(3, 4, 2, { batchFirst: true }).toString(), "LSTM(3, 4, num_layers=2, batch_first=True)");
  });
});
