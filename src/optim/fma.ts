// Fused multiply-adds on float64 tensors, a * b + c rounded once, for float64 optimizer updates:
// PyTorch's CPU kernels fuse them (see pointwise.ts) and JavaScript has no Math.fma.
import { fma } from "../random/fma.js";
import { float64 } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";

/**
 * fma over float64 tensors of one shape on the CPU: a * b + c elementwise (b may be a number).
 * Returns null where that does not hold, for the caller to take the unfused path.
 */
export function fmaTensor(a: Tensor, b: Tensor | number, c: Tensor): Tensor | null {
  const same = (t: Tensor) => t.dtype === float64 && t.device === "cpu" && t.shape.length === c.shape.length && t.shape.every((s, i) => s === c.shape[i]);
  if (!same(a) || !same(c) || (b instanceof Tensor && !same(b))) return null;
  const av = a.contiguous().values();
  const bv = b instanceof Tensor ? b.contiguous().values() : null;
  const cv = c.contiguous().values();
  const out = new Float64Array(cv.length);
  for (let i = 0; i < out.length; i++) out[i] = fma(av[i], bv ? bv[i] : (b as number), cv[i]);
  return Tensor.make(c.shape.slice(), float64, out, c.device);
}
