// Linear's backward in one addon call (native/src/linear.cc through the backend's linearBackward):
// the same bits as the two products and the sum it replaces, which problems take it, and its
// argument checks.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "kindling";
import { cpuBackend } from "../../../src/backend/cpu/index.js";
import { createNativeBackend } from "../../../src/backend/native/backend.js";
import { eachIsa, native, withNative } from "./helpers.js";

type T = torch.Tensor;

function bits(t: T | null): string {
  if (t === null) return "null";
  return `${t.shape.join("x")}:${Array.from(t.contiguous().values(), (v) => (Object.is(v, -0) ? "-0" : String(v))).join(",")}`;
}

// gy [M, N], x [M, K], w [N, K], each possibly a transposed or sliced view.
function operands(m: number, n: number, k: number, dtype: torch.DType, layout: number): { gy: T; x: T; w: T } {
  const gy = layout & 1 ? torch.randn([n, m], { dtype }).t() : torch.randn([m, n], { dtype });
  const x = layout & 2 ? torch.randn([k, m], { dtype }).t() : torch.randn([m, k + 1], { dtype }).narrow(1, 1, k);
  const w = layout & 4 ? torch.randn([k, n], { dtype }).t() : torch.randn([n, k], { dtype });
  return { gy, x, w };
}

test("linearBackward: the bits of gy.sum(0), gy @ w and gy^T @ x computed apart, on every instruction set", (t) => {
  eachIsa(t, (k) => {
    const nb = createNativeBackend(k, cpuBackend);
    torch.manualSeed(3);
    const shapes: [number, number, number][] = [
      [64, 2, 2], // the XOR model's layers
      [64, 1, 2],
      [2, 3, 64],
      [37, 5, 11],
      [300, 20, 40], // a block of K larger than one register tile
      [1000, 1, 3], // a long bias sum (cascade levels)
      [129, 17, 700], // float32's K block is 384 deep
    ];
    for (const dtype of [torch.float32, torch.float64]) {
      for (const [m, n, kk] of shapes) {
        for (let layout = 0; layout < 8; layout++) {
          const { gy, x, w } = operands(m, n, kk, dtype, layout);
          // The unfused path: the backend's reduce and matmul, as linear's backward called them.
          const db = nb.reduce(gy, [0], "sum", false).values.reshape([n]);
          const dx = nb.matmul(gy, w);
          const dw = nb.matmul(gy.t(), x);
          for (const want of [
            [true, true, true],
            [true, false, true],
            [false, true, true],
            [true, true, false],
          ]) {
            const r = nb.linearBackward(gy, x, w, want[0], want[1], want[2]);
            const label = `${dtype.name} ${m}x${n}x${kk} layout ${layout} want ${want}`;
            const macs = m * n * kk;
            const bigEnough = macs >= (dtype === torch.float32 ? 128 : 2048);
            const sumOk = !want[0] || gy.isContiguous();
            if (!bigEnough || !sumOk) {
              assert.equal(r, null, `${label}: should be left to the caller`);
              continue;
            }
            assert.ok(r, `${label}: should be taken`);
            assert.equal(bits(r[0]), want[0] ? bits(db) : "null", `${label}: bias`);
            assert.equal(bits(r[1]), want[1] ? bits(dx) : "null", `${label}: input`);
            assert.equal(bits(r[2]), want[2] ? bits(dw) : "null", `${label}: weight`);
          }
        }
      }
    }
  });
});

test("linearBackward: left to the caller for one gradient, one row, mixed dtypes or other ranks", (t) => {
  withNative(t, (k) => {
    const nb = createNativeBackend(k, cpuBackend);
    const gy = torch.randn([64, 4]);
    const x = torch.randn([64, 8]);
    const w = torch.randn([4, 8]);
    assert.ok(nb.linearBackward(gy, x, w, true, true, true));
    assert.equal(nb.linearBackward(gy, x, w, false, false, true), null);
    assert.equal(nb.linearBackward(gy, x, w, true, false, false), null);
    assert.equal(nb.linearBackward(torch.randn([1, 4]), torch.randn([1, 200]), torch.randn([4, 200]), true, true, false), null);
    assert.equal(nb.linearBackward(gy, x.double(), w, true, true, true), null);
    assert.equal(nb.linearBackward(gy.reshape([64, 2, 2]), x, w, true, true, true), null);
    assert.equal(nb.linearBackward(gy.int(), x.int(), w.int(), true, true, true), null);
  });
});

