// expf must be exactly Math.fround(Math.exp(x)) for every float32 x: the float32 kernels' bits
// (pinned against PyTorch by the op fixtures) depend on it. scripts/check-expf.ts compares all
// 2^32 inputs; this covers the edges, every float32 in [-1, 1] of a fine grid, and four million
// random bit patterns (about a thousand of which take the fallback through Math.exp).
import assert from "node:assert/strict";
import { test } from "node:test";
import { expf } from "../../../src/backend/cpu/expf.js";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function agree(x: number): void {
  const e = Math.fround(Math.exp(x));
  if (!Object.is(expf(x), e)) assert.fail(`expf(${x}) = ${expf(x)}, fround(Math.exp) = ${e}`);
}

test("expf at the edges of its fast path and of the float32 range", () => {
  const edges = [
    0, Number.NaN, Infinity, 1, 2, 0.5, Math.LN2, Math.E, 87, 88, 87.00001, 87.99999, 88.72283, 88.72284,
    89, 103.97, 104, 150, 1e10, 2 ** -126, 2 ** -149, 2 ** -24, 0.1, 1e-7, 1e-30, 1e30, 3.4028234663852886e38,
  ];
  for (const v of edges) {
    const x = Math.fround(v);
    agree(x);
    agree(-x);
  }
  for (let e = -149; e <= 127; e++) {
    agree(2 ** e);
    agree(-(2 ** e));
    agree(Math.fround(2 ** e * 1.9999999));
  }
});

test("expf on a grid: [-1, 1] by 2^-14, the whole fast path by 2^-8, each k ln2/256 and its neighbours", () => {
  for (let x = -1; x <= 1; x += 2 ** -14) agree(x);
  for (let x = -90; x <= 90; x += 2 ** -8) agree(x);
  // the reduction's interval ends, where r is largest
  for (let k = -32200; k <= 32600; k += 7) {
    const x = Math.fround((k + 0.5) * (Math.LN2 / 256));
    agree(x);
    agree(Math.fround(x * (1 + 2 ** -23)));
    agree(Math.fround(x * (1 - 2 ** -23)));
  }
});

test("expf on four million random float32 bit patterns", () => {
  let s = 0x2545f491;
  for (let i = 0; i < 4_000_000; i++) {
    // xorshift32: every bit pattern, NaNs and subnormals included, equally likely
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    u32[0] = s >>> 0;
    agree(f32[0]);
  }
});
