// The float32 Cephes log and sincos of avx_mathfun.h (log256_ps, sincos256_ps), one lane at a time,
// operation by operation, including the multiply-adds GCC contracted into FMA instructions.
// PyTorch's AVX2 float32 normal sampler uses them; libm's logf/sinf/cosf give different bits.

import { fma32 } from "./fma.js";

const fr = Math.fround;
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function floatOfBits(bits: number): number {
  u32[0] = bits;
  return f32[0];
}

const SQRTHF = floatOfBits(0x3f3504f3);
const LOGP0 = floatOfBits(0x3d9021bb);
const LOGP1 = floatOfBits(0xbdebd1b8);
const LOGP2 = floatOfBits(0x3def251a);
const LOGP3 = floatOfBits(0xbdfe5d4f);
const LOGP4 = floatOfBits(0x3e11e9bf);
const LOGP5 = floatOfBits(0xbe2aae50);
const LOGP6 = floatOfBits(0x3e4cceac);
const LOGP7 = floatOfBits(0xbe7ffffc);
const LOGP8 = floatOfBits(0x3eaaaaaa);
const LOGQ1 = floatOfBits(0xb95e8083);
const LOGQ2 = floatOfBits(0x3f318000);
const FOPI = floatOfBits(0x3fa2f983);
const DP1 = floatOfBits(0xbf490000);
const DP2 = floatOfBits(0xb97da000);
const DP3 = floatOfBits(0xb3222169);
const SINP0 = floatOfBits(0xb94ca1f9);
const SINP1 = floatOfBits(0x3c08839e);
const SINP2 = floatOfBits(0xbe2aaaa3);
const COSP0 = floatOfBits(0x37ccf5ce);
const COSP1 = floatOfBits(0xbab6061a);
const COSP2 = floatOfBits(0x3d2aaaa5);
/** f32(2*pi), the constant the AVX2 normal kernel multiplies by. */
export const TWO_PI_F = floatOfBits(0x40c90fdb);

/** log256_ps for one positive normal float32 v. */
export function cephesLog(v: number): number {
  f32[0] = v;
  const bits = u32[0];
  let e = ((bits >>> 23) & 0xff) - 126;
  u32[0] = (bits & 0x007fffff) | 0x3f000000;
  const m = f32[0];
  let x: number;
  if (m < SQRTHF) {
    e -= 1;
    x = fr(fr(m - 1) + m);
  } else {
    x = fr(m - 1);
  }
  const z = fr(x * x);
  let y = LOGP0;
  y = fma32(y, x, LOGP1);
  y = fma32(y, x, LOGP2);
  y = fma32(y, x, LOGP3);
  y = fma32(y, x, LOGP4);
  y = fma32(y, x, LOGP5);
  y = fma32(y, x, LOGP6);
  y = fma32(y, x, LOGP7);
  y = fma32(y, x, LOGP8);
  y = fr(y * x);
  y = fma32(y, z, fr(e * LOGQ1));
  y = fr(y - z * 0.5);
  x = fr(x + y);
  return fma32(e, LOGQ2, x);
}

/** Result slots of cephesSinCos (a shared object: no allocation per call). */
export const sinCosOut = { sin: 0, cos: 0 };

/** sincos256_ps for one float32 t >= 0; writes sinCosOut. */
export function cephesSinCos(t: number): void {
  let j = Math.trunc(fr(t * FOPI));
  j = (j + 1) & ~1;
  const q = j;
  let x = fma32(q, DP1, t);
  x = fma32(q, DP2, x);
  x = fma32(q, DP3, x);
  const z = fr(x * x);

  let c = fma32(COSP0, z, COSP1);
  c = fma32(c, z, COSP2);
  c = fr(c * z);
  c = fma32(c, z, -fr(z * 0.5));
  c = fr(c + 1);

  let p = fma32(SINP0, z, SINP1);
  p = fma32(p, z, SINP2);
  p = fr(p * z);
  p = fma32(p, x, x);

  // The octant: bit 1 of j swaps the polynomials, bit 2 flips the sine's sign, bit 2 of j-2 clear flips the cosine's.
  const swap = (j & 2) !== 0;
  const sinNeg = (j & 4) !== 0;
  const cosNeg = ((j - 2) & 4) === 0;
  const s = swap ? c : p;
  const co = swap ? p : c;
  sinCosOut.sin = sinNeg ? -s : s;
  sinCosOut.cos = cosNeg ? -co : co;
}
