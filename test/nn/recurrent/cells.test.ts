// RNNCell, LSTMCell and GRUCell against PyTorch 1.13 (test/fixtures/recurrent/cells.json).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../../src/index.js";
import { nn } from "../../../src/index.js";
import { gruCellPointwise, lstmCellPointwise } from "../../../src/ops/recurrent.js";
import { close, fromDump, loadRecurrent, type TDump } from "./fixture.js";

interface CellCase {
  name: string;
  cls: "RNNCell" | "LSTMCell" | "GRUCell";
  inputSize: number;
  hiddenSize: number;
  options: Record<string, unknown>;
  dtype: string;
  initParams: Record<string, number[]>;
  input: TDump;
  states: TDump[];
  outputs: TDump[];
  upstreams: TDump[];
  inputGrad: TDump;
  stateGrads: TDump[];
  paramGrads: Record<string, TDump | null>;
  repr: string;
}

for (const c of loadRecurrent<CellCase[]>("cells")) {
  test(`${c.name} (${c.dtype}) matches PyTorch`, () => {
    torch.manualSeed(0);
    const Cls = { RNNCell: nn.RNNCell, LSTMCell: nn.LSTMCell, GRUCell: nn.GRUCell }[c.cls] as unknown as new (i: number, h: number, o: object) => nn.RNNCellBase;
    const m = new Cls(c.inputSize, c.hiddenSize, c.options);
    assert.equal(m.toString(), c.repr);
    const named = m.namedParameters();
    assert.deepEqual(named.map(([n]) => n), Object.keys(c.initParams));
    for (const [name, p] of named) close(p, { shape: p.shape, dtype: "float32", values: c.initParams[name] }, "float32", `${name} init`);
    if (c.dtype === "float64") m.double();
    const x = fromDump(c.input).requiresGrad_();
    const states = c.states.map((s) => fromDump(s).requiresGrad_());
    let outs: torch.Tensor[];
    if (m instanceof nn.LSTMCell) outs = m.forward(x, states.length ? [states[0], states[1]] : null);
    else outs = [(m as nn.GRUCell).forward(x, states.length ? states[0] : null)];
    outs.forEach((o, i) => {
      close(o, c.outputs[i], c.dtype, `output ${i}`);
    });
    outs.map((o, i) => o.mul(fromDump(c.upstreams[i])).sum()).reduce((a, b) => a.add(b)).backward();
    close(x.grad, c.inputGrad, c.dtype, "input grad");
    states.forEach((s, i) => {
      close(s.grad, c.stateGrads[i], c.dtype, `state ${i} grad`);
    });
    for (const [name, p] of named) close(p.grad, c.paramGrads[name], c.dtype, `${name} grad`);
  });
}

test("cells without bias register bias_ih and bias_hh as None", () => {
  const cell = new nn.GRUCell(2, 3, { bias: false });
  assert.deepEqual(cell.namedParameters().map(([n]) => n), ["weight_ih", "weight_hh"]);
  assert.equal(cell.bias_ih, null);
  assert.deepEqual(Object.keys(cell.stateDict()), ["weight_ih", "weight_hh"]);
});

function values(t: torch.Tensor | null): number[] {
  return Array.from(t!.contiguous().values() as ArrayLike<number>, Number);
}
function near(a: number[], b: number[], tol: number, what: string): void {
  assert.equal(a.length, b.length, what);
  a.forEach((v, k) => {
    assert.ok(Math.abs(v - b[k]) <= tol * (1 + Math.abs(b[k])), `${what}[${k}]: ${v} vs ${b[k]}`);
  });
}

for (const dtype of [torch.float64, torch.float32]) {
  const tol = dtype === torch.float64 ? 1e-14 : 1e-6;
  test(`the fused LSTM and GRU steps give the composed ops' values and gradients (${dtype})`, () => {
    torch.manualSeed(3);
    const B = 3;
    const H = 4;
    // LSTM: gates = hg + ig; cy = sigmoid(f) cx + sigmoid(i) tanh(g); hy = sigmoid(o) tanh(cy).
    const ig = torch.randn([B, 4 * H], { dtype, requiresGrad: true });
    const hg = torch.randn([B, 4 * H], { dtype, requiresGrad: true });
    const cx = torch.randn([B, H], { dtype, requiresGrad: true });
    const upH = torch.randn([B, H], { dtype });
    const upC = torch.randn([B, H], { dtype });
    const [i, f, g, o] = hg.add(ig).chunk(4, 1);
    const cRef = f.sigmoid().mul(cx).add(i.sigmoid().mul(g.tanh()));
    const hRef = o.sigmoid().mul(cRef.tanh());
    const ref = torch.autograd.grad(hRef.mul(upH).sum().add(cRef.mul(upC).sum()), [ig, hg, cx], { retainGraph: true });
    const [hy, cy] = lstmCellPointwise(ig, hg, cx);
    assert.equal(hy.gradFn?.name, "ThnnFusedLstmCellBackward0");
    near(values(hy), values(hRef), tol, "hy");
    near(values(cy), values(cRef), tol, "cy");
    const got = torch.autograd.grad(hy.mul(upH).sum().add(cy.mul(upC).sum()), [ig, hg, cx]);
    got.forEach((t, k) => {
      near(values(t), values(ref[k]), tol * 10, `lstm grad ${k}`);
    });
    // Only hy used: cy's gradient is zero.
    const onlyH = torch.autograd.grad(lstmCellPointwise(ig, hg, cx)[0].sum(), [cx]);
    near(values(onlyH[0]), values(torch.autograd.grad(hRef.sum(), [cx])[0]), tol * 10, "lstm dcx from hy alone");

    // GRU: r, z = sigmoid(hg + ig); n = tanh(ig_n + r hg_n); hy = (hx - n) z + n.
    const gi = torch.randn([B, 3 * H], { dtype, requiresGrad: true });
    const gh = torch.randn([B, 3 * H], { dtype, requiresGrad: true });
    const hx = torch.randn([B, H], { dtype, requiresGrad: true });
    const [ir, iz, inn] = gi.chunk(3, 1);
    const [hr, hz, hn] = gh.chunk(3, 1);
    const r = hr.add(ir).sigmoid();
    const z = hz.add(iz).sigmoid();
    const n = inn.add(hn.mul(r)).tanh();
    const yRef = hx.sub(n).mul(z).add(n);
    const y = gruCellPointwise(gi, gh, hx);
    near(values(y), values(yRef), tol, "gru hy");
    const gRef = torch.autograd.grad(yRef.mul(upH).sum(), [gi, gh, hx]);
    torch.autograd.grad(y.mul(upH).sum(), [gi, gh, hx]).forEach((t, k) => {
      near(values(t), values(gRef[k]), tol * 10, `gru grad ${k}`);
    });
  });
}

test("the fused steps check their shapes", () => {
  const cx = torch.zeros([2, 3]);
  assert.throws(() => lstmCellPointwise(torch.zeros([2, 11]), torch.zeros([2, 12]), cx), /lstm_cell: input_gates must be of shape \[2, 12\], got \[2, 11\]/);
  assert.throws(() => gruCellPointwise(torch.zeros([2, 9]), torch.zeros([3, 9]), cx), /gru_cell: hidden_gates must be of shape \[2, 9\], got \[3, 9\]/);
});
