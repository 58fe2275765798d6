// exp of a float32 value, giving exactly Math.fround(Math.exp(x)) in about half the time.
//
// Why: sigmoid's Math.exp calls (192 per XOR training step, 11-15 ns each) were a tenth of a small
// network's step. The float32 kernels round Math.exp's double to float32, and PyTorch's fixtures
// pin the bits that gives, so a faster function must give the same float32 for every input, not
// merely a close one.
//
// How: a short evaluation in double (a table and a cubic), accurate to about 2^-42, then a check
// that the float32 it rounds to is certain. If y is the fast result and both y(1 - 2^-36) and
// y(1 + 2^-36) round to the same float32 f, every double in that interval rounds to f (rounding is
// monotone). The true value lies in it (the fast error is under 2^-42), and so does Math.exp's own
// result (under one double ulp, 2^-52, from the true value), so fround(Math.exp(x)) is f.
// Otherwise, about once in 2^12 calls, a float32 rounding boundary lies within 2^-36 of y and the
// function returns fround(Math.exp(x)) itself. The proof needs only those error bounds;
// scripts/check-expf.ts also compares all 2^32 inputs.
//
// log was tried the same way and left out: with its exponent read through a typed array it took
// 7-8 ns against Math.log's 9-11, too little for a second function.

const fround = Math.fround;

/** The interval half-width of the rounding check, relative (see above). */
const DELTA = 2 ** -36;
const DOWN = 1 - DELTA;
const UP = 1 + DELTA;

/** 2^e at index e + 127, e in [-127, 128]. */
const POW2 = new Float64Array(256);
for (let e = -127; e <= 128; e++) POW2[e + 127] = 2 ** e;

// x = k ln2/256 + r, |r| <= ln2/512; exp(x) = 2^(k >> 8) * 2^((k & 255)/256) * exp(r).

const EXP_TABLE = new Float64Array(256);
for (let j = 0; j < 256; j++) EXP_TABLE[j] = 2 ** (j / 256);
const INV_LN2_256 = 256 / Math.LN2;
/** ln2/256 in two parts: LN2_256_HI has 24 significant bits, so k * LN2_256_HI is exact for |k| < 2^29. */
const LN2_256_HI = 0.0027076061815023422;
const LN2_256_LO = -7.440055859210031e-12;
/** 1.5 * 2^52: adding and subtracting it rounds a double below 2^51 to an integer. */
const ROUND = 6755399441055744;

/**
 * fround(Math.exp(x)) for a float32 x. Results that are normal float32 numbers (x in (-87, 88))
 * take the fast path: r is exact up to LN2_256_LO's rounding, its cubic has truncation error
 * r^4/24 < 2^-42.7, and the table and products add a few 2^-53.
 */
export function expf(x: number): number {
  if (!(x > -87 && x < 88)) return fround(Math.exp(x));
  const kd = x * INV_LN2_256 + ROUND - ROUND;
  const k = kd | 0;
  const r = x - kd * LN2_256_HI - kd * LN2_256_LO;
  const y = EXP_TABLE[k & 255] * POW2[(k >> 8) + 127] * (1 + r * (1 + r * (0.5 + r * (1 / 6))));
  const f = fround(y * DOWN);
  if (f === fround(y * UP)) return f;
  return fround(Math.exp(x));
}
