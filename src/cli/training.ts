// The chapter's training loop, shared by the tour and `kindling train`: a pass over the loader with
// zeroGrad/backward/step per batch, returning the mean batch loss as the chapter's cost.
import * as torch from "../index.js";
import type { data, nn, optim } from "../index.js";

type Batch = torch.Tensor[];
type Criterion = { forward(input: torch.Tensor, target: torch.Tensor): torch.Tensor };
type Model = nn.Module & { forward(x: torch.Tensor): torch.Tensor };

/** One epoch of training: the mean of the batches' losses. */
export function trainEpoch(model: Model, loader: data.DataLoader<Batch>, criterion: Criterion, optimizer: optim.Optimizer): number {
  model.train();
  let cost = 0;
  let batches = 0;
  for (const [x, y] of loader as Iterable<Batch>) {
    const loss = criterion.forward(model.forward(x), y);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    cost += loss.item();
    batches++;
  }
  return batches > 0 ? cost / batches : Number.NaN;
}

/** The mean batch loss without training (validation cost). */
export function evaluateCost(model: Model, loader: data.DataLoader<Batch>, criterion: Criterion): number {
  return torch.noGrad(() => {
    model.eval();
    let cost = 0;
    let batches = 0;
    for (const [x, y] of loader as Iterable<Batch>) {
      cost += criterion.forward(model.forward(x), y).item();
      batches++;
    }
    return batches > 0 ? cost / batches : Number.NaN;
  });
}
