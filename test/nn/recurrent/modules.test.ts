// RNN, LSTM and GRU against PyTorch 1.13 (test/fixtures/recurrent/modules.json): initialisation
// after manualSeed(0), forward (padded and packed, with dropout masks drawn after manualSeed(7)),
// final states, and the gradients of the input, the initial states and every parameter.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../../src/index.js";
import { nn } from "../../../src/index.js";
import { close, fromDump, loadRecurrent, type TDump } from "./fixture.js";

interface ModuleCase {
  name: string;
  cls: "RNN" | "LSTM" | "GRU";
  inputSize: number;
  hiddenSize: number;
  options: Record<string, unknown>;
  dtype: string;
  train: boolean;
  lengths: number[] | null;
  initParams: Record<string, number[]>;
  input: TDump;
  states: TDump[];
  output: TDump;
  packedData: TDump | null;
  hN: TDump;
  cN: TDump | null;
  upstream: TDump;
  upstreamH: TDump;
  upstreamC: TDump | null;
  inputGrad: TDump;
  stateGrads: TDump[];
  paramGrads: Record<string, TDump>;
  repr: string;
}

const cases = loadRecurrent<ModuleCase[]>("modules");

export function build(c: { cls: string; inputSize: number; hiddenSize: number; options: Record<string, unknown> }): nn.RNNBase {
  const Cls = { RNN: nn.RNN, LSTM: nn.LSTM, GRU: nn.GRU }[c.cls] as unknown as new (i: number, h: number, o: object) => nn.RNNBase;
  return new Cls(c.inputSize, c.hiddenSize, c.options);
}

function run(m: nn.RNNBase, input: torch.Tensor | nn.utils.rnn.PackedSequence, states: torch.Tensor[]): [torch.Tensor | nn.utils.rnn.PackedSequence, torch.Tensor, torch.Tensor | null] {
  if (m instanceof nn.LSTM) {
    const [out, [h, c]] = (m.forward as (x: unknown, hx: unknown) => [torch.Tensor, [torch.Tensor, torch.Tensor]])(input, states.length ? [states[0], states[1]] : null);
    return [out, h, c];
  }
  const [out, h] = (m.forward as (x: unknown, hx: unknown) => [torch.Tensor, torch.Tensor])(input, states.length ? states[0] : null);
  return [out, h, null];
}

for (const c of cases) {
  test(`${c.name} (${c.dtype}) matches PyTorch`, () => {
    torch.manualSeed(0);
    const m = build(c);
    for (const [name, p] of m.namedParameters()) close(p, { shape: p.shape, dtype: "float32", values: c.initParams[name] }, "float32", `${name} init`);
    assert.deepEqual(m.namedParameters().map(([n]) => n), Object.keys(c.initParams));
    assert.equal(m.toString(), c.repr);
    if (c.dtype === "float64") m.double();
    m.train(c.train);
    const x = fromDump(c.input).requiresGrad_();
    const states = c.states.map((s) => fromDump(s).requiresGrad_());
    torch.manualSeed(7);
    let out: torch.Tensor;
    let h: torch.Tensor;
    let cc: torch.Tensor | null;
    const batchFirst = Boolean(c.options.batchFirst);
    if (c.lengths) {
      const packed = nn.utils.rnn.packPaddedSequence(x, c.lengths, { batchFirst, enforceSorted: false });
      const [po, ph, pc] = run(m, packed, states);
      assert.ok(po instanceof nn.utils.rnn.PackedSequence);
      close(po.data, c.packedData, c.dtype, "packed output data");
      [out] = nn.utils.rnn.padPackedSequence(po, { batchFirst });
      h = ph;
      cc = pc;
    } else {
      const r = run(m, x, states);
      out = r[0] as torch.Tensor;
      h = r[1];
      cc = r[2];
    }
    close(out, c.output, c.dtype, "output");
    close(h, c.hN, c.dtype, "h_n");
    close(cc, c.cN, c.dtype, "c_n");
    let loss = out.mul(fromDump(c.upstream)).sum().add(h.mul(fromDump(c.upstreamH)).sum());
    if (cc && c.upstreamC) loss = loss.add(cc.mul(fromDump(c.upstreamC)).sum());
    loss.backward();
    close(x.grad, c.inputGrad, c.dtype, "input grad");
    states.forEach((s, i) => {
      close(s.grad, c.stateGrads[i], c.dtype, `state ${i} grad`);
    });
    for (const [name, p] of m.namedParameters()) close(p.grad, c.paramGrads[name], c.dtype, `${name} grad`);
  });
}

