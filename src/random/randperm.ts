// torch.randperm: a Fisher-Yates shuffle driven by 32-bit words.

import type { TypedArray } from "../tensor/dtype.js";
import type { Generator } from "./generator.js";
import { temper } from "./mt19937.js";

/** n from which PyTorch 2.6+ switches to its 64-bit algorithm: floor((2**32 - 1) / 20). */
export const RANDPERM_LARGE_N = 214748364;

export interface RandpermOptions {
  /**
   * Which PyTorch to follow for n >= 214748364. "1.13" (the default, and every version up to 2.5)
   * keeps the 32-bit shuffle; "2.6" uses the inside-out shuffle with random64() that later versions
   * adopted for large n. Below that size both are the same.
   */
  largeN?: "1.13" | "2.6";
}

/**
 * Writes a random permutation of 0..n-1 into out[0..n-1] (n = out.length by default), as
 * randperm_cpu does: r = [0..n-1]; for i in 0..n-2: z = random() mod (n - i); swap r[i], r[i + z].
 * Uses n - 1 words (none for n <= 1).
 */
export function randpermInto(gen: Generator, out: TypedArray, n: number = out.length, options: RandpermOptions = {}): TypedArray {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be non-negative, got ${n}`);
  if (n > out.length) throw new RangeError(`randperm: output holds ${out.length} elements, fewer than n=${n}`);
  const eng = gen.engine;
  if (n >= RANDPERM_LARGE_N && options.largeN === "2.6") {
    // Inside-out Fisher-Yates: r[i] = r[z]; r[z] = i with z = random64() mod (i + 1).
    for (let i = 0; i < n; i++) {
      const hi = eng.random();
      const lo = eng.random();
      const z = Number(((BigInt(hi) << 32n) | BigInt(lo)) % BigInt(i + 1));
      out[i] = out[z];
      out[z] = i;
    }
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = i;
  shuffleSteps(gen, out, n, n - 1);
  return out;
}

/**
 * The first `steps` steps of randperm_cpu's shuffle of out[0..n-1] (steps <= n - 1), one word
 * each: z = random() mod (n - i); swap out[i], out[i + z].
 */
function shuffleSteps(gen: Generator, out: TypedArray, n: number, steps: number): void {
  const eng = gen.engine;
  if (n > 0xffffffff) {
    // n - i may not fit in 32 bits (no JS engine holds such an array today): the general form.
    // floor(w / d) is exact: w / d sits at least 1 / w (>= 2**-32) below the next integer, far
    // more than a double's rounding error.
    for (let i = 0; i < steps; i++) {
      const w = eng.random();
      const d = n - i;
      const z = w - Math.floor(w / d) * d;
      const sav = out[i];
      out[i] = out[i + z];
      out[i + z] = sav;
    }
    return;
  }
  // The engine's words are drawn here rather than through eng.random(): the same words in the
  // same order, with left/next kept as random() keeps them and written back at the end. Words
  // come in runs between twists, so the shuffling loop holds no call. Each word is tempered from
  // the int32 view and both w and d = n - i are made uint32s with `>>> 0` (exact: n < 2**32), so
  // V8 computes w % d as one integer division; typed as plain numbers it was a double fmod call,
  // or a floor division that cost as much. A DataLoader with shuffle draws a permutation every
  // epoch: randperm(1000) ~12.8 -> ~8.2 µs of CPU time.
  const words = eng.words;
  let left = eng.left;
  let next = eng.next;
  let i = 0;
  while (i < steps) {
    if (left === 1) {
      // random() would decrement left to 0 and twist (left = 624, next = 0), then draw without
      // decrementing again: as if the twist had set left to 625.
      eng.twist();
      left = eng.left + 1;
      next = eng.next;
    }
    // left - 1 words remain before the next twist.
    const stop = Math.min(steps, i + left - 1);
    left -= stop - i;
    for (; i < stop; i++) {
      const w = temper(words[next++]) >>> 0;
      const z = (w % ((n - i) >>> 0)) >>> 0;
      const sav = out[i];
      out[i] = out[i + z];
      out[i + z] = sav;
    }
  }
  eng.left = left;
  eng.next = next;
}

/**
 * torch.randperm(n, generator=gen)[:k] as int64 values, drawing the same n - 1 words. Steps from
 * k on swap only entries at k or later, so the first k entries are final after k steps and the
 * rest of the words are skipped untempered. RandomSampler ends every pass with such a slice,
 * usually empty (k = numSamples % n), which then costs a twist or two instead of a permutation.
 */
export function randpermPrefix(gen: Generator, n: number, k: number): Float64Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be non-negative, got ${n}`);
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`randpermPrefix: k must be in [0, n], got ${k}`);
  const steps = Math.min(k, Math.max(n - 1, 0));
  const out = new Float64Array(steps === 0 ? k : n);
  if (steps > 0) {
    for (let i = 0; i < n; i++) out[i] = i;
    shuffleSteps(gen, out, n, steps);
  } else if (k === 1) out[0] = 0;
  gen.engine.discard(Math.max(n - 1, 0) - steps);
  return k === out.length ? out : out.subarray(0, k);
}

/** torch.randperm(n, generator=gen) as int64 values in a Float64Array (kindling's int64 storage). */
export function randperm(gen: Generator, n: number, options: RandpermOptions = {}): Float64Array {
  const out = new Float64Array(n);
  randpermInto(gen, out, n, options);
  return out;
}
