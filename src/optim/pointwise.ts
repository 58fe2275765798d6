// The optimizers' addcmul and addcdiv, rounded as PyTorch's CPU kernels round them. PyTorch 1.13's
// kernels are built with FMA contraction: addcmul computes self + (value * t1) * t2 with the last
// multiply-add fused; addcdiv is self + (value * t1) / t2 (a division does not fuse). Composed
// from Tensor methods, addcmul would round the product on its own and move results by an ulp now
// and then; optimizers run thousands of these. (add with alpha needs no helper: Tensor.add and
// add_ already round self + alpha * other once.) The multiply-add rounds once in both dtypes:
// float32 through random/fma.ts's fma32 (the product of two float32 values is exact in a double,
// and a double sum on a float32 midpoint is corrected, so it never rounds twice), float64 through
// its guarded fma.
//
// The in-place forms write straight into the tensor's memory when nothing is recorded (an
// optimizer's step runs under noGrad) and the operands are contiguous and of one shape and dtype
// (ops/inplace.ts's mulAddInto, the backend's addMulInPlace underneath). That skips a temporary
// of the parameter's size and the copy back, same bits.
import { mulAddInto } from "../ops/inplace.js";
import { fma, fma32 } from "../random/fma.js";
import { allocArray } from "../tensor/alloc.js";
import { float32, float64 } from "../tensor/dtype.js";
import { broadcastShapes } from "../tensor/shape.js";
import { Tensor } from "../tensor/tensor.js";

/**
 * a * b + c with one rounding, at the three operands' broadcast shape, for CPU tensors all of
 * float32 or all of float64; null otherwise (the caller then takes the unfused ops).
 */
function fused(a: Tensor, b: Tensor, c: Tensor): Tensor | null {
  const dtype = c.dtype;
  if ((dtype !== float32 && dtype !== float64) || a.dtype !== dtype || b.dtype !== dtype) return null;
  if (c.device !== "cpu" || a.device !== "cpu" || b.device !== "cpu") return null;
  const shape = broadcastShapes(broadcastShapes(c.shape, a.shape), b.shape);
  const av = a.expand(shape).contiguous().values();
  const bv = b.expand(shape).contiguous().values();
  const cv = c.expand(shape).contiguous().values();
  const out = allocArray(dtype, cv.length);
  if (dtype === float32) for (let i = 0; i < out.length; i++) out[i] = fma32(av[i], bv[i], cv[i]);
  else for (let i = 0; i < out.length; i++) out[i] = fma(av[i], bv[i], cv[i]);
  return Tensor.make(shape.slice(), dtype, out, c.device);
}

/** self + value * t1 * t2, out of place, as PyTorch's addcmul kernel rounds it. */
export function addcmul(self: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor {
  const scaled = t1.mul(value);
  return fused(scaled, t2, self)?.to(self.dtype) ?? self.add(scaled.mul(t2));
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
