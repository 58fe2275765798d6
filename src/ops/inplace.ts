// In-place ops (add_, mul_, copy_, zero_, ...): compute out of place, write the values back into
// the tensor's memory, bump the shared version counter, and move the tensor's history onto the
// new node, as PyTorch does.
import { bool } from "../tensor/dtype.js";
import { formatShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { isGradEnabled } from "./node.js";
import { backendOf } from "./util.js";

const TYPE_NAMES: Record<string, string> = { float32: "Float", float64: "Double", int32: "Int", int64: "Long", uint8: "Byte", bool: "Bool" };

/** The errors PyTorch raises before an in-place change that would corrupt autograd. */
export function checkInplace(self: Tensor, result?: Tensor, src?: Tensor): void {
  if (isGradEnabled() && self.requiresGrad && self.isLeaf) {
    throw new Error("a leaf Variable that requires grad is being used in an in-place operation.");
  }
  // PyTorch rebases the view's base onto a CopySlices node here. kindling refuses instead: a base
  // (or a sibling view) left with its old history would give wrong gradients without a word.
  const gradIn = result?.requiresGrad || src?.requiresGrad;
  if (isGradEnabled() && self.base !== null && (self.base.requiresGrad || self.requiresGrad || gradIn)) {
    throw new Error(
      "kindling does not support in-place operations on a view of a tensor that requires grad; use the out-of-place op (for example x = x.add(y)) or clone() the view first.",
    );
  }
  if (result && result.dtype !== self.dtype) {
    const promoted = result.dtype.category > self.dtype.category;
    if (promoted) {
      throw new TypeError(`result type ${TYPE_NAMES[result.dtype.name]} can't be cast to the desired output type ${TYPE_NAMES[self.dtype.name]}`);
    }
  }
}

/** Writes `result` into `self` and makes self carry result's history. Returns self. */
export function commit(self: Tensor, result: Tensor): Tensor {
  checkInplace(self, result);
  const shapeOk = result.dim() <= self.dim() && result.shape.every((s, i) => s === self.shape[self.dim() - result.dim() + i] || s === 1);
  if (!shapeOk) {
    throw new RangeError(`output with shape ${formatShape(self.shape)} doesn't match the broadcast shape ${formatShape(result.shape)}`);
  }
  backendOf(self).assign(self, result);
  self.storage.version++;
  if (result.gradFn && isGradEnabled()) {
    self.gradFn = result.gradFn;
    self.outputNr = result.outputNr;
    self.setRequiresGradUnchecked(true);
  }
  return self;
}

/** Fills self with a constant (zero_, fill_). */
export function fillInplace(self: Tensor, value: number | boolean): Tensor {
  checkInplace(self);
  const v = Number(value);
  backendOf(self).assign(self, self.dtype === bool ? (v ? 1 : 0) : v);
  self.storage.version++;
  return self;
}

/** copy_(src): values of src (broadcast and cast) into self; differentiable with respect to src. */
export function copyInplace(self: Tensor, src: Tensor): Tensor {
  checkInplace(self, undefined, src);
  backendOf(self).assign(self, src);
  self.storage.version++;
  if (src.requiresGrad && isGradEnabled()) {
    // The result's history is src's, reduced to self's dtype and shape by the engine.
    const viewOfSrc = src.expand(self.shape);
    self.gradFn = viewOfSrc.gradFn;
    self.outputNr = viewOfSrc.outputNr;
    self.setRequiresGradUnchecked(true);
  }
  return self;
}

export { Tensor };
