// Every fixture sequence from scripts/fixtures/rng.py replayed on one kindling Generator:
// each output bitwise equal to PyTorch 1.13's, and the generator state bytes equal afterwards.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { Generator } from "../../src/random/index.js";
import { exactValues, fnv, type Op, runOp, words } from "./replay.js";

interface Summary {
  numel: number;
  hash: number;
  head: (number | string)[];
  values?: (number | string)[];
  sample?: number[];
}
interface StateSummary {
  hash: number;
  head: number[];
  tail: number[];
}
interface Sequence {
  seed: string;
  initialSeed: string;
  stateAfterSeed: StateSummary;
  stateAfter: StateSummary;
  ops: (Op & { out: Summary })[];
}

const doc = JSON.parse(readFileSync(new URL("../fixtures/random/sequences.json", import.meta.url), "utf8")) as {
  sequences: Sequence[];
};

function checkState(gen: Generator, expected: StateSummary, where: string): void {
  const bytes = gen.getStateBytes();
  assert.equal(bytes.length, 5056);
  assert.deepEqual(Array.from(bytes.subarray(0, 32)), expected.head, `${where}: state head`);
  assert.deepEqual(Array.from(bytes.subarray(5016)), expected.tail, `${where}: state tail`);
  assert.equal(fnv(bytes), expected.hash, `${where}: state hash`);
}

// float64 normals and exponentials go through glibc's log/sin/cos, which are correctly rounded except
// near rounding midpoints; kindling's are correctly rounded (libm-accurate.ts). Those outputs are
// compared by ulp distance, and the share of bitwise-equal values is asserted at the end.
const LIBM_OPS = new Set(["randn", "normal", "normal_noncontiguous", "normal_tensor", "exponential"]);
const SAMPLE_STRIDE = 37;
const libmTally = { values: 0, exact: 0, maxUlps: 0 };

function ulpDistance(a: number, b: number): number {
  const v = new Float64Array([a, b]);
  const i = new BigInt64Array(v.buffer);
  const d = i[0] - i[1];
  return Number(d < 0n ? -d : d);
}

function checkLibm(values: Float64Array | Float32Array, out: Summary, where: string): void {
  const expected = out.values ?? out.sample;
  assert.ok(expected, `${where}: float64 libm op needs values or a sample`);
  const stride = out.values ? 1 : SAMPLE_STRIDE;
  expected.forEach((e, k) => {
    const a = values[k * stride];
    const d = ulpDistance(a, e as number);
    libmTally.values++;
    if (d === 0) libmTally.exact++;
    libmTally.maxUlps = Math.max(libmTally.maxUlps, d);
    assert.ok(d <= 4, `${where}: value ${k * stride} is ${a}, PyTorch ${e} (${d} ulps apart)`);
  });
}

// int64 values beyond 2**53 are stored rounded to the nearest double (kindling's int64 storage).
function asStored(v: number | string): number {
  return typeof v === "string" ? Number(BigInt(v)) : v;
}

for (const seq of doc.sequences) {
  const ops = seq.ops.map((o) => `${o.op}(${o.n ?? ""}${o.dtype ? `,${o.dtype}` : ""})`);
  test(`seed ${seq.seed}: ${seq.ops.length} ops from ${ops[0]} to ${ops[ops.length - 1]}`, () => {
    const gen = new Generator().manualSeed(BigInt(seq.seed));
    assert.equal(String(gen.initialSeed()), seq.initialSeed);
    checkState(gen, seq.stateAfterSeed, "after seeding");
    seq.ops.forEach((op, i) => {
      const where = `op ${i} ${JSON.stringify({ ...op, out: undefined, probs: undefined })}`;
      const out = runOp(gen, op);
      assert.equal(out.values.length, op.out.numel, `${where}: numel`);
      if (op.dtype === "float64" && LIBM_OPS.has(op.op)) {
        checkLibm(out.values as Float64Array, op.out, where);
        return;
      }
      const lossy = op.out.head.some((v) => typeof v === "string") && !(out.values instanceof BigInt64Array);
      if (lossy) {
        assert.ok(op.out.values, `${where}: huge int64 values need full fixtures`);
        assert.deepEqual(Array.from(out.values as ArrayLike<number>), op.out.values.map(asStored), where);
        return;
      }
      assert.deepEqual(exactValues(out, 8), op.out.head, `${where}: head`);
      if (op.out.values) assert.deepEqual(exactValues(out), op.out.values, `${where}: values`);
      assert.equal(fnv(words(out)), op.out.hash, `${where}: hash of all ${op.out.numel} values`);
    });
    checkState(gen, seq.stateAfter, "after the sequence");
  });
}

test("float64 normals and exponentials: at least 99.5% bitwise equal to glibc-based PyTorch, the rest within 4 ulps", () => {
  assert.ok(libmTally.values > 3000, `only ${libmTally.values} float64 values compared`);
  const share = libmTally.exact / libmTally.values;
  console.log(`float64 libm values: ${libmTally.exact}/${libmTally.values} bitwise equal, max ${libmTally.maxUlps} ulps`);
  assert.ok(share >= 0.995, `only ${(share * 100).toFixed(3)}% of ${libmTally.values} equal`);
});
