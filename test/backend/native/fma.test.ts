// The optimizers' in-place multiply-add (addScaledInPlace, addProductInPlace) on every instruction
// set: float32 and float64 both a correctly rounded fused multiply-add (one rounding), as PyTorch's
// add_(alpha) and addcmul_ kernels (vec::fmadd) compute it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fma32, fma64 } from "../../../src/random/fma.js";
import { assertSameOnOneThread, eachIsa, random, withNative } from "./helpers.js";

const SIZES = [0, 1, 7, 17, 63, 65, 1000, 100_003];
// Values whose sum with a product needs more than a double's bits, ties, zeros of both signs.
const SPECIAL = [0, -0, 1, -1, 1 + 2 ** -23, 2 ** -24, 1 - 2 ** -24, 3.4e38, -3.4e38, 1e-40, Infinity, -Infinity, Number.NaN];

function float32Data(n: number, seed: number): Float32Array {
  const a = random(Float32Array, n, seed, -4, 4) as Float32Array;
  for (let i = 0; i < n && i < SPECIAL.length; i++) a[(i * 31) % n] = SPECIAL[(i + seed) % SPECIAL.length];
  return a;
}

test("addScaledInPlace / addProductInPlace float32: c + a * b rounded once to float32, bit for bit", (t) => {
  eachIsa(t, (k, isa) => {
    for (const n of SIZES) {
      const a = float32Data(n, 1);
      const b = float32Data(n, 2);
      const c0 = float32Data(n, 3);
      for (const s of [0.01, -0.01, 1 / 3, 2 ** -24, -1e30]) {
        const c = c0.slice();
        k.addScaledInPlace(c, 0, a, 0, s, n);
        const want = c0.slice();
        const sf = Math.fround(s);
        for (let i = 0; i < n; i++) want[i] = fma32(a[i], sf, want[i]);
        assert.deepEqual(c, want, `${isa} n=${n} s=${s}`);
      }
      const c = c0.slice();
      k.addProductInPlace(c, 0, a, 0, b, 0, n);
      const want = c0.slice();
      for (let i = 0; i < n; i++) want[i] = fma32(a[i], b[i], want[i]);
      assert.deepEqual(c, want, `${isa} n=${n} product`);
    }
  });
});

test("float32: a sum that float64 would round to a tie is rounded once, as PyTorch 1.13 rounds it", (t) => {
  // (1 + 2^-23) + (2^-24 - 2^-70): through float64 the 2^-70 is lost and the float32 tie rounds to
  // even, 1 + 2^-22; rounded once it is 1 + 2^-23, which is what PyTorch 1.13 gives for
  // c.add_(b, alpha=1 + 2**-23) and c.addcmul_(b, a) (checked on vectorised and single elements).
  const a = new Float32Array([1 + 2 ** -23]);
  const b = new Float32Array([2 ** -24 * (1 - 2 ** -23)]);
  assert.equal(a[0] * b[0], 2 ** -24 - 2 ** -70);
  eachIsa(t, (k, isa) => {
    const c = new Float32Array([1 + 2 ** -23]);
    k.addProductInPlace(c, 0, a, 0, b, 0, 1);
    assert.equal(c[0], 1 + 2 ** -23, isa);
    const d = new Float32Array([1 + 2 ** -23]);
    k.addScaledInPlace(d, 0, b, 0, 1 + 2 ** -23, 1);
    assert.equal(d[0], 1 + 2 ** -23, isa);
    const long = new Float32Array(40).fill(1 + 2 ** -23);
    k.addScaledInPlace(long, 0, new Float32Array(40).fill(b[0]), 0, 1 + 2 ** -23, 40);
    assert.deepEqual([...long], new Array(40).fill(1 + 2 ** -23), `${isa} vectorised`);
  });
});

test("addScaledInPlace / addProductInPlace float64: a fused multiply-add, rounded once", (t) => {
  eachIsa(t, (k, isa) => {
    for (const n of SIZES) {
      const a = random(Float64Array, n, 4, -4, 4);
      const b = random(Float64Array, n, 5, -4, 4);
      const c0 = random(Float64Array, n, 6, -4, 4);
      const c = c0.slice();
      k.addScaledInPlace(c, 0, a, 0, -0.01, n);
      for (let i = 0; i < n; i++) assert.equal(c[i], fma64(a[i], -0.01, c0[i]), `${isa} n=${n} i=${i}`);
      const d = c0.slice();
      k.addProductInPlace(d, 0, a, 0, b, 0, n);
      for (let i = 0; i < n; i++) assert.equal(d[i], fma64(a[i], b[i], c0[i]), `${isa} n=${n} i=${i} product`);
    }
    // 1 + (1 + 2^-52)(2^-53): the unfused sum would be 1 (a tie to even); fused, 1 + 2^-52.
    const c = new Float64Array([1]);
    k.addScaledInPlace(c, 0, new Float64Array([1 + 2 ** -52]), 0, 2 ** -53, 1);
    assert.equal(c[0], 1 + 2 ** -52, isa);
  });
});

test("in-place multiply-add: offsets, exact aliasing, threads; partial overlap and bad arguments throw", (t) => {
  withNative(t, (k) => {
    const n = 300_001;
    const a = float32Data(n + 5, 7);
    const c0 = float32Data(n + 3, 8);
    const run = () => {
      const c = c0.slice();
      k.addScaledInPlace(c, 3, a, 5, 0.125, n);
      return c;
    };
    const many = assertSameOnOneThread(k, run);
    assert.deepEqual(many.subarray(0, 3), c0.subarray(0, 3));
    assert.equal(many[10], fma32(a[12], 0.125, c0[10]));
    // c += c * c with every operand the same memory.
    const same = new Float64Array([1, 2, 3]);
    k.addProductInPlace(same, 0, same, 0, same, 0, 3);
    assert.deepEqual(Array.from(same), [2, 6, 12]);
    const x = new Float32Array(10);
    assert.throws(() => k.addScaledInPlace(x, 1, x, 0, 1, 5), /partly overlaps/);
    assert.throws(() => k.addProductInPlace(x, 0, x, 0, x, 1, 5), /partly overlaps/);
    assert.throws(() => k.addScaledInPlace(x, 6, x, 0, 1, 5), /c is too short/);
    assert.throws(() => k.addScaledInPlace(x, 0, new Float64Array(10) as unknown as Float32Array, 0, 1, 5), TypeError);
  });
});
