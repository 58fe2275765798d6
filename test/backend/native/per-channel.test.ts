// A per-channel operand ([1, C, 1, 1] against [N, C, H, W], a convolution's bias) through the
// addon's scalar kernel, plane by plane, gives the TypeScript loop's bits for add, sub, mul and
// div, float32 and float64, on every instruction set.
import assert from "node:assert/strict";
import { test } from "node:test";
import { cpuBackend } from "../../../src/backend/cpu/index.js";
import { backendFor, registerBackend } from "../../../src/backend/index.js";
import { createNativeBackend } from "../../../src/backend/native/backend.js";
import * as torch from "../../../src/index.js";
import { eachIsa } from "./helpers.js";

function run(): string[] {
  const out: string[] = [];
  let seed = 0;
  for (const dtype of [torch.float32, torch.float64]) {
    for (const [shape, bshape] of [
      [[4, 6, 28, 28], [1, 6, 1, 1]],
      [[3, 5, 16, 17], [5, 1, 1]],
      [[2, 7, 300], [1, 7, 1]],
      [[8, 3, 4, 4], [1, 3, 1, 1]],
    ]) {
      const g = new torch.Generator().manualSeed(seed++);
      const a = torch.randn(shape, { dtype, generator: g });
      const b = torch.randn(bshape, { dtype, generator: g });
      for (const y of [a.add(b), a.sub(b), a.mul(b), a.div(b)]) out.push(Buffer.from(new Float64Array(Array.from(y.values())).buffer).toString("base64"));
    }
  }
  return out;
}

test("a per-channel operand through the addon gives the TypeScript loop's bits", (t) => {
  const registered = backendFor("cpu");
  eachIsa(t, (k, isa) => {
    try {
      registerBackend("cpu", cpuBackend);
      const typescript = run();
      registerBackend("cpu", createNativeBackend(k, cpuBackend));
      const native = run();
      for (let i = 0; i < typescript.length; i++) assert.equal(native[i], typescript[i], `${isa}: case ${i}`);
    } finally {
      registerBackend("cpu", registered);
    }
  });
});
