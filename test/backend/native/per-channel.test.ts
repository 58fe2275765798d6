// A per-channel operand ([1, C, 1, 1] against [N, C, H, W], a convolution's bias) through the
// addon's scalar kernel, plane by plane, gives the TypeScript loop's bits for add, sub, mul and
// div, float32 and float64, on every instruction set, on one thread and on all.
import { test } from "node:test";
import * as torch from "../../../src/index.js";
import { assertNativeBackendMatches } from "./helpers.js";

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
  assertNativeBackendMatches(t, run, () => {}, (_c, i) => `case ${i}`);
});
