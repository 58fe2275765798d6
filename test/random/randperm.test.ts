// randpermInto draws its words in runs between twists, straight from the engine's state. These
// cases start it at every kind of position in the state (fresh after seeding, just before and
// just after a twist, mid-way) and check it against the textbook loop over engine.random():
// same permutation, and the engine left exactly where n - 1 random() calls leave it.
// (PyTorch's own outputs are checked in sequences.test.ts.)

import assert from "node:assert/strict";
import { test } from "node:test";
import { Generator, randpermInto, randpermPrefix } from "../../src/random/index.js";

/** randperm_cpu as written: z = random() % (n - i); swap r[i], r[i + z]. */
function reference(gen: Generator, n: number): number[] {
  const r = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n - 1; i++) {
    const z = gen.random() % (n - i);
    [r[i], r[i + z]] = [r[i + z], r[i]];
  }
  return r;
}

function engineAt(seed: number, skip: number): Generator {
  const g = new Generator(seed);
  for (let k = 0; k < skip; k++) g.random();
  return g;
}

test("randpermInto: same permutation and engine position as n - 1 random() calls, from any state", () => {
  // skip: words drawn before (0 = fresh, left = 1: the first draw twists; 623/624/625 around
  // the second twist); n: runs shorter than, equal to and spanning several twists.
  for (const skip of [0, 1, 2, 300, 622, 623, 624, 625, 1247]) {
    for (const n of [0, 1, 2, 3, 17, 623, 624, 625, 1000, 1249, 3000]) {
      const a = engineAt(5, skip);
      const b = engineAt(5, skip);
      const out = Array.from(randpermInto(a, new Float64Array(n)));
      assert.deepEqual(out, reference(b, n), `skip ${skip}, n ${n}`);
      assert.equal(a.engine.left, b.engine.left, `left after skip ${skip}, n ${n}`);
      assert.equal(a.engine.next, b.engine.next, `next after skip ${skip}, n ${n}`);
      assert.deepEqual(a.getStateBytes(), b.getStateBytes(), `state after skip ${skip}, n ${n}`);
      assert.equal(a.random(), b.random(), `the next word after skip ${skip}, n ${n}`);
    }
  }
});

test("randpermInto: the first n entries of a longer array, words for values of any size", () => {
  const g = new Generator(123);
  const out = randpermInto(g, new Float64Array(10).fill(-1), 7);
  assert.deepEqual(Array.from(out.subarray(0, 7)).sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from(out.subarray(7)), [-1, -1, -1]);
  assert.deepEqual(Array.from(out.subarray(0, 7)), reference(new Generator(123), 7));
  assert.throws(() => randpermInto(g, new Float64Array(3), 4), /output holds 3 elements, fewer than n=4/);
  assert.throws(() => randpermInto(g, new Float64Array(3), -1), /non-negative/);
});

test("MT19937.discard: the engine where count random() calls leave it", () => {
  for (const skip of [0, 1, 2, 622, 623, 624, 625]) {
    for (const count of [0, 1, 2, 622, 623, 624, 625, 1248, 2000]) {
      const a = engineAt(9, skip);
      const b = engineAt(9, skip);
      a.engine.discard(count);
      for (let k = 0; k < count; k++) b.random();
      assert.deepEqual(a.getStateBytes(), b.getStateBytes(), `skip ${skip}, count ${count}`);
      assert.equal(a.random(), b.random());
    }
  }
});

test("randpermPrefix(gen, n, k): randperm(n)[:k] with the same words drawn", () => {
  for (const skip of [0, 1, 400, 623, 624]) {
    for (const n of [0, 1, 2, 3, 17, 624, 625, 1000, 1300]) {
      for (const k of new Set([0, 1, 2, Math.floor(n / 2), n - 2, n - 1, n].filter((x) => x >= 0 && x <= n))) {
        const a = engineAt(11, skip);
        const b = engineAt(11, skip);
        const prefix = randpermPrefix(a, n, k);
        assert.ok(prefix instanceof Float64Array);
        assert.deepEqual(Array.from(prefix), reference(b, n).slice(0, k), `skip ${skip}, n ${n}, k ${k}`);
        assert.deepEqual(a.getStateBytes(), b.getStateBytes(), `state after skip ${skip}, n ${n}, k ${k}`);
      }
    }
  }
  assert.throws(() => randpermPrefix(new Generator(1), 3, 4), /k must be in \[0, n\]/);
});
