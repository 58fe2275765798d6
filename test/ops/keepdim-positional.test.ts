// Reductions with keepdim (and var/std's unbiased) given positionally, x.sum(1, True),
// torch.max(x, 1, True), x.var(1, False), x.norm(2, -1, True), and x.to("cpu", torch.float64),
// against PyTorch 1.13 (scripts/fixtures/keepdim_positional.py). Before, the boolean was read as an
// options object and dropped: the dim was not kept, var stayed unbiased, the dtype unchanged.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as torch from "../../src/index.js";

type Tensor = torch.Tensor;
const want = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "book", "keepdim-positional.json"), "utf8")) as Record<
  string,
  { shape: number[]; values: number[]; dtype?: string }
>;

describe("positional keepdim and unbiased", () => {
  const x = torch.tensor([[3.0, 1.0, 2.0, 0.5], [0.0, 5.0, 4.0, -1.0]]);
  const cases: Record<string, () => Tensor> = {
    "sum(1, True)": () => x.sum(1, true),
    "mean(-1, True)": () => x.mean(-1, true),
    "prod(0, True)": () => x.prod(0, true),
    "max(1, True).values": () => x.max(1, true).values,
    "torch.max(x, 1, True).indices": () => torch.max(x, 1, true).indices,
    "min(0, True).values": () => x.min(0, true).values,
    "argmax(1, True)": () => x.argmax(1, true),
    "argmin(0, True)": () => x.argmin(0, true),
    "amax(1, True)": () => x.amax(1, true),
    "var(1, False)": () => x.var(1, false),
    "std(1, False, True)": () => x.std(1, false, true),
    "var(0, True, True)": () => x.var(0, true, true),
    "logsumexp(1, True)": () => x.logsumexp(1, true),
    "norm(2, -1, True)": () => x.norm(2, -1, true),
    "any(1, True)": () => x.gt(4).any(1, true),
    "all(0, True)": () => x.ge(0).all(0, true),
  };
  for (const [name, fn] of Object.entries(cases)) {
    it(name, () => {
      const got = fn();
      const w = want[name];
      assert.deepEqual(got.shape, w.shape, `${name}: shape`);
      const g = (got.flatten().tolist() as Array<number | boolean>).map(Number);
      g.forEach((v, i) => {
        assert.ok(Math.abs(v - w.values[i]) <= 1e-6 * Math.max(1, Math.abs(w.values[i])), `${name}[${i}]: ${v} vs ${w.values[i]}`);
      });
    });
  }
  it("to(device, dtype)", () => {
    assert.equal(String(x.to("cpu", torch.float64).dtype), want["to('cpu', torch.float64)"].dtype);
  });
});
