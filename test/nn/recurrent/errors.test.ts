// Error messages and reprs against PyTorch 1.13's (test/fixtures/recurrent/errors.json).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../../src/index.js";
import { nn } from "../../../src/index.js";
import { loadRecurrent } from "./fixture.js";

const { errors, reprs } = loadRecurrent<{ errors: Record<string, string>; reprs: Record<string, string> }>("errors");

const x = torch.randn([5, 3, 4]);
const lstm = new nn.LSTM(4, 5, { numLayers: 2 });
const gru = new nn.GRU(4, 5);
const cell = new nn.LSTMCell(4, 5);
const nanGrad = (): torch.Tensor[] => {
  const p = torch.zeros([2], { requiresGrad: true });
  p.grad = torch.tensor([Number.NaN, 1]);
  return [p];
};
const unchecked = (f: () => unknown) => f;

const THUNKS: Record<string, () => unknown> = {
  "input size": () => lstm.forward(torch.randn([5, 3, 8])),
  "hidden[0] size": () => lstm.forward(x, [torch.zeros([1, 3, 5]), torch.zeros([2, 3, 5])]),
  "hidden[1] size": () => lstm.forward(x, [torch.zeros([2, 3, 5]), torch.zeros([2, 2, 5])]),
  "lstm batched 2-D hx": () => lstm.forward(x, [torch.zeros([2, 5]), torch.zeros([2, 3, 5])]),
  "lstm unbatched 3-D hx": () => lstm.forward(torch.randn([5, 4]), [torch.zeros([2, 3, 5]), torch.zeros([2, 2, 5])]),
  "4-D input": () => lstm.forward(torch.randn([2, 5, 3, 4])),
  "hidden size": () => gru.forward(x, torch.zeros([2, 3, 5])),
  "gru batched 2-D hx": () => gru.forward(x, torch.zeros([3, 5])),
  "gru unbatched 3-D hx": () => gru.forward(torch.randn([5, 4]), torch.zeros([1, 3, 5])),
  nonlinearity: unchecked(() => new nn.RNN(4, 5, { nonlinearity: "sig" as "tanh" })),
  "proj_size on GRU": () => new nn.GRU(4, 5, { projSize: 2 } as object),
  "proj_size too big": () => new nn.LSTM(4, 5, { projSize: 5 }),
  "proj_size negative": () => new nn.LSTM(4, 5, { projSize: -1 }),
  "dropout range": () => new nn.LSTM(4, 5, { dropout: 1.5 }),
  "cell input size": () => cell.forward(torch.randn([3, 3])),
  "cell batch": () => cell.forward(torch.randn([3, 4]), [torch.zeros([2, 5]), torch.zeros([3, 5])]),
  "cell hidden size": () => cell.forward(torch.randn([3, 4]), [torch.zeros([3, 4]), torch.zeros([3, 5])]),
  "cell c hidden size": () => cell.forward(torch.randn([3, 4]), [torch.zeros([3, 5]), torch.zeros([3, 4])]),
  "cell 3-D input": () => cell.forward(torch.randn([2, 3, 4])),
  "gru cell 3-D input": () => new nn.GRUCell(4, 5).forward(torch.randn([2, 3, 4])),
  "rnn cell 3-D input": () => new nn.RNNCell(4, 5).forward(torch.randn([2, 3, 4])),
  "unsorted lengths": () => nn.utils.rnn.packPaddedSequence(x, [3, 5, 2]),
  "zero length": () => nn.utils.rnn.packPaddedSequence(x, [5, 3, 0]),
  "lengths count": () => nn.utils.rnn.packPaddedSequence(x, [3, 2]),
  total_length: () => nn.utils.rnn.padPackedSequence(nn.utils.rnn.packPaddedSequence(x, [5, 3, 2]), { totalLength: 4 }),
  "nonfinite norm": () => nn.utils.clipGradNorm_(nanGrad(), 1.0, { errorIfNonfinite: true }),
  "nonfinite inf norm": () => nn.utils.clipGradNorm_(nanGrad(), 1.0, { normType: Number.POSITIVE_INFINITY, errorIfNonfinite: true }),
  "from_pretrained 1-D": () => nn.Embedding.fromPretrained(torch.zeros([3])),
};

for (const [name, message] of Object.entries(errors)) {
  test(`error: ${name}`, () => {
    const thunk = THUNKS[name];
    assert.ok(thunk, `no thunk for ${name}`);
    assert.throws(thunk, (e: Error) => {
      assert.equal(e.message, message);
      return true;
    });
  });
}

test("an empty sequence is refused as PyTorch's CPU kernel refuses it", () => {
  assert.throws(() => lstm.forward(torch.zeros([0, 3, 4])), /^RangeError: Expected sequence length to be larger than 0 in RNN$/);
});

test("a length longer than the sequence is an error (PyTorch 1.13 packs garbage)", () => {
  assert.throws(() => nn.utils.rnn.packPaddedSequence(x, [6, 3, 2]), /a length of 6 is longer than the sequences' 5 steps/);
  assert.throws(() => nn.utils.rnn.packPaddedSequence(x, [5, 3, -1]), /has to be greater than 0/);
});

const BUILD: Record<string, () => nn.Module> = {
  "LSTM(16, 32, num_layers=2, batch_first=True, dropout=0.2, bidirectional=True)": () =>
    new nn.LSTM(16, 32, { numLayers: 2, batchFirst: true, dropout: 0.2, bidirectional: true }),
  "RNN(4, 5, nonlinearity=relu, bias=False)": () => new nn.RNN(4, 5, { nonlinearity: "relu", bias: false }),
  "LSTM(4, 5, proj_size=3, num_layers=2, dropout=0.25)": () => new nn.LSTM(4, 5, { projSize: 3, numLayers: 2, dropout: 0.25 }),
  "GRU(3, 4, batch_first=True)": () => new nn.GRU(3, 4, { batchFirst: true }),
  "RNNCell(4, 5, bias=False, nonlinearity=relu)": () => new nn.RNNCell(4, 5, { bias: false, nonlinearity: "relu" }),
  "LSTMCell(4, 5)": () => new nn.LSTMCell(4, 5),
  "GRUCell(4, 5, bias=False)": () => new nn.GRUCell(4, 5, { bias: false }),
  "Embedding(10, 3, padding_idx=0, max_norm=1.0)": () => new nn.Embedding(10, 3, { paddingIdx: 0, maxNorm: 1.0 }),
  "Sequential(Embedding, LSTM)": () => new nn.Sequential(new nn.Embedding(10, 3), new nn.LSTM(3, 4)),
};

for (const [name, repr] of Object.entries(reprs)) {
  test(`repr: ${name}`, () => assert.equal(BUILD[name]().toString(), repr));
}
