// A 1x1 stride-1 convolution reads x in place as its patch matrix (no im2col), and a batched one
// writes [N, O, L] from per-image products: the results must be the bits of the im2col route,
// which a channels-last input (not readable in place) still takes.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";

const F = torch.nn.functional;

function bits(t: torch.Tensor): string {
  return Buffer.from(new Float64Array(Array.from(t.contiguous().values())).buffer).toString("base64");
}

test("1x1 and batched convolutions give the im2col route's bits", () => {
  let seed = 0;
  for (const dtype of [torch.float32, torch.float64]) {
    for (const [n, c, h, o, k] of [
      [1, 64, 12, 32, 1],
      [4, 64, 10, 32, 1],
      [3, 16, 5, 8, 1],
      [4, 16, 9, 8, 3],
    ]) {
      const g = new torch.Generator().manualSeed(seed++);
      const xv = torch.randn([n, c, h, h], { dtype, generator: g });
      const wv = torch.randn([o, c, k, k], { dtype, generator: g });
      const bv = torch.randn([o], { dtype, generator: g });
      const gy = torch.randn([n, o, h - k + 1, h - k + 1], { dtype, generator: g });
      const results = [xv, xv.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)].map((x0) => {
        const x = x0.detach().requiresGrad_();
        const w = wv.detach().requiresGrad_();
        const b = bv.detach().requiresGrad_();
        const y = F.conv2d(x, w, b);
        y.mul(gy).sum().backward();
        return [y, x.grad as torch.Tensor, w.grad as torch.Tensor, b.grad as torch.Tensor].map(bits);
      });
      assert.deepEqual(results[0], results[1], `${dtype.name} n=${n} c=${c} k=${k}`);
    }
  }
});
