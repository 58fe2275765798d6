// clamp with keyword bounds (x.clamp(min=0) -> x.clamp({ min: 0 })) and nn.Upsample built
// positionally, against PyTorch 1.13 (scripts/fixtures/clamp_upsample.py). Before, clamp read the
// options object as a bound and returned its input unchanged, without error.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as torch from "../../src/index.js";

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "book", "clamp-upsample.json"), "utf8")) as {
  clamp: Record<string, { values: number[]; grad?: number[]; gradFn?: string }>;
  upsample: Record<string, { repr: string; output: number[] }>;
};

describe("clamp with { min, max }", () => {
  const fns: Record<string, (t: torch.Tensor) => torch.Tensor> = {
    "min=0": (t) => t.clamp({ min: 0 }),
    "max=1": (t) => torch.clamp(t, { max: 1 }),
    "min=-1,max=1": (t) => t.clamp({ min: -1, max: 1 }),
  };
  for (const [name, fn] of Object.entries(fns)) {
    it(name, () => {
      const want = fixture.clamp[name];
      const t = torch.tensor([-2.0, -0.5, 0.25, 1.5, 3.0], { requiresGrad: true });
      const y = fn(t);
      assert.deepEqual(y.tolist(), want.values);
      assert.equal(y.gradFn?.name, want.gradFn);
      y.sum().backward();
      assert.deepEqual(t.grad?.tolist(), want.grad);
    });
  }
  it("clamp_({ min }) and clip({ max })", () => {
    const x = torch.tensor([-2.0, -0.5, 0.25, 1.5, 3.0]);
    x.clamp_({ min: 0.0 });
    assert.deepEqual(x.tolist(), fixture.clamp["clamp_(min=0)"].values);
    assert.deepEqual(torch.tensor([-2.0, -0.5, 0.25, 1.5, 3.0]).clip({ max: 1 }).tolist(), fixture.clamp["max=1"].values);
    assert.throws(() => torch.ones(2).clamp({}), /At least one of 'min' or 'max' must not be None/);
  });
});

describe("nn.Upsample(size, scaleFactor, mode, alignCorners)", () => {
  const makers: Record<string, () => torch.nn.Upsample> = {
    "Upsample(None, 2, 'bilinear', False)": () => new torch.nn.Upsample(null, 2, "bilinear", false),
    "Upsample((3, 3))": () => new torch.nn.Upsample([3, 3]),
  };
  for (const [name, want] of Object.entries(fixture.upsample)) {
    it(name, () => {
      const m = makers[name]();
      assert.equal(m.toString(), want.repr);
      const out = m.forward(torch.arange(8).float().reshape(1, 2, 2, 2));
      const got = out.flatten().tolist() as number[];
      got.forEach((v, i) => {
        assert.ok(Math.abs(v - want.output[i]) <= 1e-6, `${name}[${i}]: ${v} vs ${want.output[i]}`);
      });
    });
  }
});
