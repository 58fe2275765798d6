// In-place ops (add_, mul_, copy_, zero_, ...): compute out of place, write the values back into
// the tensor's memory, bump the shared version counter, and move the tensor's history onto the
// new node, as PyTorch does.
import { bool, scalarTypeName } from "../tensor/dtype.js";
import { formatShape } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { isGradEnabled, record } from "./node.js";
import { tracer } from "./trace.js";
import { backendOf } from "./util.js";

/**
 * self += a * b straight into self's memory when there is nothing to record and the backend's
 * addMulInPlace takes the layout (contiguous, one shape, one float dtype, no shifted overlap):
 * add_/sub_ (b = alpha) and the optimizers' updates. The multiply-add is rounded once, as
 * PyTorch's add and addcmul kernels round it, so the values are those of the general path
 * (compute, then write back), without its temporary. Bumps the version; false where that path
 * must run.
 */
export function mulAddInto(self: Tensor, a: unknown, b: Tensor | number): boolean {
  if (tracer !== null) return false; // the general path reports the write to the tracer
  if (!(a instanceof Tensor) || a.device !== self.device || (typeof b !== "number" && b.device !== self.device)) return false;
  if (isGradEnabled() && (self.requiresGrad || a.requiresGrad || (typeof b !== "number" && b.requiresGrad))) return false;
  if (!backendOf(self).addMulInPlace?.(self, a, b)) return false;
  self.storage.version++;
  return true;
}

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
      throw new TypeError(`result type ${scalarTypeName(result.dtype)} can't be cast to the desired output type ${scalarTypeName(self.dtype)}`);
    }
  }
}

/**
 * The value an in-place op computes from: self itself, or, when the op is recorded, a copy of its
 * current values that keeps self's place in the graph. The backward formula then reads the values
 * from before the write, as PyTorch's in-place ops save a clone of the original self.
 */
export function originalSelf(self: Tensor, args: readonly unknown[]): Tensor {
  const recorded = isGradEnabled() && (self.requiresGrad || args.some((a) => a instanceof Tensor && a.requiresGrad));
  if (!recorded || (self.requiresGrad && self.isLeaf)) return self; // the leaf case fails in commit
  const c = backendOf(self).copy(self, self.dtype);
  c.gradFn = self.gradFn;
  c.outputNr = self.outputNr;
  c.setRequiresGradUnchecked(self.requiresGrad);
  if (tracer !== null && tracer.depth === 0) tracer.assign(c, self); // the copy holds self's value
  return c;
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
  if (tracer !== null && tracer.depth === 0) tracer.assign(self, result);
  return self;
}

/** Fills self with a constant (zero_, fill_): a non-leaf's old history then gets zero gradient. */
export function fillInplace(self: Tensor, value: number | boolean, node = "FillBackward2"): Tensor {
  checkInplace(self);
  const v = Number(value);
  backendOf(self).assign(self, self.dtype === bool ? (v ? 1 : 0) : v);
  self.storage.version++;
  if (isGradEnabled() && self.requiresGrad) record(node, [self], self, (gy) => [gy.mul(0)]);
  if (tracer !== null && tracer.depth === 0) tracer.assign(self, self);
  return self;
}

/**
 * copy_(src): values of src (broadcast and cast) into self, as PyTorch's CopyBackwards node: the
 * gradient goes to src (summed to its shape, cast to its dtype by the engine), none to self's
 * old history.
 */
export function copyInplace(self: Tensor, src: Tensor): Tensor {
  checkInplace(self, undefined, src);
  backendOf(self).assign(self, src);
  self.storage.version++;
  if (isGradEnabled() && (self.requiresGrad || src.requiresGrad)) {
    const hadHistory = self.requiresGrad;
    record("CopyBackwards", [self, src], self, (gy) => [hadHistory ? gy.mul(0) : null, src.requiresGrad ? gy : null]);
  }
  if (tracer !== null && tracer.depth === 0) tracer.assign(self, src);
  return self;
}

export { Tensor };
