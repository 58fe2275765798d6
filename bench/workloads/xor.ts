// XOR MLP 2-2-1 with sigmoids, batch 64: one full SGD training step (zero grads, forward, BCE,
// backward, update), written the way a user of the public API would (as perceptron.ts does).
import * as torch from "kindling";
import { nn, optim } from "kindling";
import type { Step } from "../harness.js";
import { SIZES } from "../spec.js";

/** 64 XOR rows (x1, x2 in {0, 1}, y = x1 xor x2) drawn from the default generator. */
export function xorBatch(): { x: torch.Tensor; y: torch.Tensor } {
  const bits = torch.randint(0, 2, [SIZES.XOR_BATCH, 2]);
  const x = bits.float();
  const y = bits.select(1, 0).ne(bits.select(1, 1)).float().unsqueeze(1);
  return { x, y };
}

/** The model, loss and optimiser; the returned function runs one training step and returns the loss. */
export function xorTrainer(): () => torch.Tensor {
  torch.manualSeed(0);
  const { x, y } = xorBatch();
  const model = new nn.Sequential(new nn.Linear(2, 2), new nn.Sigmoid(), new nn.Linear(2, 1), new nn.Sigmoid());
  const criterion = new nn.BCELoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
  return () => {
    optimizer.zeroGrad();
    const loss = criterion.forward(model.forward(x), y);
    loss.backward();
    optimizer.step();
    return loss;
  };
}

export function prepare(): Step {
  return xorTrainer();
}
