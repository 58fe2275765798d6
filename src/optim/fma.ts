// A fused multiply-add on doubles, fma(a, b, c) = a * b + c with (nearly always) one rounding,
// for float64 optimizer updates: PyTorch's CPU kernels fuse them (see pointwise.ts) and
// JavaScript has no Math.fma. The product is split exactly (Dekker's TwoProduct with Veltkamp's
// split), the sum carried with its error (Knuth's TwoSum); the result differs from a correctly
// rounded fma only when the final addition meets an exact tie.
import { float64 } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";

const SPLIT = 134217729; // 2 ** 27 + 1
const SPLIT_LIMIT = 2 ** 996;

/** The rounding error of a * b (a * b - fl(a * b), exactly), for finite operands below 2 ** 996. */
export function productError(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const aHi = t - (t - a);
  const aLo = a - aHi;
  t = SPLIT * b;
  const bHi = t - (t - b);
  const bLo = b - bHi;
  return aHi * bHi - p + aHi * bLo + aLo * bHi + aLo * bLo;
}

export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  if (!Number.isFinite(p) || !Number.isFinite(c) || Math.abs(a) > SPLIT_LIMIT || Math.abs(b) > SPLIT_LIMIT || p === 0) return p + c;
  const pErr = productError(a, b, p);
  const s = p + c;
  const bb = s - p;
  const sErr = p - (s - bb) + (c - bb);
  return s + (sErr + pErr);
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
