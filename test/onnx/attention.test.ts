// Attention building blocks and transformer models (triu/tril masks, repeat, F.scaledDotProductAttention,
// nn.MultiheadAttention, nn.TransformerEncoder) export and run in ONNX Runtime with kindling's outputs.
import { test } from "node:test";
import * as torch from "../../src/index.js";
import { nn, type Tensor } from "../../src/index.js";
import { checkExport, skip } from "./ort.js";

class Masks extends nn.Module {
  override forward(x: Tensor): Tensor {
    // x: [B, 4, 5]
    const scores = torch.triu(x, 1).add(torch.tril(x, -1).mul(2)).add(x.triu());
    return scores.repeat(1, 2, 1).add(x.select(0, 0).repeat(1, 2, 1)).flatten(1);
  }
}

test("torch.triu / tril (Trilu, a masked Where at opset 13) and repeat (Tile) match", { skip }, async () => {
  torch.manualSeed(22);
  const model = new Masks();
  for (const opsetVersion of [13, 17]) {
    await checkExport(model, (b) => [torch.randn(b, 4, 5)], { opsetVersion }, [3], [[3]]);
  }
  await checkExport(model, (b) => [torch.randn(b, 4, 5)], { dynamicAxes: { input: { 0: "batch" } } }, [3], [[1], [6]]);
});
