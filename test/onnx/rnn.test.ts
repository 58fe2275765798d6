// Recurrent models built from nn.LSTM / nn.GRU / nn.RNN export as ONNX's own LSTM / GRU / RNN nodes
// (gates reordered, one node per layer) and run in ONNX Runtime with kindling's outputs (float32,
// 1e-5) at several batch sizes and sequence lengths, both dynamic.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { nn, type Tensor } from "../../src/index.js";
import { decodeModel } from "../../src/onnx/proto.js";
import { checkExport, skip } from "./ort.js";

class SentenceClassifier extends nn.Module {
  emb = new nn.Embedding(50, 8, { paddingIdx: 0 });
  lstm = new nn.LSTM(8, 12, { numLayers: 2, bidirectional: true, batchFirst: true });
  head = new nn.Linear(2 * 12 + 2 * 12, 5);
  override forward(tokens: Tensor): Tensor {
    // tokens: [B, T] -> output [B, T, 24], hN [4, B, 12]
    const [out, [hN]] = this.lstm.call(this.emb.call(tokens)) as [Tensor, [Tensor, Tensor]];
    const last = out.select(1, -1); // [B, 24]
    const final = torch.cat([hN.select(0, -2), hN.select(0, -1)], 1); // last layer, both directions
    return this.head.call(torch.cat([last, final], 1)).logSoftmax(1);
  }
}

const tokensAxes = { dynamicAxes: { input: { 0: "batch", 1: "time" } } };

test("Embedding -> 2-layer bidirectional batch-first LSTM -> Linear matches, batch and sequence length dynamic", { skip }, async () => {
  torch.manualSeed(50);
  const model = new SentenceClassifier();
  await checkExport(model, (b, t) => [torch.randint(0, 50, [b, t])], { ...tokensAxes, opsetVersion: 13 }, [3, 6], [[2, 4]]);
  const bytes = await checkExport(model, (b, t) => [torch.randint(0, 50, [b, t])], tokensAxes, [3, 6], [[1, 6], [4, 2], [7, 11]]);
  // One ONNX LSTM node per layer, each bidirectional, and no unrolled loop of MatMuls.
  const nodes: Array<{ op_type: string; attribute: Array<{ name: string; s?: Uint8Array }> }> = decodeModel(bytes).graph.node;
  const lstms = nodes.filter((n) => n.op_type === "LSTM");
  assert.equal(lstms.length, 2);
  for (const n of lstms) assert.equal(new TextDecoder().decode(n.attribute.find((a) => a.name === "direction")!.s), "bidirectional");
  assert.equal(nodes.filter((n) => n.op_type === "MatMul").length, 0);
});

class GruWithState extends nn.Module {
  gru = new nn.GRU(6, 10, { numLayers: 2 });
  override forward(x: Tensor, h0: Tensor): [Tensor, Tensor] {
    return this.gru.call(x, h0) as [Tensor, Tensor];
  }
}

test("a 2-layer GRU with an initial state returns PyTorch's output and final state (sequence-first)", { skip }, async () => {
  torch.manualSeed(51);
  const model = new GruWithState();
  const axes = { dynamicAxes: { input_0: { 0: "time", 1: "batch" }, input_1: { 1: "batch" } } };
  await checkExport(model, (b, t) => [torch.randn(t, b, 6), torch.randn(2, b, 10)], axes, [3, 5], [[1, 5], [4, 9], [2, 1]]);
});

class LstmWithStates extends nn.Module {
  lstm = new nn.LSTM(5, 7, { bidirectional: true, bias: false });
  override forward(x: Tensor, h0: Tensor, c0: Tensor): Tensor[] {
    const [out, [h, c]] = this.lstm.call(x, [h0, c0]) as [Tensor, [Tensor, Tensor]];
    return [out, h, c];
  }
}

test("a bidirectional LSTM without biases, with h0 and c0 given, returns output, hN and cN", { skip }, async () => {
  torch.manualSeed(52);
  const model = new LstmWithStates();
  const axes = { dynamicAxes: { input_0: { 0: "time", 1: "batch" }, input_1: { 1: "batch" }, input_2: { 1: "batch" } } };
  await checkExport(model, (b, t) => [torch.randn(t, b, 5), torch.randn(2, b, 7), torch.randn(2, b, 7)], axes, [2, 4], [[1, 4], [3, 8]]);
});

