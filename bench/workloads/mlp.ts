// MLP 784-256-10 with ReLU, batch 128, cross-entropy, one SGD step per iteration.
import * as torch from "kindling";
import { nn, optim } from "kindling";
import type { Step } from "../harness.js";
import { SIZES } from "../spec.js";

export function prepare(): Step {
  torch.manualSeed(0);
  const x = torch.randn(SIZES.MLP_BATCH, 784);
  const labels = torch.randint(0, 10, [SIZES.MLP_BATCH]);
  const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
  return () => {
    optimizer.zeroGrad();
    const loss = criterion.forward(model.forward(x), labels);
    loss.backward();
    optimizer.step();
    return loss;
  };
}
