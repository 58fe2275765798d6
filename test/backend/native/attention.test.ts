// The native fused attention kernel (native/src/attention.cc) against the TypeScript one
// (src/backend/cpu/attention.ts): forward (out, logsumexp) and backward, float32 and float64, on
// every instruction set, with inputs at an offset in their arrays, masks broadcast through zero
// strides, causal L != S; the same bits on one thread as on all; and the addon's argument checks.
import assert from "node:assert/strict";
import { test } from "node:test";
import "../../../src/index.js";
import type { AttentionOptions } from "../../../src/backend/backend.js";
import { cpuBackend } from "../../../src/backend/cpu/index.js";
import { createNativeBackend } from "../../../src/backend/native/backend.js";
import { type DType, float32, float64 } from "../../../src/tensor/dtype.js";
import { Tensor } from "../../../src/tensor/tensor.js";
import { assertSameOnOneThread, eachIsa, rng, withNative } from "./helpers.js";

/** A contiguous tensor of shape whose data starts `offset` elements into its array. */
function randomTensor(shape: number[], dtype: DType, next: () => number, offset = 0): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === float32 ? new Float32Array(n + offset) : new Float64Array(n + offset);
  for (let i = 0; i < data.length; i++) data[i] = (next() - 0.5) * 4;
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  return new Tensor(Tensor.make([n + offset], dtype, data).storage, shape, strides, offset, dtype);
}

function near(a: Tensor, b: Tensor, dtype: DType, what: string): void {
  const x = Array.from(a.contiguous().values() as ArrayLike<number>);
  const y = Array.from(b.contiguous().values() as ArrayLike<number>);
  assert.equal(x.length, y.length, what);
  // float32 blocks of products and sums against float64 sums in TypeScript
  const tol = dtype === float32 ? 3e-6 : 1e-13;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]) && Number.isNaN(y[i])) continue;
    assert.ok(Math.abs(x[i] - y[i]) <= tol * (1 + Math.abs(y[i])), `${what}[${i}]: ${x[i]} vs ${y[i]}`);
  }
}

interface Case {
  name: string;
  N: number;
  L: number;
  S: number;
  E: number;
  Ev: number;
  isCausal: boolean;
  /** The mask as [N, L, S] over a smaller tensor, or none. */
  mask?: (dtype: DType, next: () => number) => Tensor;
}

function broadcastMask(dtype: DType, next: () => number, base: number[], N: number, L: number, S: number): Tensor {
  const m = randomTensor(base, dtype, next, 3);
  // a few -inf entries, as a bool mask becomes
  const d = m.storage.data as Float32Array | Float64Array;
  for (let i = 3; i < d.length; i += 7) d[i] = Number.NEGATIVE_INFINITY;
  const [bN, bL, bS] = base;
  const strides = [bN === 1 ? 0 : bL * bS, bL === 1 ? 0 : bS, bS === 1 ? 0 : 1];
  return new Tensor(m.storage, [N, L, S], strides, m.offset, dtype);
}

const CASES: Case[] = [
  { name: "plain, blocks crossed", N: 3, L: 130, S: 150, E: 64, Ev: 64, isCausal: false },
  { name: "causal L > S, odd dims", N: 2, L: 140, S: 75, E: 7, Ev: 5, isCausal: true },
  { name: "causal L < S", N: 2, L: 40, S: 200, E: 8, Ev: 8, isCausal: true },
  { name: "mask [1, L, S]", N: 4, L: 70, S: 90, E: 8, Ev: 6, isCausal: false, mask: (dt, r) => broadcastMask(dt, r, [1, 70, 90], 4, 70, 90) },
  { name: "mask [N, 1, S] (key padding)", N: 4, L: 70, S: 90, E: 9, Ev: 3, isCausal: false, mask: (dt, r) => broadcastMask(dt, r, [4, 1, 90], 4, 70, 90) },
  { name: "mask [N, L, S]", N: 2, L: 65, S: 66, E: 16, Ev: 16, isCausal: false, mask: (dt, r) => broadcastMask(dt, r, [2, 65, 66], 2, 65, 66) },
];

