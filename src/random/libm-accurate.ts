// log, sin and cos in double precision, correctly rounded in all but astronomically rare cases.
//
// PyTorch's float64 samplers call glibc's log/sin/cos, whose results are correctly rounded except
// in rare cases; V8's Math.log/sin/cos (fdlibm) are off by one ulp in a few percent of inputs,
// which shows in float64 normals and exponentials. These versions evaluate in double-double
// (about 100 bits), so rounding their result once to a double agrees with glibc wherever glibc
// is correctly rounded. They are slower than Math.* and used only where doubles reach the output.

import { productError } from "./fma.js";

// Double-double helpers: a value is hi + lo with |lo| <= ulp(hi) / 2. Results go through module
// variables (rh, rl) so that no pair objects are allocated per call.
let rh = 0;
let rl = 0;

function twoProd(a: number, b: number): void {
  const p = a * b;
  rh = p;
  rl = productError(a, b, p);
}

// Accurate double-double addition (both error terms carried), safe under cancellation.
function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  const s = ah + bh;
  const sb = s - ah;
  let e = ah - (s - sb) + (bh - sb);
  const t = al + bl;
  const tb = t - al;
  const f = al - (t - tb) + (bl - tb);
  e += t;
  const h = s + e;
  e = e - (h - s);
  e += f;
  rh = h + e;
  rl = e - (rh - h);
}

function ddMul(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh);
  const p = rh;
  const e = rl + (ah * bl + al * bh);
  rh = p + e;
  rl = e - (rh - p);
}

function ddDiv(ah: number, al: number, bh: number, bl: number): void {
  const q1 = ah / bh;
  ddMul(q1, 0, bh, bl);
  ddAdd(ah, al, -rh, -rl);
  const r1h = rh;
  const r1l = rl;
  const q2 = r1h / bh;
  ddMul(q2, 0, bh, bl);
  ddAdd(r1h, r1l, -rh, -rl);
  const q3 = rh / bh;
  const s = q1 + q2;
  const e = q2 - (s - q1);
  ddAdd(s, e, q3, 0);
}

const LN2_HI = Math.LN2;
const LN2_LO = 2.3190468138462996e-17;
const SQRT2 = Math.SQRT2;

// 1/(2i+1) for the atanh series, as double-doubles.
const ATANH_N = 24;
const INV_ODD_HI = new Float64Array(ATANH_N);
const INV_ODD_LO = new Float64Array(ATANH_N);
for (let i = 0; i < ATANH_N; i++) {
  const d = 2 * i + 1;
  const h = 1 / d;
  twoProd(h, d);
  INV_ODD_HI[i] = h;
  INV_ODD_LO[i] = (1 - rh - rl) / d;
}

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const HI_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** Natural logarithm of a positive finite normal double, correctly rounded (see above). */
export function logAccurate(x: number): number {
  if (!(x > 0) || x === Number.POSITIVE_INFINITY) return Math.log(x);
  if (x === 1) return 0;
  // x = m * 2**k with m in [sqrt(1/2), sqrt(2)).
  bits[0] = x;
  let k = ((words[HI_WORD] >>> 20) & 0x7ff) - 1023;
  if (k === -1023) return Math.log(x); // subnormal: not reachable from the samplers
  words[HI_WORD] = (words[HI_WORD] & 0x800fffff) | 0x3ff00000;
  let m = bits[0];
  if (m > SQRT2) {
    m *= 0.5;
    k += 1;
  }
  // log(m) = 2 atanh(s), s = (m - 1) / (m + 1); m - 1 is exact.
  const num = m - 1;
  const dh = m + 1;
  const db = dh - m;
  const dl = m - (dh - db) + (1 - db);
  ddDiv(num, 0, dh, dl);
  const sh = rh;
  const sl = rl;
  ddMul(sh, sl, sh, sl);
  const s2h = rh;
  const s2l = rl;
  // Tail of the series in plain doubles (it is below 2**-25 relative), the head in double-double.
  const HEAD = 5;
  let tail = INV_ODD_HI[ATANH_N - 1];
  for (let i = ATANH_N - 2; i >= HEAD; i--) tail = tail * s2h + INV_ODD_HI[i];
  let ph = tail;
  let pl = 0;
  for (let i = HEAD - 1; i >= 0; i--) {
    ddMul(ph, pl, s2h, s2l);
    ddAdd(rh, rl, INV_ODD_HI[i], INV_ODD_LO[i]);
    ph = rh;
    pl = rl;
  }
  ddMul(ph, pl, sh, sl);
  const lh = 2 * rh;
  const ll = 2 * rl;
  if (k === 0) return lh + ll;
  twoProd(k, LN2_HI);
  const kh = rh;
  const kl = rl + k * LN2_LO;
  ddAdd(kh, kl, lh, ll);
  return rh + rl;
}

