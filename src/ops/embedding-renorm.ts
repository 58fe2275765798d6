// torch.embedding_renorm_: the rows of weight that indices looks up are rescaled in place so that
// their norm is at most maxNorm, as PyTorch's CPU kernel does (each distinct row once, in sorted
// order; scale maxNorm / (norm + 1e-7)). Runs outside autograd, as F.embedding calls it.
import { float32 } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { withGradMode } from "./node.js";

export function embeddingRenorm_(weight: Tensor, indices: Tensor, maxNorm: number, normType = 2): Tensor {
  if (weight.dim() !== 2) throw new RangeError(`embedding_renorm_: expected a 2-D weight, got ${weight.dim()}-D`);
  const ids = Array.from(indices.contiguous().values() as ArrayLike<number | bigint>, Number).sort((a, b) => a - b);
  withGradMode(false, () => {
    for (let i = 0; i < ids.length; i++) {
      if (i > 0 && ids[i] === ids[i - 1]) continue;
      if (ids[i] < 0 || ids[i] >= weight.shape[0]) throw new RangeError("index out of range in self");
      const row = weight.detach().select(0, ids[i]);
      const norm = row.norm(normType).item();
      if (norm > maxNorm) {
        const scale = maxNorm / (norm + 1e-7);
        row.mul_(weight.dtype === float32 ? Math.fround(scale) : scale);
      }
    }
  });
  return weight;
}
