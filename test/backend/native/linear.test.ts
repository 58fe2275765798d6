// Linear's bias inside the matrix product (the backend's matmulBias, torch.addmm's order): which
// problems take it, its values against the product followed by an add, and the gradients.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "kindling";
import { backendFor } from "../../../src/backend/backend.js";
import { cpuBackend } from "../../../src/backend/cpu/index.js";
import type { NativeKernels } from "../../../src/backend/native/addon.js";
import { createNativeBackend } from "../../../src/backend/native/backend.js";
import { native, withNative } from "./helpers.js";

function counting(k: NativeKernels): { k: NativeKernels; calls: string[] } {
  const calls: string[] = [];
  const wrapped = Object.fromEntries(
    Object.entries(k).map(([name, v]) => [
      name,
      typeof v === "function"
        ? (...args: unknown[]) => {
            calls.push(`${name}/${args.length}`);
            return (v as (...a: unknown[]) => unknown).apply(k, args);
          }
        : v,
    ]),
  );
  return { k: wrapped as unknown as NativeKernels, calls };
}

test("matmulBias: one gemm onto the bias for large 2-D float products, null otherwise", (t) => {
  withNative(t, (k0) => {
    const { k, calls } = counting(k0);
    const be = createNativeBackend(k, cpuBackend);
    torch.manualSeed(1);
    for (const dtype of [torch.float32, torch.float64]) {
      const x = torch.randn([64, 300], { dtype });
      const w = torch.randn([20, 300], { dtype });
      const b = torch.randn([20], { dtype });
      calls.length = 0;
      const y = be.matmulBias(x, w.t(), b);
      assert.ok(y);
      assert.deepEqual(calls, ["gemm/18"]);
      // K = 300 is one block of k in float32: the product plus the bias, to the bit; float64's
      // blocks are 192 deep, so its bias joins the first block's sum instead (within rounding).
      const ref = x.matmul(w.t()).add(b);
      if (dtype === torch.float32) assert.deepEqual(y.tolist(), ref.tolist());
      else assert.ok(y.sub(ref).abs().max().item() < 1e-12);
      // A transposed first operand (x stored [K, M]).
      const xt = torch.randn([300, 64], { dtype });
      const yt = be.matmulBias(xt.t(), w.t(), b);
      assert.ok(yt);
      assert.ok(yt.sub(xt.t().matmul(w.t()).add(b)).abs().max().item() < 1e-3);
    }
    calls.length = 0;
    const small = torch.randn([4, 3]);
    assert.equal(be.matmulBias(small, torch.randn([3, 2]), torch.randn([2])), null); // below the threshold
    const x = torch.randn([64, 40]);
    assert.equal(be.matmulBias(x, torch.randn([40, 30]), torch.randn([1, 30])), null); // 2-D bias
    assert.equal(be.matmulBias(x, torch.randn([40, 30], { dtype: torch.float64 }), torch.randn([30])), null); // mixed dtypes
    assert.equal(be.matmulBias(x, torch.randn([30, 40]).t(), torch.randn([60]).reshape([30, 2]).select(1, 0)), null); // strided bias
    assert.deepEqual(calls, []);
  });
});

test("nn.Linear through the registered backend: the bias fused, values and gradients as product + add", () => {
  torch.manualSeed(2);
  const lin = new torch.nn.Linear(200, 30);
  const x = torch.randn([50, 200], { requiresGrad: true });
  const y = lin.forward(x);
  const ref = x.detach().matmul(lin.weight.detach().t()).add(lin.bias!.detach());
  assert.deepEqual(y.tolist(), ref.tolist()); // K = 200: one block of k, the same bits
  assert.equal(y.gradFn?.name, "AddmmBackward0");
  const gy = torch.randn([50, 30]);
  y.backward(gy);
  assert.ok(x.grad!.sub(gy.matmul(lin.weight.detach())).abs().max().item() < 1e-5);
  assert.ok(lin.weight.grad!.sub(gy.t().matmul(x.detach())).abs().max().item() < 1e-4);
  assert.deepEqual(lin.bias!.grad!.tolist(), gy.sum(0).tolist());
  if (native) assert.ok(backendFor("cpu").matmulBias);
});
