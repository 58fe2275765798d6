// The MT19937 engine and the float helpers the samplers are built on.

import assert from "node:assert/strict";
import { test } from "node:test";
import { cephesLog, cephesSinCos, sinCosOut } from "../../src/random/cephes-avx.js";
import { fma32, fma64 } from "../../src/random/fma.js";
import { cosAccurate, logAccurate, sinAccurate } from "../../src/random/libm-accurate.js";
import { MT19937 } from "../../src/random/mt19937.js";

test("MT19937 matches std::mt19937: seed 5489 starts with 3499211612; seed 4 with PyTorch's words", () => {
  assert.equal(new MT19937(5489).random(), 3499211612);
  const e = new MT19937(4);
  assert.deepEqual([e.random(), e.random(), e.random(), e.random()], [0xf78f447a, 0xe68f20ae, 0x8c1769b7, 0x2c35c2c5]);
  // the 10000th output of the default-seeded std::mt19937 (C++11 [rand.predef])
  const d = new MT19937(5489);
  let v = 0;
  for (let i = 0; i < 10000; i++) v = d.random();
  assert.equal(v, 4123659995);
});

test("MT19937 keeps PyTorch's left/next counters: left = 1, next = 0 after seeding; twist on first draw", () => {
  const e = new MT19937(1);
  assert.deepEqual([e.left, e.next], [1, 0]);
  e.random();
  assert.deepEqual([e.left, e.next], [624, 1]);
  for (let i = 0; i < 623; i++) e.random();
  assert.deepEqual([e.left, e.next], [1, 624]);
  e.random();
  assert.deepEqual([e.left, e.next], [624, 1]);
});

test("random64 puts the first word in the high half; randomDouble keeps its low 53 bits", () => {
  const a = new MT19937(9);
  const b = new MT19937(9);
  const hi = a.random();
  const lo = a.random();
  assert.equal(b.random64(), (BigInt(hi) << 32n) | BigInt(lo));
  const c = new MT19937(9);
  assert.equal(c.randomDouble(), Number(((BigInt(hi) << 32n) | BigInt(lo)) & ((1n << 53n) - 1n)) / 2 ** 53);
});

// Exact reference: a double as mantissa * 2**exponent with BigInts, and rounding to p bits.
function decompose(x: number): [bigint, number] {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x);
  const bits = v.getBigUint64(0);
  const exp = Number((bits >> 52n) & 0x7ffn);
  let m = bits & ((1n << 52n) - 1n);
  if (exp !== 0) m |= 1n << 52n;
  const sign = bits >> 63n ? -1n : 1n;
  return [sign * m, (exp === 0 ? 1 : exp) - 1075];
}

function roundExact(n: bigint, e: number, p: number): number {
  if (n === 0n) return 0;
  const neg = n < 0n;
  let a = neg ? -n : n;
  const len = a.toString(2).length;
  const shift = len - p;
  if (shift > 0) {
    const sh = BigInt(shift);
    const q = a >> sh;
    const rem = a - (q << sh);
    const half = 1n << (sh - 1n);
    a = rem > half || (rem === half && (q & 1n) === 1n) ? q + 1n : q;
    e += shift;
  }
  const r = Number(a) * 2 ** e;
  return neg ? -r : r;
}

function exactFma(a: number, b: number, c: number, p: number): number {
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  const [mc, ec] = decompose(c);
  const ep = ea + eb;
  const e = Math.min(ep, ec);
  const n = ((ma * mb) << BigInt(ep - e)) + (mc << BigInt(ec - e));
  return roundExact(n, e, p);
}

// A small deterministic source of awkward operands.
function* operands(count: number, float32: boolean): Generator<[number, number, number]> {
  const e = new MT19937(12345);
  const pick = () => {
    const m = e.randomDouble() * 2 - 1;
    const v = m * 2 ** ((e.random() % 40) - 20);
    return float32 ? Math.fround(v) : v;
  };
  for (let i = 0; i < count; i++) {
    const a = pick();
    const b = pick();
    // c near -a*b makes cancellation and halfway cases likely
    const near = i % 3 === 0 ? -a * b : i % 3 === 1 ? pick() : -a * b * (1 + (float32 ? 2 ** -20 : 2 ** -40));
    const c = float32 ? Math.fround(near) : near;
    yield [a, b, c];
  }
}

test("fma32 rounds a*b+c once to float32 (50k cases against an exact BigInt reference)", () => {
  for (const [a, b, c] of operands(50000, true)) {
    assert.equal(fma32(a, b, c), exactFma(a, b, c, 24), `fma32(${a}, ${b}, ${c})`);
  }
});