test("linearBackward (addon): argument checks name the argument", (t) => {
  if (!native?.linearBackward) {
    t.skip("native addon not available");
    return;
  }
  const lb = native.linearBackward.bind(native);
  const gy = new Float32Array(64 * 2);
  const x = new Float32Array(64 * 3);
  const w = new Float32Array(2 * 3);
  const dx = new Float32Array(64 * 3);
  const dw = new Float32Array(2 * 3);
  const db = new Float32Array(2);
  lb(gy, 0, 2, 1, x, 0, 3, 1, w, 0, 3, 1, 64, 2, 3, dx, dw, db);
  assert.throws(() => lb(gy, 1, 2, 1, x, 0, 3, 1, w, 0, 3, 1, 64, 2, 3, dx, dw, db), /linearBackward: gy is too short/);
  assert.throws(() => lb(gy, 0, 2, 1, x, 0, 3, 1, w, 0, 3, 1, 64, 2, 3, new Float32Array(10), dw, db), /linearBackward: dX is too short/);
  assert.throws(() => lb(gy, 0, 2, 1, x, 0, 3, 1, w, 0, 3, 1, 64, 2, 3, dx, dw, new Float64Array(2) as unknown as Float32Array), /dB must have the same element type/);
  assert.throws(() => lb(gy, 0, 1, 64, x, 0, 3, 1, w, 0, 3, 1, 64, 2, 3, dx, dw, db), /gy must be row-major with at least 2 rows for dB/);
  assert.throws(() => lb(gy, 0, 2, 1, x, 0, 3, 1, w, 0, 3, 1, 64, 2, 3, x, dw, db), /dX must not overlap an input/);
  assert.throws(() => lb(gy, 0, 2, 1, x, 0, 3, 1, w, 0, 3, 1, 64, 2, 3, dx, dw, dw.subarray(0, 2)), /dB must not overlap another output/);
  assert.throws(() => lb(gy, 0, 2, 1, [] as unknown as Float32Array, 0, 3, 1, w, 0, 3, 1, 64, 2, 3, dx, dw, db), /x must be a Float32Array or Float64Array/);
  assert.throws(() => lb(gy, 0, 2, 1, x, 0, 3, 1, w, 0, 3, 1, -1, 2, 3, dx, dw, db), /M must be a non-negative integer/);
  // Sizes and strides whose products pass 2^53 are refused before any length is compared.
  assert.throws(() => lb(gy, 0, 2 ** 52, 1, x, 0, 3, 1, w, 0, 3, 1, 64, 2, 3, dx, dw, db), /linearBackward: gy is too large for its sizes and strides/);
  assert.throws(() => lb(gy, 0, 2, 1, x, 0, 3, 1, w, 0, 3, 1, 2 ** 31, 2, 2 ** 31, dx, dw, db), /linearBackward: dX is too large for its sizes/);
  // Inputs a wanted output does not need are not read: x without dW, w without dX.
  lb(gy, 0, 2, 1, null as unknown as Float32Array, 0, 0, 0, w, 0, 3, 1, 64, 2, 3, dx, null, db);
  lb(gy, 0, 2, 1, x, 0, 3, 1, null as unknown as Float32Array, 0, 0, 0, 64, 2, 3, null, dw, db);
});

test("nn.Linear's gradients through the fused backward equal PyTorch's formulas computed apart", () => {
  torch.manualSeed(4);
  const lin = new torch.nn.Linear(30, 5);
  const x = torch.randn([40, 30], { requiresGrad: true });
  const y = lin.forward(x);
  const gy = torch.randn([40, 5]);
  y.backward(gy);
  assert.equal(bits(x.grad), bits(gy.matmul(lin.weight.detach())));
  assert.equal(bits(lin.weight.grad), bits(gy.t().matmul(x.detach())));
  assert.equal(bits(lin.bias!.grad), bits(gy.sum(0)));
});
