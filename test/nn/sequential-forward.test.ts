// Sequential.forward reads its children through a cached list of names: replacing or appending a
// child between calls must show in the next forward, as in PyTorch.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "kindling";
import { nn } from "kindling";

class Scale extends nn.Module {
  constructor(private k: number) {
    super();
  }
  override forward(x: torch.Tensor): torch.Tensor {
    return x.mul(this.k);
  }
}

test("Sequential.forward follows children replaced or appended between calls", () => {
  const seq = new nn.Sequential(new Scale(2), new Scale(3));
  const x = torch.tensor([1]);
  assert.deepEqual(seq.forward(x).tolist(), [6]);
  (seq as unknown as Record<string, nn.Module>)["1"] = new Scale(5);
  assert.deepEqual(seq.forward(x).tolist(), [10]);
  seq.append(new Scale(7));
  assert.deepEqual(seq.forward(x).tolist(), [70]);
  assert.equal(seq.length, 3);
  (seq as unknown as Record<string, nn.Module>)["0"] = new Scale(1);
  assert.deepEqual(seq.forward(x).tolist(), [35]);
});