class Elman extends nn.Module {
  tanh = new nn.RNN(4, 6, { numLayers: 2, batchFirst: true, bidirectional: true });
  relu = new nn.RNN(12, 5, { nonlinearity: "relu", bias: false });
  override forward(x: Tensor): Tensor[] {
    const [a, ha] = this.tanh.call(x) as [Tensor, Tensor]; // [B, T, 12], [4, B, 6]
    const [b, hb] = this.relu.call(a.transpose(0, 1)) as [Tensor, Tensor]; // [T, B, 5], [1, B, 5]
    return [b, ha, hb];
  }
}

test("RNN (tanh, 2 layers, bidirectional, batch-first) feeding a relu RNN without biases matches", { skip }, async () => {
  torch.manualSeed(53);
  const model = new Elman();
  await checkExport(model, (b, t) => [torch.randn(b, t, 4)], { dynamicAxes: { input: { 0: "batch", 1: "time" } } }, [2, 3], [[1, 3], [5, 6]]);
});

test("an unbatched LSTM input ([T, I]) exports with the batch dim added around the node", { skip }, async () => {
  torch.manualSeed(54);
  const model = new nn.LSTM(3, 4, { numLayers: 2 });
  await checkExport(model, (t) => [torch.randn(t, 3)], { dynamicAxes: { input: { 0: "time" } } }, [4], [[4], [9]]);
});

test("an LSTM with projSize is an export error naming the module (ONNX's LSTM has no projection)", () => {
  const model = new nn.Sequential(new nn.LSTM(3, 6, { projSize: 2 }));
  assert.throws(() => torch.onnx.exportBuffer(model, torch.randn(4, 2, 3)), /rnn: an LSTM with projSize has no ONNX mapping.*in module '0' of type LSTM/);
});

class Cells extends nn.Module {
  lstm = new nn.LSTMCell(4, 6);
  gru = new nn.GRUCell(6, 5);
  rnn = new nn.RNNCell(5, 3, { nonlinearity: "relu" });
  override forward(x: Tensor): Tensor[] {
    // x [T, B, 4], unrolled over T (the loop runs at trace time, as in PyTorch's exporter)
    let hc: [Tensor, Tensor] | null = null;
    let g: Tensor | null = null;
    let r: Tensor | null = null;
    for (const xt of x.unbind(0)) {
      hc = this.lstm.call(xt, hc) as [Tensor, Tensor];
      g = this.gru.call(hc[0], g) as Tensor;
      r = this.rnn.call(g, r) as Tensor;
    }
    return [hc![1], g!, r!];
  }
}

test("LSTMCell, GRUCell and RNNCell unrolled over a sequence match (the fused cell kernels export as their ops)", { skip }, async () => {
  torch.manualSeed(55);
  const model = new Cells();
  await checkExport(model, (b) => [torch.randn(3, b, 4)], { dynamicAxes: { input: { 1: "batch" } } }, [2], [[1], [5]]);
});

class Packed extends nn.Module {
  lstm = new nn.LSTM(3, 4, { bidirectional: true });
  gru = new nn.GRU(8, 2);
  override forward(x: Tensor): Tensor {
    // x [T, B, 3] padded; the lengths are fixed at trace time, so the run unrolls over them
    const packed = nn.utils.rnn.packPaddedSequence(x, [4, 2, 1]);
    const [out] = this.lstm.call(packed) as unknown as [nn.utils.rnn.PackedSequence];
    const [o2] = this.gru.call(out) as unknown as [nn.utils.rnn.PackedSequence];
    return nn.utils.rnn.padPackedSequence(o2)[0];
  }
}

test("a PackedSequence through LSTM and GRU exports unrolled over its traced lengths (static sizes)", { skip }, async () => {
  torch.manualSeed(56);
  await checkExport(new Packed(), () => [torch.randn(4, 3, 3)], {}, [], [[], []]);
});
