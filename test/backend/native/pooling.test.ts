// Max pooling through the addon (native/src/pooling.cc, Backend.maxPool2d) gives the TypeScript
// loops' bits (src/backend/cpu/pooling.ts, which the pooling tests check against PyTorch): values,
// indices and input gradients, 2-D and 1-D, float32 and float64, with padding, dilation, ceil
// mode, strides 1 to 3, NaN and signed zeros in the windows, non-contiguous inputs, and the
// values-only forward under noGrad; on every instruction set, on one thread and on all.
import assert from "node:assert/strict";
import { test } from "node:test";
import { cpuBackend } from "../../../src/backend/cpu/index.js";
import * as torch from "../../../src/index.js";
import { assertNativeBackendMatches, native, withNative } from "./helpers.js";

const F = torch.nn.functional;

interface Case {
  shape: number[];
  k: [number, number];
  s: [number, number];
  p: [number, number];
  d: [number, number];
  ceil: boolean;
  transpose?: boolean;
}

// Outputs of at least 2048 elements reach the addon (nativeThresholds.elementwise); the small
// ones check that the TypeScript fallback is unchanged too.
const CASES: Case[] = [
  { shape: [64, 6, 28, 28], k: [2, 2], s: [2, 2], p: [0, 0], d: [1, 1], ceil: false },
  { shape: [2, 16, 56, 56], k: [3, 3], s: [2, 2], p: [1, 1], d: [1, 1], ceil: false },
  { shape: [3, 8, 21, 19], k: [3, 3], s: [1, 1], p: [1, 1], d: [1, 1], ceil: false },
  { shape: [2, 5, 23, 29], k: [3, 2], s: [2, 3], p: [1, 1], d: [2, 3], ceil: true },
  { shape: [4, 7, 17, 18], k: [4, 5], s: [3, 2], p: [2, 2], d: [1, 1], ceil: true },
  { shape: [8, 9, 20, 33], k: [2, 3], s: [1, 1], p: [0, 1], d: [2, 1], ceil: false, transpose: true },
  { shape: [12, 30, 30], k: [3, 3], s: [2, 2], p: [0, 0], d: [1, 1], ceil: true },
  { shape: [1, 2, 5, 5], k: [2, 2], s: [2, 2], p: [1, 0], d: [1, 1], ceil: true },
];

const CASES_1D: Array<[number[], number, number, number, number, boolean]> = [
  [[16, 32, 100], 3, 2, 1, 1, false],
  [[8, 64, 37], 4, 1, 2, 2, true],
  [[4, 300], 2, 2, 0, 1, true],
];

function bits(t: torch.Tensor | null | undefined): string {
  if (!t) return "-";
  const v = t.contiguous().values();
  return Buffer.from(new Float64Array(Array.from(v)).buffer).toString("base64");
}

/** Input with ties, signed zeros, infinities and a sprinkling of NaN, so the visiting order shows. */
function input(shape: number[], dtype: torch.DType, seed: number, nans: boolean): torch.Tensor {
  const g = new torch.Generator().manualSeed(seed);
  const x = torch.randint(-3, 4, shape, { generator: g }).to(dtype).div(2);
  const v = x.values();
  for (let i = 0; i < v.length; i++) {
    if (v[i] === 0 && i % 2 === 1) v[i] = -0;
    if (i % 97 === 5) v[i] = Number.NEGATIVE_INFINITY;
    if (nans && i % 211 === 17) v[i] = Number.NaN;
  }
  return torch.tensor(Array.from(v), { dtype }).reshape(shape);
}

function run(): string[] {
  const out: string[] = [];
  let seed = 0;
  for (const dtype of [torch.float32, torch.float64]) {
    for (const nans of [false, true]) {
      for (const c of CASES) {
        let x = input(c.transpose ? [...c.shape.slice(0, -2), c.shape[c.shape.length - 1], c.shape[c.shape.length - 2]] : c.shape, dtype, seed++, nans);
        if (c.transpose) x = x.transpose(-1, -2);
        const opts = { stride: c.s, padding: c.p, dilation: c.d, ceilMode: c.ceil };
        const valuesOnly = torch.noGrad(() => F.maxPool2d(x, c.k, opts));
        const xg = x.detach().requiresGrad_();
        const [y, i] = F.maxPool2d(xg, c.k, { ...opts, returnIndices: true });
        y.mul(torch.randn(y.shape, { dtype, generator: new torch.Generator().manualSeed(seed) })).sum().backward();
        out.push([c.shape.join("x"), dtype.name, nans, bits(valuesOnly), bits(y), bits(i), bits(xg.grad)].join(" "));
      }
      for (const [shape, k, s, p, d, ceil] of CASES_1D) {
        const x = input(shape, dtype, seed++, nans);
        const opts = { stride: s, padding: p, dilation: d, ceilMode: ceil };
        const valuesOnly = torch.noGrad(() => F.maxPool1d(x, k, opts));
        const xg = x.detach().requiresGrad_();
        const [y, i] = F.maxPool1d(xg, k, { ...opts, returnIndices: true });
        y.sum().backward();
        out.push([shape.join("x"), dtype.name, nans, bits(valuesOnly), bits(y), bits(i), bits(xg.grad)].join(" "));
      }
    }
  }
  return out;
}

test("max pooling through the addon gives the TypeScript loops' bits", (t) => {
  assertNativeBackendMatches(
    t,
    run,
    (nb) => assert.notEqual(nb.maxPool2d, cpuBackend.maxPool2d, "the addon has max pooling"),
    (c) => c.split(" ").slice(0, 3).join(" "),
  );
});

test("values-only max pooling skips the indices, and NaN wins its window", (t) => {
  withNative(t, (k) => {
    const x = new Float32Array(4 * 4 * 4).map((_, i) => i);
    x[5] = Number.NaN;
    const y = new Float32Array(4 * 2 * 2);
    k.maxPool2d?.(x, 0, 4, 4, 4, 2, 2, 2, 2, 0, 0, 1, 1, 2, 2, y, null);
    assert.deepEqual(Array.from(y.subarray(0, 4)), [Number.NaN, 7, 13, 15]);
    assert.deepEqual(Array.from(y.subarray(4, 8)), [21, 23, 29, 31]);
  });
});

test("the addon's max pooling refuses bad arguments", (t) => {
  withNative(t, (k) => {
    if (!native?.maxPool2dBackward) return;
    const gy = new Float32Array(4);
    assert.throws(() => k.maxPool2dBackward?.(gy, 0, new Float64Array([0, 1, 2, 16]), 0, 1, 16, 4, new Float32Array(16)), RangeError);
    assert.throws(() => k.maxPool2dBackward?.(gy, 0, new Float64Array([0, 1, 2]), 0, 1, 16, 4, new Float32Array(16)), RangeError);
    assert.throws(() => k.maxPool2d?.(new Float32Array(15), 0, 1, 4, 4, 2, 2, 2, 2, 0, 0, 1, 1, 2, 2, gy, null), RangeError);
    assert.throws(() => k.maxPool2d?.(new Float32Array(16), 0, 1, 4, 4, 2, 2, 0, 2, 0, 0, 1, 1, 2, 2, gy, null), RangeError);
    assert.throws(() => k.maxPool2d?.(new Float32Array(16), 0, 1, 4, 4, 2, 2, 2, 2, 0, 0, 1, 1, 2, 2, new Float64Array(4) as unknown as Float32Array, null), TypeError);
  });
});
