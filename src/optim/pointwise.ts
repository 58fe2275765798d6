// The in-place pointwise updates of PyTorch's optimizers, rounded as PyTorch's CPU kernels round
// them. PyTorch 1.13's kernels are built with FMA contraction: add(other, alpha) computes
// self + alpha * other with one rounding (vec::fmadd, and the contracted scalar loop), and
// addcmul computes self + (value * t1) * t2 with the last multiply-add fused. addcdiv is
// self + (value * t1) / t2 (a division does not fuse). kindling's Tensor methods round after
// every multiply, which moves results by an ulp now and then; optimizers run thousands of
// these, so they use these helpers. For float32 the fused step is computed in float64, where the
// product of two float32 values is exact, and rounded once to float32; float64 uses fma.ts.
import { allocArray } from "../tensor/alloc.js";
import { float32, float64 } from "../tensor/dtype.js";
import { shapeEquals } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { fmaTensor } from "./fma.js";

/** a * b + c with one rounding, or null when the operands are not float32/float64 of one shape. */
function fused(a: Tensor, b: Tensor | number, c: Tensor): Tensor | null {
  if (c.dtype === float32 && a.dtype === float32 && (typeof b === "number" || b.dtype === float32)) {
    return fused32(a, b, c) ?? c.double().add(a.double().mul(typeof b === "number" ? Math.fround(b) : b.double()));
  }
  if (c.dtype === float64) return fmaTensor(a, b, c);
  return null;
}

/**
 * The float32 case on same-shaped CPU tensors in one loop: a[i] * b[i] + c[i] in JavaScript's
 * doubles (the product of two float32 values is exact there), stored into a Float32Array, which
 * rounds once: the same arithmetic as the float64 tensor ops above, without their four temporary
 * tensors per parameter per step. Null where the shapes differ (broadcasting takes that path).
 */
function fused32(a: Tensor, b: Tensor | number, c: Tensor): Tensor | null {
  if (c.device !== "cpu" || a.device !== "cpu" || !shapeEquals(a.shape, c.shape)) return null;
  if (typeof b !== "number" && (b.device !== "cpu" || !shapeEquals(b.shape, c.shape))) return null;
  const av = a.values();
  const cv = c.values();
  const out = allocArray(float32, cv.length);
  if (typeof b === "number") {
    const k = Math.fround(b);
    for (let i = 0; i < out.length; i++) out[i] = cv[i] + av[i] * k;
  } else {
    const bv = b.values();
    for (let i = 0; i < out.length; i++) out[i] = cv[i] + av[i] * bv[i];
  }
  return Tensor.make(c.shape.slice(), float32, out, c.device);
}

/** self + alpha * other, out of place, rounded once (PyTorch's add kernel). */
export function addScaled(self: Tensor, other: Tensor, alpha: number): Tensor {
  const r = fused(other, alpha, self);
  return r ? r.to(self.dtype) : self.add(other, { alpha });
}

/** self += alpha * other, rounded once (PyTorch's add_ kernel). */
export function addScaled_(self: Tensor, other: Tensor, alpha: number): Tensor {
  const r = fused(other, alpha, self);
  return r ? self.copy_(r) : self.add_(other, { alpha });
}

/** self + value * t1 * t2, out of place, as PyTorch's addcmul kernel rounds it. */
export function addcmul(self: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor {
  const scaled = t1.mul(value);
  const r = fused(scaled, t2, self);
  return r ? r.to(self.dtype) : self.add(scaled.mul(t2));
}

/** self += value * t1 * t2, as PyTorch's addcmul_ kernel rounds it. */
export function addcmul_(self: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor {
  const scaled = t1.mul(value);
  const r = fused(scaled, t2, self);
  return r ? self.copy_(r) : self.add_(scaled.mul(t2));
}

/** self += value * t1 / t2, as PyTorch's addcdiv_ kernel rounds it. */
export function addcdiv_(self: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor {
  return self.add_(t1.mul(value).div(t2));
}
