// torch.randn(n, dtype=torch.float64) right after seeding, for the sizes around the 16-element
// block boundary: float64 goes through glibc's log/sin/cos (see sequences.test.ts for why the
// comparison counts ulps).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { Generator, normal_ } from "../../src/random/index.js";

const { cases } = JSON.parse(readFileSync(new URL("../fixtures/random/normals.json", import.meta.url), "utf8")) as {
  cases: { seed: number; n: number; dtype: "float64"; values: number[] }[];
};

function ulps(a: number, b: number): number {
  const v = new Float64Array([a, b]);
  const i = new BigInt64Array(v.buffer);
  const d = i[0] - i[1];
  return Number(d < 0n ? -d : d);
}

test(`randn float64 after manual_seed: ${cases.length} cases, all within 1 ulp, >= 99.5% bitwise`, () => {
  let total = 0;
  let exact = 0;
  for (const c of cases) {
    const got = normal_(new Generator().manualSeed(c.seed), new Float64Array(c.n), "float64");
    c.values.forEach((e, i) => {
      const d = ulps(got[i], e);
      assert.ok(d <= 1, `seed ${c.seed} n ${c.n} [${i}]: ${got[i]} vs ${e}`);
      total++;
      if (d === 0) exact++;
    });
  }
  assert.ok(exact / total >= 0.995, `${exact}/${total}`);
});
