// binary_cross_entropy on labels of exactly 0 and 1, where the kernel skips the log that a zero
// label multiplies: values, the signs of zero losses and gradients as PyTorch 1.13 gives them
// (printed by torch.nn.functional.binary_cross_entropy on the same inputs).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "kindling";

const x = [1, 0, 1e-3, 0.999, 0.5, 0.25, 0.75];
const y = [1, 0, 0, 1, 1, 0, 0.3];

test("binary_cross_entropy per element keeps PyTorch's signed zeros and the -100 clamp", () => {
  for (const dtype of [torch.float32, torch.float64]) {
    const l = torch.nn.functional.binaryCrossEntropy(torch.tensor([1, 0, 1, 0], { dtype }), torch.tensor([1, 0, 0, 1], { dtype }), { reduction: "none" });
    const v = l.tolist() as number[];
    assert.ok(Object.is(v[0], -0), `${dtype}: x = 1, y = 1 gives -0`);
    assert.ok(Object.is(v[1], 0), `${dtype}: x = 0, y = 0 gives +0`);
    assert.deepEqual(v.slice(2), [100, 100]);
  }
});

test("binary_cross_entropy mean and gradient on 0/1 and fractional labels match PyTorch 1.13", () => {
  const expected = {
    float32: { loss: 0.2913629710674286, grad: [0.0, 0.0, 0.14300014078617096, -0.14300014078617096, -0.2857142984867096, 0.190476194024086, 0.34285712242126465] },
    float64: { loss: 0.29136298974262154, grad: [0.0, 0.0, 0.143000143000143, -0.143000143000143, -0.2857142857142857, 0.19047619047619047, 0.34285714285714286] },
  };
  for (const dtype of [torch.float32, torch.float64]) {
    const xt = torch.tensor(x, { dtype, requiresGrad: true });
    const loss = torch.nn.functional.binaryCrossEntropy(xt, torch.tensor(y, { dtype }));
    loss.backward();
    const e = expected[dtype.name as "float32" | "float64"];
    assert.equal(loss.item(), e.loss, `${dtype}`);
    assert.deepEqual(xt.grad!.tolist(), e.grad);
  }
});
