// torch.roll against PyTorch 1.13 (scripts/fixtures/roll.py): results and gradients (RollBackward0)
// with and without dims, negative and oversized shifts, empty tensors, PyTorch's errors and a
// float64 gradcheck; and the Swin Transformer's shifted-window preparation (cyclic shift, window
// partition, the attention mask from slice assignment and masked_fill, the reverse shift).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as torch from "../../src/index.js";
import { gradcheck } from "../helpers/gradcheck.js";
import { type Dump, assertDump, loadBookFixture, upstreamWeights } from "../helpers/book-fixture.js";

type Tensor = torch.Tensor;
interface Fixture {
  cases: Array<{ shape: number[]; shifts: number | number[]; dims: number | number[] | null; result: Dump; grad: Dump }>;
  errors: { noDims: string; mismatch: string };
  swin: { windows: Dump; attnMask: Dump; restored: Dump; input: Dump };
}
const fixture = loadBookFixture<Fixture>("roll.json");

describe("torch.roll", () => {
  it("rolls and differentiates as PyTorch", () => {
    for (const c of fixture.cases) {
      const what = `roll(${JSON.stringify(c.shape)}, ${JSON.stringify(c.shifts)}, ${JSON.stringify(c.dims)})`;
      const n = c.shape.reduce((a, b) => a * b, 1);
      const x = torch.arange(n, { dtype: torch.float64 }).reshape(c.shape).requiresGrad_();
      const y = c.dims === null ? torch.roll(x, c.shifts) : x.roll(c.shifts, c.dims);
      assertDump(y, c.result, what);
      assert.equal(y.gradFn?.name, "RollBackward0");
      y.mul(upstreamWeights(y.shape, 0.5, -2.0)).sum().backward();
      assertDump(x.grad as Tensor, c.grad, `${what} grad`);
    }
  });

  it("passes a float64 finite-difference gradcheck", () => {
    const x = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], { dtype: torch.float64, requiresGrad: true });
    gradcheck((t) => torch.roll(t, [1, -2], [0, 1]).mul(t), [x], { name: "roll dims" });
    gradcheck((t) => torch.roll(t, 4).exp(), [x], { name: "roll flattened" });
  });

  it("rejects misaligned shifts and dims with PyTorch's messages", () => {
    const x = torch.zeros(2, 3);
    assert.throws(() => torch.roll(x, [1, 2]), { message: fixture.errors.noDims });
    assert.throws(() => torch.roll(x, [1, 2], [0]), { message: fixture.errors.mismatch });
  });
});

function windowPartition(x: Tensor, windowSize: number): Tensor {
  const [B, H, W, C] = x.shape;
  const v = x.view(B, H / windowSize, windowSize, W / windowSize, windowSize, C);
  return v.permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, windowSize, windowSize, C);
}

function windowReverse(windows: Tensor, windowSize: number, H: number, W: number): Tensor {
  const B = Math.trunc(windows.shape[0] / ((H * W) / windowSize / windowSize));
  const x = windows.view(B, H / windowSize, W / windowSize, windowSize, windowSize, -1);
  return x.permute(0, 1, 3, 2, 4, 5).contiguous().view(B, H, W, -1);
}

describe("Swin Transformer: shifted windows and their attention mask", () => {
  it("matches PyTorch's cyclic shift, windows, mask and reverse shift", () => {
    const want = fixture.swin;
    const H = 6;
    const W = 6;
    const windowSize = 3;
    const shiftSize = 1;
    const x = torch.arange(H * W * 2, { dtype: torch.float32 }).div(10).view(1, H, W, 2);
    assertDump(x, want.input, "input");
    const shifted = torch.roll(x, [-shiftSize, -shiftSize], [1, 2]);
    const windows = windowPartition(shifted, windowSize);
    assertDump(windows, want.windows, "windows");

    const imgMask = torch.zeros([1, H, W, 1]);
    const slices = [
      { start: 0, end: -windowSize },
      { start: -windowSize, end: -shiftSize },
      { start: -shiftSize },
    ];
    let cnt = 0;
    for (const h of slices) {
      for (const w of slices) {
        imgMask.index(null, h, w, null).fill_(cnt);
        cnt += 1;
      }
    }
    const maskWindows = windowPartition(imgMask, windowSize).view(-1, windowSize * windowSize);
    let attnMask = maskWindows.unsqueeze(1).sub(maskWindows.unsqueeze(2));
    attnMask = attnMask.maskedFill(attnMask.ne(0), -100.0).maskedFill(attnMask.eq(0), 0.0);
    assertDump(attnMask, want.attnMask, "attention mask");

    const merged = windowReverse(windows, windowSize, H, W);
    assertDump(torch.roll(merged, [shiftSize, shiftSize], [1, 2]), want.restored, "restored");
  });
});
