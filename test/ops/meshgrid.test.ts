// torch.meshgrid against PyTorch 1.13 (scripts/fixtures/book_indexing.py): grids, gradients, errors
// and a float64 finite-difference gradcheck; and the book's Swin Transformer relative position
// index (wikibook/pytorchtrf 10.10-10.12), built with meshgrid.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as torch from "../../src/index.js";
import { gradcheck } from "../helpers/gradcheck.js";
import { type Dump, type IndexingFixture, assertDump, loadBookFixture, upstreamWeights } from "../helpers/book-fixture.js";

type Tensor = torch.Tensor;
const fixture = loadBookFixture<IndexingFixture>("indexing.json");

const f64 = (d: Dump, requiresGrad = false): Tensor => torch.tensor(d.values, { dtype: torch.float64 }).reshape(d.shape).requiresGrad_(requiresGrad);

describe("torch.meshgrid", () => {
  it("gives PyTorch's grids and gradients for 'ij' and 'xy'", () => {
    for (const c of fixture.meshgrid.cases) {
      const what = `meshgrid(${c.sizes}, ${c.indexing})`;
      const inputs = c.inputs.map((d) => f64(d, true));
      const grids = torch.meshgrid(...inputs, { indexing: c.indexing });
      assert.equal(grids.length, c.grids.length);
      grids.forEach((g, k) => {
        assertDump(g, c.grids[k], `${what} grid ${k}`);
      });
      const loss = grids.reduce((acc: Tensor | null, g) => {
        const term = g.mul(upstreamWeights(g.shape, 0.25, -1.0)).sum();
        return acc === null ? term : acc.add(term);
      }, null) as Tensor;
      loss.backward();
      inputs.forEach((t, k) => {
        assertDump(t.grad as Tensor, c.grads[k], `${what} grad ${k}`);
      });
      // the list form, as torch.meshgrid([a, b], indexing=...)
      torch.meshgrid(inputs, { indexing: c.indexing }).forEach((g, k) => {
        assertDump(g, c.grids[k], `${what} (list) grid ${k}`);
      });
    }
    const scalar = torch.meshgrid(torch.tensor(5.0, { dtype: torch.float64 }), torch.arange(3, { dtype: torch.float64 }), { indexing: "ij" });
    scalar.forEach((g, k) => {
        assertDump(g, fixture.meshgrid.scalar[k], `0-D input grid ${k}`);
      });
  });

  it("passes a float64 finite-difference gradcheck", () => {
    const a = torch.tensor([0.3, -1.2, 2.0], { dtype: torch.float64, requiresGrad: true });
    const b = torch.tensor([0.7, 1.5], { dtype: torch.float64, requiresGrad: true });
    const c = torch.tensor([-0.4, 0.1, 0.9, 2.2], { dtype: torch.float64, requiresGrad: true });
    gradcheck((x, y, z) => torch.meshgrid(x, y, z, { indexing: "ij" }).map((g, k) => g.mul(k + 1)), [a, b, c], { name: "meshgrid ij" });
    gradcheck((x, y) => torch.meshgrid(x, y, { indexing: "xy" }).map((g) => g.sin()), [a, b], { name: "meshgrid xy" });
  });

  it("rejects what PyTorch rejects", () => {
    assert.throws(() => torch.meshgrid(torch.zeros(2, 2), torch.zeros(2), { indexing: "ij" }), /Expected 0D or 1D tensor/);
    assert.throws(() => torch.meshgrid(torch.zeros(2), torch.zeros([2], { dtype: torch.int64 }), { indexing: "ij" }), {
      message: "meshgrid expects all tensors to have the same dtype",
    });
    assert.throws(() => torch.meshgrid(torch.zeros(2), { indexing: "foo" as "ij" }), {
      message: 'torch.meshgrid: indexing must be one of "xy" or "ij", but received: foo',
    });
    assert.throws(() => torch.meshgrid([], { indexing: "ij" }), { message: "meshgrid expects a non-empty TensorList" });
  });
});

describe("book: the Swin Transformer's relative position index (examples 10.10-10.12)", () => {
  for (const want of fixture.swin) {
    it(`window size ${want.windowSize}`, () => {
      const windowSize = want.windowSize;
      const coordsH = torch.arange(windowSize);
      const coordsW = torch.arange(windowSize);
      const coords = torch.stack(torch.meshgrid([coordsH, coordsW], { indexing: "ij" }));
      const coordsFlatten = torch.flatten(coords, 1);
      const relativeCoords = coordsFlatten.unsqueeze(2).sub(coordsFlatten.unsqueeze(1));
      const xCoords = relativeCoords.index(0, null, null);
      const yCoords = relativeCoords.index(1, null, null);
      xCoords.add_(windowSize - 1);
      yCoords.add_(windowSize - 1);
      xCoords.mul_(2 * windowSize - 1);
      const relativePositionIndex = xCoords.add(yCoords);
      assert.deepEqual(relativePositionIndex.tolist(), want.index);
      const table = torch.arange((2 * windowSize - 1) * (2 * windowSize - 1) * 2, { dtype: torch.float32 }).reshape(-1, 2);
      const bias = table.index(relativePositionIndex.view(-1)).view(windowSize * windowSize, windowSize * windowSize, -1);
      assertDump(bias, want.bias, "relative position bias");
    });
  }
});
