// torch.linspace / torch.logspace with steps (and base) by keyword (torch.linspace(0, 1, steps=5) ->
// torch.linspace(0, 1, { steps: 5 })), against PyTorch 1.13 (scripts/fixtures/linspace_keywords.py).
// Before, the options object was read as the step count and rejected.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as torch from "../../src/index.js";

const want = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "book", "linspace-keywords.json"), "utf8")) as Record<
  string,
  { dtype: string; values: number[] }
>;

describe("linspace and logspace with keyword steps", () => {
  const cases: Record<string, () => torch.Tensor> = {
    "linspace(0, 1, steps=5)": () => torch.linspace(0, 1, { steps: 5 }),
    "linspace(-1, 2, steps=4, dtype=float64)": () => torch.linspace(-1, 2, { steps: 4, dtype: torch.float64 }),
    "linspace(0, 0.1, 12)": () => torch.linspace(0, 0.1, 12),
    "logspace(0, 2, steps=3, base=2)": () => torch.logspace(0, 2, { steps: 3, base: 2 }),
    "logspace(0, 2, 3, 10)": () => torch.logspace(0, 2, 3, 10),
  };
  for (const [name, fn] of Object.entries(cases)) {
    it(name, () => {
      const t = fn();
      assert.equal(String(t.dtype), want[name].dtype);
      assert.deepEqual(t.tolist(), want[name].values);
    });
  }
});
