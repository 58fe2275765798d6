// Indexing with several index tensors (x[rows, cols]) against PyTorch 1.13
// (scripts/fixtures/book_indexing.py): values, result layout, gradients, errors and a float64
// finite-difference gradcheck.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as torch from "../../src/index.js";
import { gradcheck } from "../helpers/gradcheck.js";
import { type IndexingFixture, type IndexItemDump, assertDump, loadBookFixture, upstreamWeights } from "../helpers/book-fixture.js";

type Tensor = torch.Tensor;
const fixture = loadBookFixture<IndexingFixture>("indexing.json");

function itemOf(it: IndexItemDump): torch.IndexItem {
  if ("tensor" in it) return torch.tensor(it.tensor as number[], { dtype: torch.int64 });
  if ("slice" in it) return { start: it.slice[0] ?? undefined, end: it.slice[1] ?? undefined, step: it.slice[2] ?? undefined };
  return it.int;
}

describe("indexing with several index tensors", () => {
  it("picks one element per broadcast position, with PyTorch's result layout and gradient", () => {
    for (const c of fixture.advanced.cases) {
      const what = `x${JSON.stringify(c.shape)}[${JSON.stringify(c.items)}]`;
      const n = c.shape.reduce((a, b) => a * b, 1);
      const x = torch.arange(n, { dtype: torch.float64 }).reshape(c.shape).requiresGrad_();
      const items = c.items.map(itemOf);
      const y = x.index(...items);
      assertDump(y, c.result, what);
      y.mul(upstreamWeights(y.shape, 0.25, -1.0)).sum().backward();
      assertDump(x.grad as Tensor, c.grad, `${what} grad`);
    }
  });

  it("passes a float64 finite-difference gradcheck, repeated indices included", () => {
    const x = torch.tensor([[0.5, -1.0, 2.0, 0.3], [1.1, 0.2, -0.7, 0.9], [-2.0, 0.4, 0.6, 1.3]], { dtype: torch.float64, requiresGrad: true });
    const rows = torch.tensor([[0n, 2n], [2n, 2n]]);
    const cols = torch.tensor([3n, -1n]);
    gradcheck((t) => t.index(rows, cols).mul(t.index(rows, cols)), [x], { name: "x[rows, cols]" });
    const x3 = torch.arange(24, { dtype: torch.float64 }).reshape(2, 3, 4).mul(0.1).requiresGrad_();
    gradcheck((t) => t.index(torch.tensor([1n, 0n, 1n]), null, torch.tensor([0n, 3n, 2n])).exp(), [x3], { name: "x[t, :, t]" });
  });

  it("reports out-of-bounds indices and unbroadcastable index shapes as PyTorch", () => {
    const x = torch.zeros(3, 4);
    assert.throws(() => x.index(torch.tensor([0n, 3n]), torch.tensor([1n, 1n])), { message: fixture.advanced.errors.outOfBounds });
    assert.throws(() => x.index(torch.tensor([0n, 1n, 2n]), torch.tensor([1n, 1n])), { message: fixture.advanced.errors.shapeMismatch });
  });
});
