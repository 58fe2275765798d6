// randpermInto draws its words in runs between twists, straight from the engine's state. These
// cases start it at every kind of position in the state (fresh after seeding, just before and
// just after a twist, mid-way) and check it against the textbook loop over engine.random():
// same permutation, and the engine left exactly where n - 1 random() calls leave it.
// (PyTorch's own outputs are checked in sequences.test.ts.)

import assert from "node:assert/strict";
import { test } from "node:test";
import { Generator, randpermInto } from "../../src/random/index.js";

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
