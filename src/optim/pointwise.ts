// The in-place pointwise updates of PyTorch's optimizers, rounded as PyTorch's CPU kernels round
// them. PyTorch 1.13's kernels are built with FMA contraction: add(other, alpha) computes
// self + alpha * other with one rounding (vec::fmadd, and the contracted scalar loop), and
// addcmul computes self + (value * t1) * t2 with the last multiply-add fused. addcdiv is
// self + (value * t1) / t2 (a division does not fuse). kindling's Tensor methods round after
// every multiply, which moves results by an ulp now and then; optimizers run thousands of
// these, so they use these helpers. Both dtypes round the multiply-add once: float32 through
// random/fma.ts's fma32 (the product of two float32 values is exact in a double, and the double
// sum is corrected where it lands on a float32 midpoint, so a sum that float64 would round to a
// tie does not round twice), float64 through fma.ts.
//
// The in-place forms write straight into the tensor's memory when nothing is recorded (an
// optimizer's step runs under noGrad) and the operands are contiguous and of one shape and dtype
// (ops/inplace.ts's mulAddInto, the backend's addMulInPlace underneath). That skips a temporary
// of the parameter's size and the copy back, same bits.
import { mulAddInto } from "../ops/inplace.js";
import { allocArray } from "../tensor/alloc.js";
import { float32, float64 } from "../tensor/dtype.js";
import { fma32 } from "../random/fma.js";
import { broadcastShapes, shapeEquals } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { fmaTensor } from "./fma.js";

/** a * b + c with one rounding, or null when the operands are not float32/float64 of one shape. */
function fused(a: Tensor, b: Tensor | number, c: Tensor): Tensor | null {
  if (c.dtype === float32 && a.dtype === float32 && (typeof b === "number" || b.dtype === float32)) {
    if (c.device !== "cpu" || a.device !== "cpu" || (typeof b !== "number" && b.device !== "cpu")) return null;
    const fits = shapeEquals(a.shape, c.shape) && (typeof b === "number" || shapeEquals(b.shape, c.shape));
    if (fits) return fused32(a, b, c);
    // Broadcasting operands: all three read at the result's shape, then the same loop.
    const shape = broadcastShapes(broadcastShapes(c.shape, a.shape), typeof b === "number" ? a.shape : b.shape);
    return fused32(a.expand(shape).contiguous(), typeof b === "number" ? b : b.expand(shape).contiguous(), c.expand(shape).contiguous());
  }
  if (c.dtype === float64) return fmaTensor(a, b, c);
  return null;
}

/** The float32 case on same-shaped CPU tensors in one loop, without temporaries: fma32 per element. */
function fused32(a: Tensor, b: Tensor | number, c: Tensor): Tensor {
  const av = a.values();
  const cv = c.values();
  const out = allocArray(float32, cv.length);
  if (typeof b === "number") {
    const k = Math.fround(b);
    for (let i = 0; i < out.length; i++) out[i] = fma32(av[i], k, cv[i]);
  } else {
    const bv = b.values();
    for (let i = 0; i < out.length; i++) out[i] = fma32(av[i], bv[i], cv[i]);
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
  if (mulAddInto(self, other, alpha)) return self;
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
  if (mulAddInto(self, scaled, t2)) return self;
  const r = fused(scaled, t2, self);
  return r ? self.copy_(r) : self.add_(scaled.mul(t2));
}

/** self += value * t1 / t2, as PyTorch's addcdiv_ kernel rounds it. */
export function addcdiv_(self: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor {
  return self.add_(t1.mul(value).div(t2));
}
