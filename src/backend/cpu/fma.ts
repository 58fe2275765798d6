// c += a * b in place with one rounding, the backend's addMulInPlace: an optimizer's update
// (p += -lr * grad), a gradient accumulated into .grad, add_/sub_ with no graph to record.
// float32 rounds the multiply-add once as PyTorch's fused kernels do (random/fma.ts's fma32);
// float64 is a true fused multiply-add.
import { fma, fma32 } from "../../random/fma.js";
import { float32, float64 } from "../../tensor/dtype.js";
import { shapeEquals } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";

/** Whether x reads c's memory shifted (a partial overlap): an in-place loop would then read values it already wrote. */
function overlapsShifted(x: Tensor, c: Tensor): boolean {
  if (x.storage !== c.storage || x.offset === c.offset) return false;
  const n = c.numel();
  return x.offset < c.offset + n && c.offset < x.offset + n;
}

/**
 * Whether c += a * b can run in place: c and a (and b, unless a number) contiguous, of one shape,
 * all float32 or all float64, none reading c's memory shifted (exactly c is fine).
 */
export function canAddMulInPlace(c: Tensor, a: Tensor, b: Tensor | number): boolean {
  const dtype = c.dtype;
  if ((dtype !== float32 && dtype !== float64) || a.dtype !== dtype || !c.isContiguous() || !a.isContiguous() || !shapeEquals(a.shape, c.shape) || overlapsShifted(a, c)) return false;
  return typeof b === "number" || (b.dtype === dtype && b.isContiguous() && shapeEquals(b.shape, c.shape) && !overlapsShifted(b, c));
}

/**
 * c += a * b where canAddMulInPlace allows it. Writes c's memory only (the caller bumps the
 * version and minds autograd); false, touching nothing, for anything else.
 */
export function addMulInPlace(c: Tensor, a: Tensor, b: Tensor | number): boolean {
  if (!canAddMulInPlace(c, a, b)) return false;
  const dtype = c.dtype;
  const cv = c.storage.data;
  const av = a.storage.data;
  const n = c.numel();
  const co = c.offset;
  const ao = a.offset;
  if (typeof b === "number") {
    if (dtype === float32) {
      const k = Math.fround(b);
      for (let i = 0; i < n; i++) cv[co + i] = fma32(av[ao + i], k, cv[co + i]);
    } else {
      for (let i = 0; i < n; i++) cv[co + i] = fma(av[ao + i], b, cv[co + i]);
    }
    return true;
  }
  const bv = b.storage.data;
  const bo = b.offset;
  if (dtype === float32) for (let i = 0; i < n; i++) cv[co + i] = fma32(av[ao + i], bv[bo + i], cv[co + i]);
  else for (let i = 0; i < n; i++) cv[co + i] = fma(av[ao + i], bv[bo + i], cv[co + i]);
  return true;
}