// pi/2 split as in fdlibm: PIO2_1..3 carry 33 significant bits each, so q * PIO2_n is exact for
// the small quadrant counts q used here; PIO2_3T is the rest.
const PIO2_1 = 1.57079632673412561417;
const PIO2_2 = 6.07710050630396597660e-11;
const PIO2_3 = 2.02226624871116645580e-21;
const PIO2_3T = 8.47842766036889956997e-32;

// Taylor coefficients 1/n! as double-doubles.
const FACT_N = 30;
const INV_FACT_HI = new Float64Array(FACT_N);
const INV_FACT_LO = new Float64Array(FACT_N);
{
  let h = 1;
  let l = 0;
  for (let n = 0; n < FACT_N; n++) {
    if (n > 0) {
      ddDiv(h, l, n, 0);
      h = rh;
      l = rl;
    }
    INV_FACT_HI[n] = h;
    INV_FACT_LO[n] = l;
  }
}

let redH = 0;
let redL = 0;
let quadrant = 0;

// theta = q * pi/2 + r with |r| <= pi/4 (about), r as a double-double.
function reduce(theta: number): void {
  const q = Math.round(theta * (2 / Math.PI));
  // Exact: q * PIO2_1 is exact and within a factor of two of theta (Sterbenz) unless q = 0.
  const t = theta - q * PIO2_1;
  ddAdd(t, 0, -(q * PIO2_2), 0);
  ddAdd(rh, rl, -(q * PIO2_3), 0);
  ddAdd(rh, rl, -(q * PIO2_3T), 0);
  redH = rh;
  redL = rl;
  quadrant = ((q % 4) + 4) % 4;
}

function sinPoly(xh: number, xl: number): void {
  // sin r = sum (-1)^i r^(2i+1) / (2i+1)!
  ddMul(xh, xl, xh, xl);
  const r2h = rh;
  const r2l = rl;
  const HEAD = 5;
  let tail = 0;
  for (let i = 13; i >= HEAD; i--) tail = tail * r2h + (i % 2 ? -1 : 1) * INV_FACT_HI[2 * i + 1];
  let ph = tail;
  let pl = 0;
  for (let i = HEAD - 1; i >= 0; i--) {
    ddMul(ph, pl, r2h, r2l);
    const sgn = i % 2 ? -1 : 1;
    ddAdd(rh, rl, sgn * INV_FACT_HI[2 * i + 1], sgn * INV_FACT_LO[2 * i + 1]);
    ph = rh;
    pl = rl;
  }
  ddMul(ph, pl, xh, xl);
}

function cosPoly(xh: number, xl: number): void {
  ddMul(xh, xl, xh, xl);
  const r2h = rh;
  const r2l = rl;
  const HEAD = 5;
  let tail = 0;
  for (let i = 13; i >= HEAD; i--) tail = tail * r2h + (i % 2 ? -1 : 1) * INV_FACT_HI[2 * i];
  let ph = tail;
  let pl = 0;
  for (let i = HEAD - 1; i >= 0; i--) {
    ddMul(ph, pl, r2h, r2l);
    const sgn = i % 2 ? -1 : 1;
    ddAdd(rh, rl, sgn * INV_FACT_HI[2 * i], sgn * INV_FACT_LO[2 * i]);
    ph = rh;
    pl = rl;
  }
}

/** sin(theta), correctly rounded (see above), for |theta| < 1024 (the samplers stay within 2*pi); Math.sin beyond. */
export function sinAccurate(theta: number): number {
  if (!(Math.abs(theta) < 1024)) return Math.sin(theta);
  if (theta === 0) return theta;
  reduce(theta);
  const h = redH;
  const l = redL;
  if (quadrant === 0) sinPoly(h, l);
  else if (quadrant === 1) cosPoly(h, l);
  else if (quadrant === 2) {
    sinPoly(h, l);
    rh = -rh;
    rl = -rl;
  } else {
    cosPoly(h, l);
    rh = -rh;
    rl = -rl;
  }
  return rh + rl;
}

/** cos(theta), correctly rounded (see above), for |theta| < 1024 (the samplers stay within 2*pi); Math.cos beyond. */
export function cosAccurate(theta: number): number {
  if (!(Math.abs(theta) < 1024)) return Math.cos(theta);
  reduce(theta);
  const h = redH;
  const l = redL;
  if (quadrant === 0) cosPoly(h, l);
  else if (quadrant === 1) {
    sinPoly(h, l);
    rh = -rh;
    rl = -rl;
  } else if (quadrant === 2) {
    cosPoly(h, l);
    rh = -rh;
    rl = -rl;
  } else sinPoly(h, l);
  return rh + rl;
}
