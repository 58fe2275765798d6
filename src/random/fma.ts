// Fused multiply-add with a single rounding, in float32 and float64.
//
// PyTorch's AVX2 kernels were compiled with FMA contraction, so `u * range + from` and the steps of
// the Cephes polynomials round once, not twice; reproducing their bits needs the same. JavaScript has
// no fma. fma32 computes in doubles and repairs the one case where rounding twice can go wrong
// (the double sum sitting exactly on a float32 midpoint). fma64 follows Boldo and Melquiond,
// "Emulation of FMA and correctly rounded sums: proved algorithms using rounding to odd"
// (IEEE Trans. Computers 2008): an exact product, then a sum whose low part is rounded to odd.

const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);
// Typed arrays use the platform's byte order; every engine kindling targets is little-endian, but the
// low word's index is derived rather than assumed.
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HI = 1 - LO;

/**
 * Round-to-odd of s + err, given s = RN(x) and err = x - s exactly (a TwoSum pair).
 * When x is not representable, the result is whichever neighbour of x has an odd last bit.
 */
function roundToOdd(s: number, err: number): number {
  if (err === 0) return s;
  scratch[0] = s;
  const lo = scratchWords[LO];
  if ((lo & 1) === 1) return s;
  // s is even, so the odd neighbour is one ulp away from s, on the side of err.
  if (err > 0 === s > 0) {
    scratchWords[LO] = lo + 1; // lo is even: no carry
  } else if (lo === 0) {
    scratchWords[LO] = 0xffffffff;
    scratchWords[HI] = scratchWords[HI] - 1;
  } else {
    scratchWords[LO] = lo - 1;
  }
  return scratch[0];
}

/**
 * a*b + c rounded once to float32, for float32 a, b, c (their product is exact in a double).
 * s = RN53(a*b + c) rounds to the same float32 as the exact value unless s is exactly a float32
 * midpoint (a midpoint is a double, so none can lie strictly between the exact value and s);
 * only then is the sign of the rounding error of s needed.
 */
const FLOAT32_MAX = 3.4028234663852886e38; // (2 - 2^-23) * 2^127
const FLOAT32_OVERFLOW_MIDPOINT = 3.4028235677973366e38; // 2^128 - 2^103

export function fma32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = Math.fround(s);
  if (r === s) return r;
  if (r === Number.POSITIVE_INFINITY || r === Number.NEGATIVE_INFINITY) {
    // Overflow: s is at or beyond the midpoint between the largest float32 and 2^128. Beyond it
    // the exact value is too; exactly on it, the exact value's side of s decides.
    if (Math.abs(s) !== FLOAT32_OVERFLOW_MIDPOINT) return r;
    const bb = s - p;
    const err = p - (s - bb) + (c - bb);
    return err === 0 || err > 0 === s > 0 ? r : Math.sign(s) * FLOAT32_MAX;
  }
  const d = s - r; // exact; the other float32 neighbour of s is r + 2d iff s is a midpoint
  const m = s + d;
  if (Math.fround(m) !== m) return r;
  const bb = s - p;
  const err = p - (s - bb) + (c - bb);
  if (err === 0) return r; // a true tie: fround already chose the even neighbour
  return err > 0 === d > 0 ? m : r;
}

// Veltkamp splitting constant 2**27 + 1.
const SPLIT = 134217729;

/**
 * The rounding error of a product: a*b - p exactly, where p = fl(a*b) (Dekker's TwoProduct with
 * Veltkamp's split; finite operands below 2**996).
 */
export function productError(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return al * bl - (p - ah * bh - al * bh - ah * bl);
}

/** a*b + c rounded once to float64 (no overflow or underflow in the intermediate values). */
export function fma64(a: number, b: number, c: number): number {
  // Exact product uh + ul (Dekker).
  const uh = a * b;
  const ul = productError(a, b, uh);
  // th + tl = c + uh exactly (TwoSum).
  const th = c + uh;
  const bv = th - c;
  const tl = c - (th - bv) + (uh - bv);
  // v = RO(tl + ul), result = RN(th + v).
  const sv = tl + ul;
  const bw = sv - tl;
  const ev = tl - (sv - bw) + (ul - bw);
  return th + roundToOdd(sv, ev);
}

const SPLIT_LIMIT = 2 ** 996;

/**
 * fma64 where its exact-product trick is safe; infinities, NaN, huge operands, zero products and
 * sums that overflow add plainly (an overflowing p + c means the exact value overflows too, and
 * fma64's error terms would turn it into NaN). For float64 add(alpha), in-place multiply-adds
 * and optimizer updates.
 */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  if (!Number.isFinite(s) || Math.abs(a) > SPLIT_LIMIT || Math.abs(b) > SPLIT_LIMIT || p === 0) return s;
  return fma64(a, b, c);
}