test("a non-contiguous input gives the contiguous input's results", () => {
  torch.manualSeed(0);
  const m = new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true }).double();
  const base = torch.randn([3, 5, 4], { dtype: torch.float64 });
  const strided = base.narrow(2, 0, 3).transpose(0, 1); // [5, 3, 3], not contiguous
  assert.ok(!strided.isContiguous());
  const [a, [ha]] = m.forward(strided);
  const [b, [hb]] = m.forward(strided.contiguous());
  assert.deepEqual(Array.from(a.values()), Array.from(b.values()));
  assert.deepEqual(Array.from(ha.values()), Array.from(hb.values()));
});

test("packed output equals each sequence run alone, at the valid positions", () => {
  torch.manualSeed(0);
  for (const m of [new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, projSize: 2 }), new nn.GRU(3, 4, { bidirectional: true }), new nn.RNN(3, 4, { numLayers: 2 })]) {
    m.double();
    const lengths = [2, 5, 3];
    const seqs = lengths.map((n) => torch.randn([n, 3], { dtype: torch.float64 }));
    const padded = nn.utils.rnn.padSequence(seqs, { batchFirst: true });
    const packed = nn.utils.rnn.packPaddedSequence(padded, lengths, { batchFirst: true, enforceSorted: false });
    const r = (m.forward as (x: unknown) => [nn.utils.rnn.PackedSequence, torch.Tensor | [torch.Tensor, torch.Tensor]])(packed);
    const [out, lens] = nn.utils.rnn.padPackedSequence(r[0], { batchFirst: true });
    assert.deepEqual(Array.from(lens.values(), Number), lengths);
    const hN = Array.isArray(r[1]) ? r[1][0] : r[1];
    seqs.forEach((s, b) => {
      const alone = (m.forward as (x: unknown) => [torch.Tensor, torch.Tensor | [torch.Tensor, torch.Tensor]])(s);
      const want = Array.from(alone[0].values());
      const got = Array.from(out.select(0, b).narrow(0, 0, lengths[b]).contiguous().values());
      got.forEach((v, i) => {
        assert.ok(Math.abs(v - want[i]) < 1e-12, `${m.constructor.name} seq ${b} output ${i}`);
      });
      const aloneH = Array.isArray(alone[1]) ? alone[1][0] : alone[1];
      const gotH = Array.from(hN.select(1, b).contiguous().values());
      Array.from(aloneH.values()).forEach((v, i) => {
        assert.ok(Math.abs(v - gotH[i]) < 1e-12, `${m.constructor.name} seq ${b} h_n ${i}`);
      });
      // Padding positions stay zero.
      if (lengths[b] < 5) assert.ok(Array.from(out.select(0, b).narrow(0, lengths[b], 5 - lengths[b]).contiguous().values()).every((v) => v === 0));
    });
  }
});

test("state dicts use PyTorch's keys and round-trip; flattenParameters runs", () => {
  const a = new nn.LSTM(2, 3, { projSize: 1, bidirectional: true, bias: false });
  assert.deepEqual(Object.keys(a.stateDict()), ["weight_ih_l0", "weight_hh_l0", "weight_hr_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse", "weight_hr_l0_reverse"]);
  const b = new nn.LSTM(2, 3, { projSize: 1, bidirectional: true, bias: false });
  b.loadStateDict(a.stateDict());
  b.flattenParameters();
  const x = torch.randn([4, 1, 2]);
  assert.deepEqual(Array.from(b.forward(x)[0].values()), Array.from(a.forward(x)[0].values()));
});
