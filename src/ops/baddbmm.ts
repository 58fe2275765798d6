// torch.baddbmm: beta * input + alpha * (batch1 @ batch2), one BaddbmmBackward0 node as in PyTorch.
// MultiheadAttention adds its float mask to the attention scores this way.
import { broadcastShapes, formatShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { bmm } from "./linalg.js";
import { anyNeedsGrad, record, withGradMode } from "./node.js";
import { sumTo } from "./util.js";

export function baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, opts: { beta?: number; alpha?: number } = {}): Tensor {
  const beta = opts.beta ?? 1;
  const alpha = opts.alpha ?? 1;
  if (batch1.dim() !== 3) throw new RangeError(`baddbmm: batch1 must be a 3D tensor (got shape ${formatShape(batch1.shape)})`);
  if (batch2.dim() !== 3) throw new RangeError(`baddbmm: batch2 must be a 3D tensor (got shape ${formatShape(batch2.shape)})`);
  if (batch1.shape[0] !== batch2.shape[0] || batch1.shape[2] !== batch2.shape[1]) {
    throw new RangeError(
      `baddbmm: Expected size for first two dimensions of batch2 tensor to be: [${batch1.shape[0]}, ${batch1.shape[2]}] but got: [${batch2.shape[0]}, ${batch2.shape[1]}]. (shapes ${formatShape(batch1.shape)} and ${formatShape(batch2.shape)})`,
    );
  }
  const target = [batch1.shape[0], batch1.shape[1], batch2.shape[2]];
  const shape = broadcastShapes(input.shape, target, "baddbmm");
  if (shape.length !== 3 || shape.some((s, i) => s !== target[i])) {
    throw new RangeError(`baddbmm: the input of shape ${formatShape(input.shape)} cannot be broadcast to the product's shape ${formatShape(target)}`);
  }
  const out = withGradMode(false, () => {
    const prod = bmm(batch1, batch2);
    const scaledProd = alpha === 1 ? prod : prod.mul(alpha);
    // beta = 0 ignores input (NaN included), as PyTorch documents.
    if (beta === 0) return scaledProd.dtype === input.dtype ? scaledProd : scaledProd.to(input.dtype);
    return (beta === 1 ? input : input.mul(beta)).add(scaledProd);
  });
  if (anyNeedsGrad([input, batch1, batch2])) {
    record("BaddbmmBackward0", [input, batch1, batch2], out, (gy) => [
      input.requiresGrad ? sumTo(beta === 1 ? gy : gy.mul(beta), input.shape) : null,
      batch1.requiresGrad ? scale(gy.bmm(batch2.transpose(1, 2)), alpha) : null,
      batch2.requiresGrad ? scale(batch1.transpose(1, 2).bmm(gy), alpha) : null,
    ], [batch1, batch2]);
  }
  return out;
}

function scale(t: Tensor, k: number): Tensor {
  return k === 1 ? t : t.mul(k);
}
