// The addon's cascadeSum against the TypeScript cascade sum (src/backend/cpu/sum.ts): the same
// bits on contiguous, permuted, sliced and broadcast layouts of 1-4 dims, every set of reduced
// dims, both float types; and its argument checks. (Both are checked against PyTorch itself by
// test/ops/sum-parity.test.ts, which runs with and without the addon.)
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "kindling";
import type { Tensor } from "kindling";
import type { SumBlocksKernel } from "../../../src/backend/cpu/sum.js";
import { cascadeSum } from "../../../src/backend/cpu/sum.js";
import { eachIsa, native } from "./helpers.js";

function subsets(nd: number): number[][] {
  const out: number[][] = [];
  for (let m = 1; m < 1 << nd; m++) out.push([...Array(nd).keys()].filter((d) => m & (1 << d)));
  return out;
}

function layouts(x: Tensor): [string, Tensor][] {
  const nd = x.dim();
  const out: [string, Tensor][] = [["contiguous", x]];
  if (nd >= 2) out.push(["transposed", x.transpose(0, nd - 1)]);
  if (nd >= 3) out.push(["permuted", x.permute([...Array(nd).keys()].map((d) => (d + 1) % nd))]);
  out.push(["sliced", x.slice(nd - 1, 1, undefined, 2)]);
  if (nd >= 2) out.push(["expanded", x.narrow(0, 0, 1).expand(x.shape)]);
  return out;
}

test("the addon's cascadeSum gives the TypeScript cascade sum's bits", (t) => {
  if (!native) return t.skip("native addon not available");
  const blocks = (native as unknown as { cascadeSum: SumBlocksKernel }).cascadeSum;
  const shapes = [[5000], [33], [70, 90], [3, 2049], [1000, 7], [6, 40, 33], [2, 3, 4, 300], [9, 1, 260]];
  let checked = 0;
  torch.manualSeed(7);
  for (const dtype of [torch.float32, torch.float64]) {
    for (const shape of shapes) {
      const base = torch.randn(shape, { dtype });
      for (const [name, x] of layouts(base)) {
        for (const dims of subsets(x.dim())) {
          const ts = cascadeSum(x, dims).values();
          const cc = cascadeSum(x, dims, blocks).values();
          assert.equal(cc.length, ts.length);
          for (let i = 0; i < ts.length; i++) assert.ok(Object.is(cc[i], ts[i]), `${dtype} [${shape}] ${name} dims ${dims} [${i}]: ${cc[i]} vs ${ts[i]}`);
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 100);
});

test("the addon's cascadeSum checks its arguments", (t) => {
  if (!native) return t.skip("native addon not available");
  const k = native as unknown as { cascadeSum: (...args: unknown[]) => void };
  const x = new Float32Array(10);
  const out = new Float32Array(2);
  assert.throws(() => k.cascadeSum(x, 0, out, [10], [1]), /expected 6 arguments/);
  assert.throws(() => k.cascadeSum(x, 1, out, [10], [1], [0]), /x is too short/);
  assert.throws(() => k.cascadeSum(x, 0, out, [5, 3], [1, 5], [0, 1]), /x is too short/);
  assert.throws(() => k.cascadeSum(x, 0, out, [2, 5], [5, 1], [0, 1]), /out is too short/);
  assert.throws(() => k.cascadeSum(x, 0, new Float64Array(2), [10], [1], [0]), /element type/);
  assert.throws(() => k.cascadeSum(x, 0, out, [10], [-1], [0]), /non-negative integer/);
  assert.throws(() => k.cascadeSum(x, 0, x, [10], [1], [0]), /must not be x/);
  k.cascadeSum(x.fill(0.5), 0, out, [5, 2], [1, 5], [0, 1]);
  assert.deepEqual(Array.from(out), [2.5, 2.5]);
});

// Large enough for the addon's threaded and vectorised paths: the rows of a full sum split into
// top-level chunks (2^12 rows of 4 vectors: 131,072 float32 / 65,536 float64 elements), the
// outputs of row and column sums split over the pool, columns taken up to 8 vectors at a time
// with a scalar remainder. Odd sizes leave every kind of tail; every instruction set and 1-3
// threads must give the TypeScript kernel's bits.
test("the addon's threaded, vectorised cascadeSum gives the TypeScript bits on every ISA and thread count", (t) => {
  const blocks = (native as unknown as { cascadeSum: SumBlocksKernel } | null)?.cascadeSum;
  let checked = 0;
  const cases: [number[], (x: Tensor) => Tensor, number[][]][] = [
    [[1048576 + 37], (x) => x, [[0]]],
    [[300001], (x) => x.slice(0, 1, undefined, 2), [[0]]],
    [[1024, 1024], (x) => x, [[0], [1], [0, 1]]],
    [[1031, 1037], (x) => x, [[0], [1], [0, 1]]],
    [[1031, 1037], (x) => x.transpose(0, 1), [[0], [1], [0, 1]]],
    [[1030, 1037], (x) => x.slice(1, 3, 1000), [[0], [1], [0, 1]]],
    [[3, 300, 257], (x) => x, [[0], [1], [2], [0, 2], [1, 2]]],
    [[5, 70001], (x) => x, [[1], [0, 1]]],
  ];
  torch.manualSeed(11);
  const bits = (a: Float32Array | Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  for (const dtype of [torch.float32, torch.float64]) {
    for (const [shape, view, dimsList] of cases) {
      const x = view(torch.randn(shape, { dtype }).mul(100));
      for (const dims of dimsList) {
        const want = bits(cascadeSum(x, dims).values() as Float32Array | Float64Array);
        eachIsa(t, (k, isa) => {
          const threads = k.numThreads();
          try {
            for (const n of [1, 2, 3]) {
              k.setNumThreads(n);
              const got = bits(cascadeSum(x, dims, blocks).values() as Float32Array | Float64Array);
              assert.ok(got.equals(want), `${dtype} [${shape}] dims ${dims} ${isa} ${n} threads`);
              checked++;
            }
          } finally {
            k.setNumThreads(threads);
          }
        });
      }
    }
  }
  if (native) assert.ok(checked >= 2 * 23 * 3);
});
