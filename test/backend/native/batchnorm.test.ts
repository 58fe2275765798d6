// Batch norm's native loops (native/src/batchnorm.cc) give the TypeScript loops' bits
// (src/ops/normalization.ts, which the normalization tests check against PyTorch): forward in
// training and eval, the running statistics, and the gradients of x, weight and bias, float32 and
// float64, planes shorter than, equal to and longer than a vector, on one thread and on all.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../../src/index.js";
import { assertNativeBackendMatches } from "./helpers.js";

const SHAPES = [
  [2, 3, 5],
  [4, 8, 3, 3],
  [2, 5, 7, 9],
  [3, 16, 8, 8],
  [16, 32, 16, 16],
  [8, 4, 1, 13],
  [2, 3, 2, 2, 2],
  [2, 4, 17],
];

/** Every value batch norm produces for each case, as the bit patterns of its floats. */
function run(): string[] {
  const out: string[] = [];
  const bits = (t: torch.Tensor | null | undefined) => (t ? Buffer.from((t.contiguous().values() as Float32Array).slice().buffer).toString("base64") : "-");
  let seed = 0;
  for (const dtype of [torch.float32, torch.float64]) {
    for (const shape of SHAPES) {
      for (const training of [true, false]) {
        const g = new torch.Generator().manualSeed(seed++);
        const c = shape[1];
        const w = torch.rand([c], { dtype, generator: g }).add(0.5).requiresGrad_();
        const b = torch.randn([c], { dtype, generator: g }).requiresGrad_();
        const rm = torch.randn([c], { dtype, generator: g });
        const rv = torch.rand([c], { dtype, generator: g }).add(0.5);
        const x = torch.randn(shape, { dtype, generator: g }).mul(3).add(1).requiresGrad_();
        const y = torch.nn.functional.batchNorm(x, rm, rv, { weight: w, bias: b, training });
        y.mul(torch.randn(shape, { dtype, generator: g })).sum().backward();
        out.push([shape.join("x"), dtype.name, training, bits(y), bits(x.grad), bits(w.grad), bits(b.grad), bits(rm), bits(rv)].join(" "));
      }
    }
  }
  return out;
}

test("batch norm through the native loops gives the TypeScript loops' bits", (t) => {
  assertNativeBackendMatches(
    t,
    run,
    (nb) => assert.ok(nb.batchNorm, "the addon has the batch norm loops"),
    (c) => c.split(" ").slice(0, 3).join(" "),
  );
});
