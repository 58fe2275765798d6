// Shared pieces of the native kernel tests: the addon (or the reason it is missing), a seeded
// generator for test data, and a runner that repeats a check on every instruction set this CPU has.
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import type { Backend } from "../../../src/backend/backend.js";
import { cpuBackend } from "../../../src/backend/cpu/index.js";
import { backendFor, registerBackend } from "../../../src/backend/index.js";
import { type FloatArray, type Isa, loadNative, type NativeKernels, nativeLoadError } from "../../../src/backend/native/addon.js";
import { createNativeBackend } from "../../../src/backend/native/backend.js";

export const native = loadNative();

function skipReason(): string {
  const env = process.env.KINDLING_NO_NATIVE;
  if (env !== undefined && env !== "" && env !== "0") return "native kernels turned off by KINDLING_NO_NATIVE";
  const err = nativeLoadError();
  return `native addon not available (${err instanceof Error ? err.message.split("\n")[0] : "not built"}); run npm install`;
}

/** Runs body once per instruction set (and restores the best one), or skips without the addon. */
export function eachIsa(t: TestContext, body: (k: NativeKernels, isa: Isa) => void): void {
  if (!native) {
    t.skip(skipReason());
    return;
  }
  const initial = native.isa();
  try {
    for (const isa of native.isas()) {
      native.setIsa(isa);
      body(native, isa);
    }
  } finally {
    native.setIsa(initial);
  }
}

/** Asserts that run() gives the same result on one thread as on all of them (the kernels' promise); returns it. */
export function assertSameOnOneThread<T>(k: NativeKernels, run: () => T): T {
  const threads = k.numThreads();
  const many = run();
  k.setNumThreads(1);
  try {
    assert.deepEqual(run(), many);
  } finally {
    k.setNumThreads(threads);
  }
  return many;
}

/**
 * On every instruction set, runs run() (one string per case, the bits of its results) with the
 * TypeScript backend registered for "cpu", then with the addon's on all threads and on one, and
 * asserts the same strings: a native path that must give the TypeScript loops' bits. `check`
 * asserts that the addon's backend takes the path under test; `label` names a failing case.
 */
export function assertNativeBackendMatches(
  t: TestContext,
  run: () => string[],
  check: (nb: Backend) => void,
  label: (c: string, i: number) => string,
): void {
  const registered = backendFor("cpu");
  eachIsa(t, (k, isa) => {
    try {
      registerBackend("cpu", cpuBackend);
      const typescript = run();
      const nb = createNativeBackend(k, cpuBackend);
      check(nb);
      registerBackend("cpu", nb);
      const native = assertSameOnOneThread(k, run);
      for (let i = 0; i < typescript.length; i++) assert.equal(native[i], typescript[i], `${isa}: ${label(typescript[i], i)}`);
    } finally {
      registerBackend("cpu", registered);
    }
  });
}

/** With the addon only, once. */
export function withNative(t: TestContext, body: (k: NativeKernels) => void): void {
  if (!native) {
    t.skip(skipReason());
    return;
  }
  body(native);
}

/** mulberry32: small, seeded, good enough for test data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

export type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

/** n values uniform in [lo, hi), rounded to the array's type. */
export function random(Type: Ctor, n: number, seed: number, lo = -1, hi = 1): FloatArray {
  const next = rng(seed);
  const out = new Type(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * next();
  return out;
}

/** Unit roundoff of the element type. */
export function unitRoundoff(a: FloatArray): number {
  return a instanceof Float32Array ? 2 ** -24 : 2 ** -53;
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);

/** Distance in units in the last place between two values of the type (NaN equal to NaN). */
export function ulps(a: number, b: number, single: boolean): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0;
  if (single) {
    const order = (x: number) => {
      f32[0] = x;
      const i = i32[0];
      return i < 0 ? -2147483648 - i : i;
    };
    return Math.abs(order(a) - order(b));
  }
  const order = (x: number) => {
    f64[0] = x;
    const i = i64[0];
    return i < 0n ? -9223372036854775808n - i : i;
  };
  const d = order(a) - order(b);
  return Number(d < 0n ? -d : d);
}
