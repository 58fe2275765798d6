// Python's float ** for the optimizers' scalar arithmetic (beta1 ** step in the bias corrections).
// CPython calls the C library's pow, which glibc rounds correctly; V8's Math.pow can be an ulp
// off (0.9 ** 4 is 0.6561000000000001 in V8, 0.6561 in Python), which shows in float64 runs.
// Integral exponents are computed in double-double (about 100 bits) and rounded once; other
// exponents fall back to Math.pow.
import { productError } from "../random/fma.js";

const MAX_EXACT_EXPONENT = 2 ** 31;

export function pyPow(x: number, y: number): number {
  const direct = x ** y;
  if (!Number.isInteger(y) || y < 0 || y > MAX_EXACT_EXPONENT || !Number.isFinite(direct) || direct === 0 || !Number.isFinite(x) || Math.abs(x) > 2 ** 500 || Math.abs(x) < 2 ** -500) {
    return direct;
  }
  // Binary exponentiation on (hi, lo) pairs.
  let rh = 1;
  let rl = 0;
  let bh = x;
  let bl = 0;
  let n = y;
  while (n > 0) {
    if (n % 2 === 1) [rh, rl] = ddMul(rh, rl, bh, bl);
    n = Math.floor(n / 2);
    if (n > 0) [bh, bl] = ddMul(bh, bl, bh, bl);
    if (!Number.isFinite(rh) || !Number.isFinite(bh) || Math.abs(bh) < 2 ** -900) return direct;
  }
  return rh + rl;
}

function ddMul(ah: number, al: number, bh: number, bl: number): [number, number] {
  const p = ah * bh;
  const e = productError(ah, bh, p) + (ah * bl + al * bh);
  const hi = p + e;
  return [hi, e - (hi - p)];
}
