// A fused multiply-add on doubles, fma(a, b, c) = a * b + c rounded once, for float64 optimizer
// updates: PyTorch's CPU kernels fuse them (see pointwise.ts) and JavaScript has no Math.fma.
import { fma64 } from "../random/fma.js";
import { float64 } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";

const SPLIT_LIMIT = 2 ** 996;

/** fma64 where its exact-product trick is safe; infinities, NaN and huge operands add plainly. */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  if (!Number.isFinite(p) || !Number.isFinite(c) || Math.abs(a) > SPLIT_LIMIT || Math.abs(b) > SPLIT_LIMIT || p === 0) return p + c;
  return fma64(a, b, c);
}

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
