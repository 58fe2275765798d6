// nn.utils.clipGradNorm_ and clipGradValue_: PyTorch 1.13's clip_grad_norm_ / clip_grad_value_,
// the same norms, the same scale (maxNorm * 1 / (total + 1e-6), clamped to 1) applied to every
// gradient, the same error for a non-finite norm.
import { noGrad } from "../../autograd/index.js";
import { tensor } from "../../ops/creation.js";
import { stack } from "../../ops/view.js";
import { Tensor } from "../../tensor/tensor.js";

export type Parameters_ = Tensor | Iterable<Tensor>;

function listOf(parameters: Parameters_): Tensor[] {
  return parameters instanceof Tensor ? [parameters] : [...parameters];
}

/** Python's repr of a float norm type (2.0, inf). */
function pyNormType(p: number): string {
  if (p === Number.POSITIVE_INFINITY) return "inf";
  if (p === Number.NEGATIVE_INFINITY) return "-inf";
  return Number.isInteger(p) ? `${p}.0` : String(p);
}

export interface ClipGradNormOptions {
  normType?: number;
  errorIfNonfinite?: boolean;
}

/**
 * Scales the gradients of `parameters` in place so that their total norm (of order normType,
 * over all gradients together) is at most maxNorm. Returns the total norm before clipping.
 */
export function clipGradNorm_(parameters: Parameters_, maxNorm: number, normType: number | ClipGradNormOptions = 2, errorIfNonfinite = false): Tensor {
  const o: ClipGradNormOptions = typeof normType === "object" ? normType : { normType, errorIfNonfinite };
  const p = Number(o.normType ?? 2);
  const raise = o.errorIfNonfinite ?? false;
  const grads = listOf(parameters)
    .map((t) => t.grad)
    .filter((g): g is Tensor => g !== null && g !== undefined);
  if (grads.length === 0) return tensor(0);
  return noGrad(() => {
    let total: Tensor;
    if (p === Number.POSITIVE_INFINITY) {
      const norms = grads.map((g) => g.detach().abs().max());
      total = norms.length === 1 ? norms[0] : stack(norms).max();
    } else {
      total = stack(grads.map((g) => g.detach().norm(p))).norm(p);
    }
    if (raise && (total.isnan().item() || total.isinf().item())) {
      throw new Error(
        `The total norm of order ${pyNormType(p)} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`error_if_nonfinite=False\``,
      );
    }
    // max_norm / (total + 1e-6) is Tensor.__rtruediv__: reciprocal, then times max_norm.
    const coef = total.add(1e-6).reciprocal().mul(maxNorm).clamp(null, 1.0);
    for (const g of grads) g.detach().mul_(coef);
    return total;
  });
}

/** Clamps every gradient of `parameters` to [-clipValue, clipValue] in place. */
export function clipGradValue_(parameters: Parameters_, clipValue: number): void {
  const v = Number(clipValue);
  noGrad(() => {
    for (const t of listOf(parameters)) if (t.grad) t.grad.detach().clamp_(-v, v);
  });
}
