// The native fused LSTM/GRU cell kernels (native/src/recurrent.cc) against the TypeScript ones
// (src/backend/cpu/recurrent.ts): forward and backward, float32 and float64, on every
// instruction set, strided offsets included; and the addon's argument checks.
import assert from "node:assert/strict";
import { test } from "node:test";
import "../../../src/index.js";
import { cpuBackend } from "../../../src/backend/cpu/index.js";
import { createNativeBackend } from "../../../src/backend/native/backend.js";
import { type DType, float32, float64 } from "../../../src/tensor/dtype.js";
import { Tensor } from "../../../src/tensor/tensor.js";
import { eachIsa, rng, withNative } from "./helpers.js";

function randomTensor(shape: number[], dtype: DType, next: () => number, offset = 0): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === float32 ? new Float32Array(n + offset) : new Float64Array(n + offset);
  for (let i = 0; i < data.length; i++) data[i] = (next() - 0.5) * 6;
  const full = Tensor.make([n + offset], dtype, data);
  return new Tensor(full.storage, shape, shape.length === 2 ? [shape[1], 1] : [1], offset, dtype);
}

function near(a: Tensor, b: Tensor, dtype: DType, what: string): void {
  const x = Array.from(a.contiguous().values() as ArrayLike<number>);
  const y = Array.from(b.contiguous().values() as ArrayLike<number>);
  assert.equal(x.length, y.length, what);
  // Sigmoid/tanh differ by an ulp or two between the vectorised kernels and Math's.
  const tol = dtype === float32 ? 2e-6 : 1e-14;
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(x[i] - y[i]) <= tol * (1 + Math.abs(y[i])), `${what}[${i}]: ${x[i]} vs ${y[i]}`);
}

test("native fused LSTM and GRU cells agree with the TypeScript kernels", (t) => {
  eachIsa(t, (k, isa) => {
    const nb = createNativeBackend(k, cpuBackend);
    for (const dtype of [float32, float64]) {
      const next = rng(11);
      const [B, H] = [5, 37];
      const what = `${isa} ${dtype.name}`;
      const ig = randomTensor([B, 4 * H], dtype, next, 3);
      const hg = randomTensor([B, 4 * H], dtype, next);
      const cx = randomTensor([B, H], dtype, next, 1);
      const a = nb.fusedLstmCell!(ig, hg, cx)!;
      const b = cpuBackend.fusedLstmCell!(ig, hg, cx)!;
      near(a.hy, b.hy, dtype, `${what} hy`);
      near(a.cy, b.cy, dtype, `${what} cy`);
      near(a.workspace, b.workspace, dtype, `${what} workspace`);
      const dhy = randomTensor([B, H], dtype, next, 2);
      const dcy = randomTensor([B, H], dtype, next);
      for (const [dh, dc] of [[dhy, dcy], [dhy, null], [null, dcy]] as const) {
        const ga = nb.fusedLstmCellBackward!(dh, dc, cx, a.cy, a.workspace)!;
        const gb = cpuBackend.fusedLstmCellBackward!(dh, dc, cx, b.cy, b.workspace)!;
        near(ga.dgates, gb.dgates, dtype, `${what} dgates`);
        near(ga.dcx, gb.dcx, dtype, `${what} dcx`);
      }
      const gi = randomTensor([B, 3 * H], dtype, next, 4);
      const gh = randomTensor([B, 3 * H], dtype, next);
      const hx = randomTensor([B, H], dtype, next, 2);
      const ra = nb.fusedGruCell!(gi, gh, hx)!;
      const rb = cpuBackend.fusedGruCell!(gi, gh, hx)!;
      near(ra.hy, rb.hy, dtype, `${what} gru hy`);
      near(ra.workspace, rb.workspace, dtype, `${what} gru workspace`);
      const ba = nb.fusedGruCellBackward!(dhy, ra.workspace)!;
      const bb = cpuBackend.fusedGruCellBackward!(dhy, rb.workspace)!;
      near(ba.dig, bb.dig, dtype, `${what} dig`);
      near(ba.dhg, bb.dhg, dtype, `${what} dhg`);
      near(ba.dhx, bb.dhx, dtype, `${what} dhx`);
    }
  });
});

test("the native fused cells check their arguments", (t) => {
  withNative(t, (k) => {
    const f = new Float32Array(8);
    const d = new Float64Array(8);
    assert.throws(() => k.fusedLstmCell!(f, 0, f, 0, f, 0, f, f, f, 1, 4), /fusedLstmCell: ig is too short/);
    assert.throws(() => k.fusedGruCell!(f, 0, d as unknown as Float32Array, 0, f, 0, f, f, 1, 1), /fusedGruCell: hg must have the same element type/);
    assert.throws(() => k.fusedGruCellBackward!(f, -1, f, 0, f, f, f, 1, 1), /dhyOffset must be a non-negative integer/);
  });
});
