// The addon's im2col / col2im against the TypeScript kernels (src/backend/cpu/im2col.ts): the same
// values bit for bit (both only copy, or add in the same order), through strides, padding past the
// edges, dilation and strides in the kernel; the same on one thread as on all; bad arguments refused.
import assert from "node:assert/strict";
import { test } from "node:test";
import "../../../src/index.js";
import type { ConvGeometry } from "../../../src/backend/backend.js";
import { cpuBackend } from "../../../src/backend/cpu/index.js";
import { createNativeBackend } from "../../../src/backend/native/backend.js";
import { float32, float64 } from "../../../src/tensor/dtype.js";
import { Tensor } from "../../../src/tensor/tensor.js";
import { assertSameOnOneThread, native, random } from "./helpers.js";

function geometry(c: number, h: number, w: number, k: [number, number], s: [number, number], p: [number, number], d: [number, number], extra: [number, number] = [0, 0]): ConvGeometry {
  const outH = Math.floor((h + 2 * p[0] + extra[0] - d[0] * (k[0] - 1) - 1) / s[0]) + 1;
  const outW = Math.floor((w + 2 * p[1] + extra[1] - d[1] * (k[1] - 1) - 1) / s[1]) + 1;
  return { channels: c, height: h, width: w, kernelH: k[0], kernelW: k[1], strideH: s[0], strideW: s[1], padH: p[0], padW: p[1], dilationH: d[0], dilationW: d[1], outH, outW };
}

const CASES: Array<[string, number, ConvGeometry]> = [
  ["3x3 pad 1", 4, geometry(8, 12, 11, [3, 3], [1, 1], [1, 1], [1, 1])],
  ["stride 2, dilation 2", 3, geometry(5, 17, 13, [3, 2], [2, 3], [2, 1], [2, 2])],
  ["same, even kernel (extra bottom/right padding)", 2, geometry(6, 10, 9, [4, 2], [1, 1], [1, 0], [1, 1], [1, 1])],
  ["padding wider than the kernel reaches", 2, geometry(3, 6, 7, [2, 2], [1, 1], [3, 4], [1, 1])],
  ["1x1 stride 2", 4, geometry(16, 9, 9, [1, 1], [2, 2], [0, 0], [1, 1])],
];

test("native im2col/col2im equal the TypeScript kernels", (t) => {
  if (!native?.im2col) {
    t.skip("native addon (with im2col) not available");
    return;
  }
  const be = createNativeBackend(native, cpuBackend);
  let seed = 11;
  for (const dtype of [float32, float64]) {
    const Type = dtype === float32 ? Float32Array : Float64Array;
    for (const [name, n, g] of CASES) {
      // A non-contiguous input: stored [n, c, w, h], read transposed.
      const stored = Tensor.make([n, g.channels, g.width, g.height], dtype, random(Type, n * g.channels * g.width * g.height, seed++, -2, 2));
      const x = stored.transpose(2, 3);
      const want = cpuBackend.im2col(x, g);
      const got: number[] = assertSameOnOneThread(native, () => Array.from(be.im2col(x, g).storage.data));
      assert.deepEqual(got, Array.from(want.storage.data), `im2col ${name} ${dtype.name}`);
      // col2im of a transposed view of a cols matrix.
      const rows = g.channels * g.kernelH * g.kernelW;
      const l = g.outH * g.outW;
      const cstore = Tensor.make([n, rows, l], dtype, random(Type, n * rows * l, seed++, -2, 2));
      const cols = cstore.transpose(0, 1);
      const cwant = cpuBackend.col2im(cols, g);
      const cgot: number[] = assertSameOnOneThread(native, () => Array.from(be.col2im(cols, g).storage.data));
      assert.deepEqual(cgot, Array.from(cwant.storage.data), `col2im ${name} ${dtype.name}`);
    }
  }
});

test("native im2col refuses arrays too short for the geometry", (t) => {
  if (!native?.im2col) {
    t.skip("native addon (with im2col) not available");
    return;
  }
  const x = new Float32Array(10);
  const cols = new Float32Array(1000);
  assert.throws(() => native!.im2col!(x, 0, 16, 16, 4, 1, 1, 1, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 4, 4, cols, 0), RangeError);
  assert.throws(() => native!.col2im!(cols, 0, 16, 16, 1, 1, 1, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 4, 4, x, 0), RangeError);
  assert.throws(() => native!.im2col!(new Float32Array(16), 0, 16, 16, 4, 1, 1, 1, 4, 4, 3, 3, 0, 1, 1, 1, 1, 1, 4, 4, cols, 0), RangeError);
});
