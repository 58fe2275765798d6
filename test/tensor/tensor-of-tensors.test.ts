// torch.tensor of lists holding one-element tensors, as a collate function's
// torch.tensor([label for label in labels]) builds them, against PyTorch 1.13
// (scripts/fixtures/tensor_of_tensors.py): each item counts as its scalar, its dtype joins the
// inference, and a many-element item is PyTorch's error. Before, any tensor item was an error.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as torch from "../../src/index.js";

const want = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "book", "tensor-of-tensors.json"), "utf8")) as Record<
  string,
  { dtype: string; shape: number[]; values: unknown } | string
>;

describe("torch.tensor of one-element tensors", () => {
  const t = torch.tensor;
  const cases: Record<string, () => torch.Tensor> = {
    "[tensor(1), tensor(2)]": () => t([t(1n), t(2n)]),
    "[tensor(1.5, float64), tensor(2.)]": () => t([t(1.5, { dtype: torch.float64 }), t(2.0)]),
    "[[tensor(True)], [tensor(False)]]": () => t([[t(true)], [t(false)]]),
    "[tensor([1.]), tensor([2.])]": () => t([t([1.0]), t([2.0])]),
    "[1.0, tensor(2.5)]": () => t([1.0, t(2.5)]),
    "[tensor(3), tensor(4)] dtype=float32": () => t([t(3n), t(4n)], { dtype: torch.float32 }),
  };
  for (const [name, fn] of Object.entries(cases)) {
    it(name, () => {
      const w = want[name] as { dtype: string; shape: number[]; values: unknown };
      const got = fn();
      assert.equal(String(got.dtype), w.dtype);
      assert.deepEqual(got.shape, w.shape);
      assert.deepEqual(got.tolist(), w.values);
    });
  }
  it("a many-element item is an error", () => {
    assert.throws(() => torch.tensor([torch.tensor([1.0, 2.0])]), { message: want.error as string });
  });
});
