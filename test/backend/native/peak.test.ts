// The FMA peak probe (native/src/peak.cc) the benchmark measures matrix products against: it runs
// on every instruction set and thread count and reports a positive rate; bad durations are refused.
import assert from "node:assert/strict";
import { test } from "node:test";
import { eachIsa, withNative } from "./helpers.js";

test("fmaPeak reports GFLOP/s for the instruction set and threads in use", (t) => {
  eachIsa(t, (k, isa) => {
    assert.ok(k.fmaPeak, "the addon has fmaPeak");
    const threads = k.numThreads();
    for (const n of new Set([1, threads])) {
      k.setNumThreads(n);
      try {
        const r = k.fmaPeak(0.01);
        assert.equal(r.isa, isa);
        assert.equal(r.threads, n);
        assert.equal(r.perThread.length, n);
        assert.ok(r.gflops > 0 && Number.isFinite(r.gflops), `${isa} ${n} threads: ${r.gflops} GFLOP/s`);
        for (const x of r.perThread) assert.ok(x > 0 && Number.isFinite(x));
        assert.ok(r.seconds >= 0.01, `ran ${r.seconds} s`);
      } finally {
        k.setNumThreads(threads);
      }
    }
  });
});

test("fmaPeak refuses durations outside (0, 10] seconds", (t) => {
  withNative(t, (k) => {
    for (const s of [0, -1, 11, Number.NaN]) assert.throws(() => k.fmaPeak!(s), RangeError);
    assert.throws(() => k.fmaPeak!("1" as unknown as number), TypeError);
  });
});
