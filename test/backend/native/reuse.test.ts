// The addon makes glibc keep freed large blocks mapped and hand them out again (native/src/addon.cc,
// keep_large_blocks_mapped). Reused memory must still reach JavaScript as zeros, and results must
// not depend on what a block held before: many rounds of large ops, each allocating fresh output
// arrays over blocks the previous rounds freed, keep giving exact values.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as torch from "kindling";

const N = 1 << 20;

test("large arrays over reused memory start as zeros and ops over them stay exact", () => {
  const ones = torch.ones([N]);
  for (let round = 0; round < 40; round++) {
    // Fill big arrays with non-zero values and drop them, so their blocks return to the heap.
    const filled = ones.mul(round + 1).add(0.5);
    assert.equal(filled.values()[N - 1], round + 1.5);
    const zeros = torch.zeros([N]);
    const z = zeros.values();
    for (let i = 0; i < N; i += 4099) assert.equal(z[i], 0);
    assert.equal(z[N - 1], 0);
    assert.equal(zeros.sum().item(), 0);
    const y = ones.add(ones).values();
    assert.equal(y[0], 2);
    assert.equal(y[N - 1], 2);
  }
});