test("native fused attention agrees with the TypeScript kernel, forward and backward", (t) => {
  eachIsa(t, (k, isa) => {
    const nb = createNativeBackend(k, cpuBackend);
    for (const dtype of [float32, float64]) {
      for (const c of CASES) {
        const next = rng(c.N * 1000 + c.L);
        const q = randomTensor([c.N, c.L, c.E], dtype, next, 5);
        const kk = randomTensor([c.N, c.S, c.E], dtype, next, 1);
        const v = randomTensor([c.N, c.S, c.Ev], dtype, next, 2);
        const dout = randomTensor([c.N, c.L, c.Ev], dtype, next, 4);
        const opts: AttentionOptions = { mask: c.mask ? c.mask(dtype, next) : null, isCausal: c.isCausal, scale: 1 / Math.sqrt(c.E) };
        const what = `${isa} ${dtype.name} ${c.name}`;
        const ts = cpuBackend.attention!(q, kk, v, opts)!;
        const nat = assertSameOnOneThread(k, () => {
          const r = nb.attention!(q, kk, v, opts)!;
          return { out: r.out, lse: r.logsumexp };
        });
        near(nat.out, ts.out, dtype, `${what} out`);
        near(nat.lse, ts.logsumexp, dtype, `${what} logsumexp`);
        const gts = cpuBackend.attentionBackward!(dout, q, kk, v, ts.out, ts.logsumexp, opts)!;
        const gnat = assertSameOnOneThread(k, () => nb.attentionBackward!(dout, q, kk, v, nat.out, nat.lse, opts)!);
        near(gnat.dq, gts.dq, dtype, `${what} dq`);
        near(gnat.dk, gts.dk, dtype, `${what} dk`);
        near(gnat.dv, gts.dv, dtype, `${what} dv`);
      }
    }
  });
});

test("native attention: a row with every key masked is NaN in out and logsumexp, as in TypeScript", (t) => {
  withNative(t, (k) => {
    const nb = createNativeBackend(k, cpuBackend);
    const next = rng(9);
    const [N, L, S, E] = [2, 20, 70, 8];
    const q = randomTensor([N, L, E], float32, next);
    const kk = randomTensor([N, S, E], float32, next);
    const v = randomTensor([N, S, E], float32, next);
    const base = new Float32Array(L * S);
    base.fill(Number.NEGATIVE_INFINITY, 3 * S, 4 * S);
    const mask = new Tensor(Tensor.make([L * S], float32, base).storage, [N, L, S], [0, S, 1], 0, float32);
    const opts = { mask, isCausal: false, scale: 0.3 };
    const r = nb.attention!(q, kk, v, opts)!;
    const ts = cpuBackend.attention!(q, kk, v, opts)!;
    near(r.out, ts.out, float32, "out");
    const out = r.out.storage.data as Float32Array;
    for (let e = 0; e < E; e++) assert.ok(Number.isNaN(out[3 * E + e]) && !Number.isNaN(out[2 * E + e]));
    assert.ok(Number.isNaN((r.logsumexp.storage.data as Float32Array)[3]));
  });
});

test("native attention checks its arguments", (t) => {
  withNative(t, (k) => {
    const f = new Float32Array(64);
    const short = new Float32Array(10);
    // q too short for N * L * E
    assert.throws(() => k.attention!(short, 0, f, 0, f, 0, null, 0, 0, 0, 0, f, f, 1, 4, 4, 4, 4, false, 0.5), { name: "RangeError", message: /attention: q is too short/ });
    // a mask whose strides reach past its end
    assert.throws(() => k.attention!(f, 0, f, 0, f, 0, short, 0, 0, 4, 1, f, f, 1, 4, 4, 4, 4, false, 0.5), { name: "RangeError", message: /mask is too short/ });
    // arrays of two element types
    assert.throws(() => k.attention!(f, 0, new Float64Array(64) as unknown as Float32Array, 0, f, 0, null, 0, 0, 0, 0, f, f, 1, 4, 4, 4, 4, false, 0.5), { name: "TypeError", message: /k must have the same element type/ });
    assert.throws(() => k.attention!(f, 0, f, 0, f, 0, null, 0, 0, 0, 0, f, f, 1, 0, 4, 4, 4, false, 0.5), { name: "RangeError", message: /must be positive/ });
    // sizes and strides whose products pass 2^53 (they would wrap in 64-bit integers)
    assert.throws(() => k.attention!(f, 0, f, 0, f, 0, null, 0, 0, 0, 0, f, f, 2 ** 30, 2 ** 30, 4, 4, 4, false, 0.5), { name: "RangeError", message: /attention: q is too large for its sizes/ });
    assert.throws(() => k.attention!(f, 0, f, 0, f, 0, short, 0, 2 ** 52, 0, 0, f, f, 4, 1, 1, 1, 1, false, 0.5), { name: "RangeError", message: /mask is too large for its sizes and strides/ });
    assert.throws(() => k.attentionBackward!(f, 0, f, 0, f, 0, f, 0, f, 0, f, 0, null, 0, 0, 0, 0, short, f, f, 1, 4, 4, 4, 4, true, 0.5), {
      name: "RangeError",
      message: /attentionBackward: dq is too short/,
    });
  });
});
