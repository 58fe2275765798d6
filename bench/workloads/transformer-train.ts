// One training step of a 2-layer nn.TransformerEncoder (d 128, 4 heads, ffn 256, dropout 0.1,
// batch-first [16, 64, 128] input), MSE to a fixed target, Adam: forward, backward and update,
// as a user writes it.
import * as torch from "kindling";
import { nn, optim } from "kindling";
import type { Step } from "../harness.js";
import { ENCODER } from "../spec.js";

export function prepare(): Step {
  const { layers, dModel, heads, ffn, seq, batch } = ENCODER;
  torch.manualSeed(0);
  const layer = new nn.TransformerEncoderLayer(dModel, heads, { dimFeedforward: ffn, batchFirst: true });
  const model = new nn.TransformerEncoder(layer, layers);
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = torch.randn(batch, seq, dModel);
  const target = torch.randn(batch, seq, dModel);
  const criterion = new nn.MSELoss();
  return () => {
    optimizer.zeroGrad();
    const loss = criterion.forward(model.forward(x), target);
    loss.backward();
    optimizer.step();
  };
}
