// Device errors: an op given tensors on two devices refuses, naming the op and both devices, as
// PyTorch's "Expected all tensors to be on the same device" does. A second device is simulated by
// registering the CPU kernels under another device type (in this test process only).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { registerBackend } from "../../src/backend/backend.js";
import { cpuBackend } from "../../src/backend/cpu/index.js";

registerBackend("fakegpu", cpuBackend);

test("to(device) moves a tensor, keeping values, dtype and autograd", () => {
  const x = torch.tensor([[1, 2], [3, 4]], { requiresGrad: true });
  const y = x.to("fakegpu");
  assert.equal(y.device, "fakegpu");
  assert.deepEqual(y.tolist(), [[1, 2], [3, 4]]);
  assert.equal(x.to("cpu"), x, "to the same device returns the tensor itself");
  assert.equal(torch.tensor([1, 2], { device: "fakegpu" }).device, "fakegpu");
  assert.equal(torch.zeros(2, { device: "fakegpu" }).add(1).device, "fakegpu");
  y.mul(2).sum().backward();
  assert.deepEqual(x.grad?.tolist(), [[2, 2], [2, 2]]);
  assert.equal(x.grad?.device, "cpu");
  assert.throws(() => x.to("cuda"), /device 'cuda' is not available.*available devices: 'cpu', 'fakegpu'/);
});

test("ops with tensors on two devices fail, naming the op and both devices", () => {
  const a = torch.ones(2, 3);
  const b = torch.ones(2, 3, { device: "fakegpu" });
  const idx = torch.tensor([[0n, 1n, 0n]], { device: "fakegpu" });
  const mask = torch.tensor([true, false, true], { device: "fakegpu" });
  const cases: Array<[string, () => unknown]> = [
    ["add", () => a.add(b)],
    ["mul", () => torch.mul(a, b)],
    ["maximum", () => torch.maximum(a, b)],
    ["eq", () => a.eq(b)],
    ["where", () => torch.where(mask, a, a)],
    ["matmul", () => a.matmul(b.t())],
    ["mm", () => torch.mm(a, b.t())],
    ["cat", () => torch.cat([a, b])],
    ["gather", () => a.gather(0, idx)],
    ["index_select", () => a.indexSelect(1, torch.tensor([0n], { device: "fakegpu" }))],
    ["masked_fill", () => a.maskedFill(mask, 0)],
  ];
  for (const [op, run] of cases) {
    assert.throws(run, (e: Error) => {
      assert.match(e.message, new RegExp(op), `${op}: ${e.message}`);
      assert.match(e.message, /Expected all tensors to be on the same device|same device/, `${op}: ${e.message}`);
      assert.match(e.message, /cpu/);
      assert.match(e.message, /fakegpu/);
      return true;
    }, op);
  }
});