test("fma32 decides exact float32 midpoints of the double sum by the lost low bits", () => {
  // a*b = 2**-24 * (1 - 2**-36): the double sum lands exactly on a float32 midpoint, the exact value
  // lies just below or above it.
  const a = 2 ** -24 * (1 + 2 ** -18);
  const cases: [number, number, number][] = [
    [a, 1 - 2 ** -18, 1 + 2 ** -23],
    [a, 1 - 2 ** -18, 1],
    [-a, 1 - 2 ** -18, 1 + 2 ** -22],
    [-a, 1 - 2 ** -18, -(1 + 2 ** -23)],
    [a, -(1 - 2 ** -18), -(1 + 2 ** -23)],
    [a, 1 - 2 ** -18, 3 + 2 ** -22],
  ];
  let naiveWrong = 0;
  for (const [x, y, z] of cases) {
    const exact = exactFma(x, y, z, 24);
    assert.equal(fma32(x, y, z), exact, `fma32(${x}, ${y}, ${z})`);
    if (Math.fround(x * y + z) !== exact) naiveWrong++;
  }
  assert.ok(naiveWrong >= 2, "the cases include ones where rounding twice goes wrong");
});

test("fma64 rounds a*b+c once to float64 (50k cases against an exact BigInt reference)", () => {
  for (const [a, b, c] of operands(50000, false)) {
    assert.equal(fma64(a, b, c), exactFma(a, b, c, 53), `fma64(${a}, ${b}, ${c})`);
  }
});

test("Cephes float32 log and sincos stay within a few float32 ulps of the true values", () => {
  for (let i = 1; i <= 4096; i++) {
    const v = Math.fround(i / 4096);
    assert.ok(Math.abs(cephesLog(v) - Math.log(v)) <= 4e-7 * Math.max(1, Math.abs(Math.log(v))), `log(${v})`);
    const t = Math.fround((2 * Math.PI * (i - 1)) / 4096);
    cephesSinCos(t);
    assert.ok(Math.abs(sinCosOut.sin - Math.sin(t)) < 3e-7, `sin(${t})`);
    assert.ok(Math.abs(sinCosOut.cos - Math.cos(t)) < 3e-7, `cos(${t})`);
  }
  assert.equal(cephesLog(1), 0);
});

function ulps(a: number, b: number): number {
  const v = new Float64Array([a, b]);
  const i = new BigInt64Array(v.buffer);
  const d = i[0] - i[1];
  return Number(d < 0n ? -d : d);
}

test("accurate log/sin/cos: within 1 ulp of V8's Math and exact at known points", () => {
  const e = new MT19937(7);
  for (let i = 0; i < 20000; i++) {
    const u = e.randomDouble();
    assert.ok(ulps(logAccurate(1 - u), Math.log(1 - u)) <= 1, `log(${1 - u})`);
    const t = 2 * Math.PI * u;
    assert.ok(ulps(sinAccurate(t), Math.sin(t)) <= 1 || Math.abs(Math.sin(t)) < 1e-15, `sin(${t})`);
    assert.ok(ulps(cosAccurate(t), Math.cos(t)) <= 1 || Math.abs(Math.cos(t)) < 1e-15, `cos(${t})`);
  }
  assert.equal(logAccurate(1), 0);
  assert.equal(logAccurate(0.5), -Math.LN2);
  assert.equal(sinAccurate(0), 0);
  assert.equal(cosAccurate(0), 1);
  assert.equal(cosAccurate(Math.PI), -1);
  // values from glibc via Python's math module
  assert.equal(logAccurate(2 ** -20), -13.862943611198906);
  assert.equal(logAccurate(0.75), -0.2876820724517809);
  assert.equal(sinAccurate(Math.PI / 6), 0.49999999999999994);
  assert.equal(cosAccurate(1), 0.5403023058681398);
  assert.equal(sinAccurate(3), 0.1411200080598672);
});

test("fma32 overflows as a single rounding does, the midpoint above the largest float32 included", () => {
  const max = (2 - 2 ** -23) * 2 ** 127;
  assert.equal(fma32(max, 1, 2 ** 103), Infinity); // exactly the midpoint: ties to even, 2^128
  assert.equal(fma32(max, 1, 2 ** 103 * (1 - 2 ** -24)), max); // below it, though the double sum is on it
  assert.equal(fma32(-max, 1, -(2 ** 103) * (1 - 2 ** -24)), -max);
  assert.equal(fma32(max, 1, 2 ** 103 * (1 + 2 ** -23)), Infinity);
  assert.equal(fma32(3.4e38, -1e30, 1), -Infinity);
});
